from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the network: the task worker, its schedule, health, metrics and logs."""

    name = "ops"
    verbose_name = "Operations"
