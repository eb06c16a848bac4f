from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "community.moderation"
    label = "moderation"
    verbose_name = "Moderation and safeguarding"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from community import events
        from community.forum import screening as forum_screening

        from . import panels, recording, screening
        from .models import WatchedWord

        forum_screening.register(screening.screen_trust)
        forum_screening.register(screening.screen_watched_words)
        forum_screening.register_reads(screening.watched_words_reads)
        forum_screening.register(screening.screen_personal_data)
        events.record_with(recording.record)
        panels.register()
        # Watched words are cached between posts (screening.watched_words), whoever changes them.
        forget = screening.forget_watched_words
        post_save.connect(forget, sender=WatchedWord, dispatch_uid="watched-words")
        post_delete.connect(forget, sender=WatchedWord, dispatch_uid="watched-words-del")
