from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "community.training"
    label = "training"
    verbose_name = "Training and events"
