from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "community.library"
    label = "library"
    verbose_name = "Resource library"

    def ready(self) -> None:
        from community.forum import demo as forum_demo
        from community.search import registry

        from . import demo, panels
        from .search import LibraryResourceProvider

        # Site search finds resources through this app's own visibility rule.
        registry.register(LibraryResourceProvider())
        forum_demo.register(demo.seed)
        panels.register()
