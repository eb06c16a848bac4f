from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "community.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from community import events

        from . import indexing, registry
        from .forum import ForumPostProvider

        registry.register(ForumPostProvider())
        # The index follows the forum's events in the task worker, after they commit:
        # nobody waits for it. Search filters by the documents' copy of each post's
        # visibility fields, but the page's hits are checked against the posts themselves
        # (ForumPostProvider.load), and a space's visibility is never copied: a late update
        # can leave a result out for a moment, never show it to someone who may not read it.
        events.subscribe_in_worker(indexing.on_event, wants=indexing.wants)
