from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "community.forum"
    label = "forum"
    verbose_name = "Forum"

    def ready(self) -> None:
        from community import events, pagecache

        # Any forum change may show on an anonymous page: drop them all.
        events.subscribe(pagecache.invalidate)
