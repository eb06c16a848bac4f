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
        # nobody waits for it. Visibility is never read from the index (it is applied at
        # query time), so a late update can only make a result's text stale for a moment,
        # never show it to someone who may not read it.
        events.subscribe_in_worker(indexing.on_event, wants=indexing.wants)
