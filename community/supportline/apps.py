from django.apps import AppConfig


class SupportLineConfig(AppConfig):
    name = "community.supportline"
    label = "supportline"
    verbose_name = "SupportLine"
