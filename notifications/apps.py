from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from community import events

        from . import fanout, push

        events.record_with(fanout.record)
        events.subscribe(push.forward_thread_event)
