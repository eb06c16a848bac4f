from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "community.moderation"
    label = "moderation"
    verbose_name = "Moderation and safeguarding"

    def ready(self) -> None:
        from community import events
        from community.forum import screening as forum_screening

        from . import panels, recording, screening

        forum_screening.register(screening.screen_trust)
        forum_screening.register(screening.screen_watched_words)
        forum_screening.register(screening.screen_personal_data)
        events.record_with(recording.record)
        panels.register()
