from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from community import events

        from . import dispatch

        # After commit, in the task worker (nobody waits for it), each domain event becomes
        # deliveries to the webhooks that chose it.
        events.subscribe_in_worker(dispatch.on_event, wants=dispatch.wants)
