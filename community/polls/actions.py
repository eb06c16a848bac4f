"""Votes and a poll's status: check permission, write in one transaction, publish on commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from community.events import publish_on_commit
from community.forum.models import Status

from . import permissions
from .models import Poll, PollOption, PollVote


def _locked(poll: Poll) -> Poll:
    return (
        Poll.objects.select_for_update()
        .select_related("post__thread__space", "post__author")
        .get(pk=poll.pk)
    )


def _recount(poll: Poll) -> dict[int, int]:
    """Recompute the poll's counts from its votes: first preferences when ranked."""
    first_only = Q(option_votes__rank__lte=1)
    counts = dict(
        PollOption.objects.filter(poll=poll)
        .annotate(n=Count("option_votes", filter=first_only))
        .values_list("pk", "n")
    )
    for option_id, n in counts.items():
        PollOption.objects.filter(pk=option_id).exclude(votes=n).update(votes=n)
    poll.voter_count = PollVote.objects.filter(poll=poll).values("user").distinct().count()
    Poll.objects.filter(pk=poll.pk).update(voter_count=poll.voter_count)
    return counts


def poll_event(event_type: str, poll: Poll, counts: dict[int, int] | None) -> dict:
    """What readers of the thread are told: counts only, and only where everyone may see them."""
    shown = poll.results == Poll.Results.ALWAYS
    post = poll.post
    return {
        "type": event_type,
        "poll_id": poll.pk,
        "post_id": poll.post_id,
        "thread_id": poll.post.thread_id,
        "name": poll.name,
        "status": poll.status,
        "voters": poll.voter_count,
        "counts": {str(k): v for k, v in counts.items()} if (shown and counts) else None,
        # Whether every reader of the thread may read the post: a held, hidden or deleted
        # post's poll is not announced to the thread (closing it, by hand or on its date,
        # must not tell readers the post exists).
        "post_readable": post.status == Status.PUBLISHED and post.deleted_at is None,
    }


def _check_choices(poll: Poll, option_ids: Sequence[int]) -> list[int]:
    chosen = [int(o) for o in option_ids]
    valid = set(PollOption.objects.filter(poll=poll).values_list("pk", flat=True))
    if not chosen or len(set(chosen)) != len(chosen) or not set(chosen) <= valid:
        raise ValidationError({"options": _("Choose from the poll's options.")})
    if poll.type in (Poll.Type.REGULAR, Poll.Type.NUMBER) and len(chosen) != 1:
        raise ValidationError({"options": _("Choose one option.")})
    if poll.type == Poll.Type.MULTIPLE:
        low, high = poll.min_choices or 1, poll.max_choices or len(valid)
        if not low <= len(chosen) <= high:
            if low == high:
                message = _("Choose %(n)d options.") % {"n": low}
            else:
                message = _("Choose between %(low)d and %(high)d options.") % {
                    "low": low, "high": high,
                }  # fmt: skip
            raise ValidationError({"options": message})
    return chosen


@transaction.atomic
def cast_vote(*, voter, poll: Poll, option_ids: Sequence[int]) -> Poll:
    """Record the member's vote, replacing any earlier one (a ranked ballot lists option ids
    from most to least preferred)."""
    poll = _locked(poll)
    if not permissions.can_vote(voter, poll):
        if poll.is_closed:
            raise PermissionDenied(_("This poll is closed."))
        raise PermissionDenied(_("You cannot vote in this poll."))
    chosen = _check_choices(poll, option_ids)
    PollVote.objects.filter(poll=poll, user=voter).delete()
    ranked = poll.type == Poll.Type.RANKED_CHOICE
    PollVote.objects.bulk_create(
        PollVote(poll=poll, option_id=option_id, user=voter, rank=rank if ranked else 0)
        for rank, option_id in enumerate(chosen, start=1)
    )
    counts = _recount(poll)
    publish_on_commit({**poll_event("poll.voted", poll, counts), "voter_id": voter.pk})
    return poll


@transaction.atomic
def remove_vote(*, voter, poll: Poll) -> Poll:
    """Take the member's vote back while the poll is open."""
    poll = _locked(poll)
    if not permissions.can_vote(voter, poll):
        raise PermissionDenied(_("You cannot change your vote in this poll."))
    deleted, _n = PollVote.objects.filter(poll=poll, user=voter).delete()
    if deleted:
        counts = _recount(poll)
        publish_on_commit({**poll_event("poll.voted", poll, counts), "voter_id": voter.pk})
    return poll


def _set_status(poll: Poll, status: str, actor_id: int | None) -> Poll:
    if poll.status == status:
        return poll
    poll.status = status
    poll.closed_at = timezone.now() if status == Poll.Status.CLOSED else None
    poll.save(update_fields=["status", "closed_at"])
    counts = dict(PollOption.objects.filter(poll=poll).values_list("pk", "votes"))
    publish_on_commit({**poll_event("poll.status", poll, counts), "actor_id": actor_id})
    return poll


@transaction.atomic
def set_poll_status(*, actor, poll: Poll, closed: bool) -> Poll:
    """Close a poll (no more votes; on_close results appear) or open it again."""
    poll = _locked(poll)
    if not permissions.can_change_status(actor, poll):
        raise PermissionDenied(_("Only the poll's author or a moderator can open or close it."))
    return _set_status(poll, Poll.Status.CLOSED if closed else Poll.Status.OPEN, actor.pk)


def close_due_polls(*, now: datetime | None = None) -> int:
    """Close every open poll whose closing time has passed; the scheduled job. Safe to rerun."""
    now = now or timezone.now()
    due = list(
        Poll.objects.filter(status=Poll.Status.OPEN, close_at__lte=now).values_list("pk", flat=True)
    )
    closed = 0
    for poll_id in due:
        with transaction.atomic():
            poll = _locked(Poll(pk=poll_id))
            if poll.status == Poll.Status.OPEN and poll.close_at and poll.close_at <= now:
                _set_status(poll, Poll.Status.CLOSED, None)
                closed += 1
    return closed
