from django.apps import AppConfig


class SupportLineConfig(AppConfig):
    name = "community.supportline"
    label = "supportline"
    verbose_name = "SupportLine"

    def ready(self) -> None:
        from community.forum import demo as forum_demo

        from . import demo

        forum_demo.register(demo.seed)
