from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "community.forum"
    label = "forum"
    verbose_name = "Forum"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from community import events, pagecache

        # The holes shared pages carry are filled by functions registered at import: register
        # them now, not when a template first loads them (a worker may serve a cached page first).
        from . import holes, panels  # noqa: F401
        from .models import Membership
        from .permissions import connect_member_spaces, forget_member_spaces

        # Any forum change may show on an anonymous page: drop them all.
        events.subscribe(pagecache.invalidate)
        # ...and in the writing transaction, its own reads (and a test's, which never commits)
        # see its write: without a round trip to the cache before the commit.
        events.record_with(pagecache.note_write)
        pagecache.connect()
        # Each member's groups are cached between requests (permissions.member_space_ids).
        post_save.connect(forget_member_spaces, sender=Membership, dispatch_uid="member-spaces")
        post_delete.connect(
            forget_member_spaces, sender=Membership, dispatch_uid="member-spaces-del"
        )
        connect_member_spaces()
