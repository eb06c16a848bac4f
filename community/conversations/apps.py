from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "community.conversations"
    # Not "messages": that label belongs to django.contrib.messages.
    label = "conversations"
    verbose_name = "Private messages"

    def ready(self) -> None:
        from community import events

        from . import receivers

        # Inside the moderator's transaction: a hidden message and the closed reports commit
        # (or roll back) with the decision.
        events.record_with(receivers.record)
