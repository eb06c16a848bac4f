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
        # The index follows the forum's events after they commit; visibility is never
        # read from the index (it is applied at query time), so a late update can only
        # make a result's text stale, never show it to someone who may not read it.
        events.subscribe(indexing.on_event)
