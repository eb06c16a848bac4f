from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from community import events

        from . import handlers, holes, levels, push, selectors, tasks
        from .models import Notification, Subscription

        handlers.load_all()
        # The fan-out's task row is written in the change's transaction (with the event's
        # other task rows, in one INSERT on the database queue).
        events.enqueue_in_transaction(tasks.fan_out, wants=tasks.wants_fan_out)
        # Readers of a thread see a new post before the page cache and search are updated.
        events.subscribe(push.forward_thread_event, first=True)
        # Cached per member between requests: the bell's count and notification levels.
        for signal in (post_save, post_delete):
            signal.connect(selectors.forget_unread_count_of, sender=Notification)
            signal.connect(levels.forget_level_of, sender=Subscription)
        holes.register()
