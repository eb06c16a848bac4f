from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "community.feedback"
    label = "feedback"
    verbose_name = "Feedback from families"
