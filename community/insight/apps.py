from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "community.insight"
    label = "insight"
    verbose_name = "Insight"

    def ready(self) -> None:
        from . import measures, registry

        # The measures this app computes itself; other apps (polls, families' feedback)
        # register theirs from their own ready() and replace the "not yet collected" ones.
        for measure in measures.MEASURES:
            registry.register(measure, replace=False)
