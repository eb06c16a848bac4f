from django.apps import AppConfig


class PollsConfig(AppConfig):
    name = "community.polls"
    label = "polls"
    verbose_name = "Polls"

    def ready(self) -> None:
        from community import markup
        from community.forum import composer, post_hooks

        from . import builder, parsing, syncing

        markup.register_block("poll", parsing.render_block)
        post_hooks.register(syncing.PollPostHook())
        composer.register(builder.expand_poll_fields)
