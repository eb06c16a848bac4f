from django.apps import AppConfig


class PollsConfig(AppConfig):
    name = "community.polls"
    label = "polls"
    verbose_name = "Polls"

    def ready(self) -> None:
        from community import markup
        from community.forum import composer, post_hooks
        from community.fragments import register_hole
        from community.insight import registry

        from . import builder, insight, parsing, syncing
        from .templatetags.polls_tags import post_with_polls

        markup.register_block("poll", parsing.render_block)
        post_hooks.register(syncing.PollPostHook())
        composer.register(builder.expand_poll_fields)
        # The member's own form and results inside a post's shared HTML (thread page).
        register_hole("post_polls", post_with_polls)
        # Poll participation on the insight dashboard, in place of its placeholder.
        for measure in insight.MEASURES:
            registry.register(measure)
