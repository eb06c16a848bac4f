"""Who may vote in, see the results of, see the voters of, close and export a poll.

Every read path (the thread page, the poll page, the API, the CSV export, live updates)
asks these, on top of the forum's rule for reading the post the poll is in.
"""

from __future__ import annotations

from django.db.models import QuerySet

from community.forum import permissions as forum_permissions
from community.forum.models import Space, Status

from .models import Poll

# Spaces no member under 18 can read: only there may a poll show who voted.
ADULT_ONLY_VISIBILITIES = frozenset({Space.Visibility.VERIFIED, Space.Visibility.STAFF})


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def allows_public_polls(space: Space) -> bool:
    """`public=true` shows voters' names: only where no child can read the poll at all."""
    return space.visibility in ADULT_ONLY_VISIBILITIES


def can_read_poll(user, poll: Poll) -> bool:
    return forum_permissions.can_read_post(user, poll.post)


def can_vote(user, poll: Poll) -> bool:
    post = poll.post
    thread = post.thread
    return (
        _signed_in(user)
        and not poll.is_closed
        and not user.is_silenced
        and post.status == Status.PUBLISHED
        and post.deleted_at is None
        and not thread.is_closed
        and not thread.is_archived
        and forum_permissions.can_read_post(user, post)
    )


def can_see_results(user, poll: Poll, *, has_voted: bool) -> bool:
    """As Discourse: always; on_vote once you voted (or it closed); on_close once closed;
    staff_only to moderators and staff. Moderators see every result, to moderate."""
    if forum_permissions.is_moderator(user):
        return True
    if poll.results == Poll.Results.ALWAYS:
        return True
    if poll.results == Poll.Results.ON_VOTE:
        return has_voted or poll.is_closed
    if poll.results == Poll.Results.ON_CLOSE:
        return poll.is_closed
    return False


def can_see_voters(user, poll: Poll, *, has_voted: bool) -> bool:
    """Names of (adult) voters: only in a public poll, where its space allows one."""
    return (
        poll.public
        and allows_public_polls(poll.post.thread.space)
        and can_see_results(user, poll, has_voted=has_voted)
    )


def named_voters(qs: QuerySet) -> QuerySet:
    """The votes whose voter may be shown by name: never a member under 18, anywhere."""
    from community.accounts.models import User

    return qs.exclude(user__age_band__in=list(User.MINOR_AGE_BANDS))


def can_change_status(user, poll: Poll) -> bool:
    """The post's author, or a moderator, opens and closes a poll."""
    if not _signed_in(user) or poll.post.thread.is_archived:
        return False
    return forum_permissions.is_moderator(user) or (
        poll.post.author_id == user.pk and forum_permissions.can_read_post(user, poll.post)
    )


def can_export(user, poll: Poll) -> bool:
    """Moderators and centre staff export results as CSV."""
    return forum_permissions.is_moderator(user) and can_read_poll(user, poll)
