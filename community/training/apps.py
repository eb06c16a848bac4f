from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "community.training"
    label = "training"
    verbose_name = "Training and events"

    def ready(self) -> None:
        from community.forum import demo as forum_demo
        from community.search import registry

        from . import demo
        from .search import TrainingEventProvider

        # Site search finds events through this app's own visibility rule.
        registry.register(TrainingEventProvider())
        forum_demo.register(demo.seed)
