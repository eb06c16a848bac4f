from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    label = "api"
    verbose_name = "Discourse-compatible API"

    def ready(self) -> None:
        from functools import partial

        from . import polls, serializers, solved

        # Polls and accepted answers in the shapes Discourse's plugins give posts and topics.
        serializers.register_post_fields(polls.POST_FIELDS, polls.post_fields)
        serializers.register_post_fields(solved.POST_FIELDS, solved.post_fields)
        # The answer's author is named as the serialisers name every member (the privacy rule).
        serializers.register_topic_fields(
            solved.TOPIC_FIELDS, partial(solved.topic_fields, author_of=serializers.author)
        )
