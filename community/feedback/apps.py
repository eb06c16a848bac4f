from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "community.feedback"
    label = "feedback"
    verbose_name = "Feedback from families"

    def ready(self) -> None:
        from community.insight import registry

        from . import insight

        # Feedback counts on the insight dashboard, in place of its placeholder.
        for measure in insight.MEASURES:
            registry.register(measure)
