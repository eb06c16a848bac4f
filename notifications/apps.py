from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from community import events

        from . import handlers, push, recording

        handlers.load_all()
        events.record_with(recording.enqueue_fan_out)
        # Readers of a thread see a new post before the page cache and search are updated.
        events.subscribe(push.forward_thread_event, first=True)
