"""Reads for polls: what one member sees of the polls in a page of posts, in a fixed number
of queries (none when no post on the page has a poll)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404

from community.forum import permissions as forum_permissions
from community.forum.models import Post

from . import permissions
from .models import Poll, PollOption, PollVote
from .ranked import Outcome, instant_runoff

POLL_MARKER = '<div class="poll" data-poll-name="'


@dataclass
class OptionView:
    option: PollOption
    votes: int = 0
    percent: int = 0
    chosen: bool = False
    rank: int | None = None  # the member's rank for it, in a ranked-choice poll
    voters: list[str] = field(default_factory=list)  # adults' display names, public polls
    others: int = 0  # voters not named


@dataclass
class PollView:
    poll: Poll
    options: list[OptionView]
    has_voted: bool
    can_vote: bool
    show_results: bool
    show_voters: bool
    can_change_status: bool
    can_export: bool
    outcome: Outcome | None = None
    average: float | None = None

    @property
    def option_by_id(self) -> dict[int, OptionView]:
        return {o.option.pk: o for o in self.options}

    @property
    def winner(self) -> OptionView | None:
        if self.outcome and self.outcome.winner:
            return self.option_by_id.get(self.outcome.winner)
        return None

    @property
    def rounds(self) -> list[list[tuple[str, int, bool]]]:
        """Each instant-runoff round as (option text, ballots, eliminated) rows."""
        if not self.outcome:
            return []
        by_id = self.option_by_id
        return [
            [
                (by_id[o].option.text, n, o in r.eliminated)
                for o, n in sorted(r.counts.items(), key=lambda kv: -kv[1])
                if o in by_id
            ]
            for r in self.outcome.rounds
        ]

    @property
    def rank_choices(self) -> range:
        return range(1, len(self.options) + 1)


def has_polls(post: Post) -> bool:
    return POLL_MARKER in (post.html or "")


def _views(viewer, polls: list[Poll]) -> list[PollView]:
    if not polls:
        return []
    signed_in = bool(viewer and viewer.is_authenticated)
    mine: dict[int, dict[int, int]] = {}
    if signed_in:
        for poll_id, option_id, rank in PollVote.objects.filter(
            poll__in=polls, user=viewer
        ).values_list("poll_id", "option_id", "rank"):
            mine.setdefault(poll_id, {})[option_id] = rank
    views = []
    for poll in polls:
        my_votes = mine.get(poll.pk, {})
        has_voted = bool(my_votes)
        show = permissions.can_see_results(viewer, poll, has_voted=has_voted)
        total = sum(o.votes for o in poll.option_list) if show else 0
        options = [
            OptionView(
                option=o,
                votes=o.votes if show else 0,
                percent=round(100 * o.votes / total) if show and total else 0,
                chosen=o.pk in my_votes,
                rank=my_votes.get(o.pk) or None,
            )
            for o in poll.option_list
        ]
        view = PollView(
            poll=poll,
            options=options,
            has_voted=has_voted,
            can_vote=permissions.can_vote(viewer, poll),
            show_results=show,
            show_voters=permissions.can_see_voters(viewer, poll, has_voted=has_voted),
            can_change_status=permissions.can_change_status(viewer, poll),
            can_export=permissions.can_export(viewer, poll),
        )
        if show and poll.type == Poll.Type.NUMBER and total:
            view.average = round(sum(int(o.option.text) * o.votes for o in options) / total, 1)
        views.append(view)
    _attach_ranked_outcomes([v for v in views if v.show_results])
    _attach_voters([v for v in views if v.show_voters])
    return views


def _attach_ranked_outcomes(views: list[PollView]) -> None:
    ranked = {v.poll.pk: v for v in views if v.poll.type == Poll.Type.RANKED_CHOICE}
    if not ranked:
        return
    ballots: dict[int, dict[int, list[tuple[int, int]]]] = {pk: {} for pk in ranked}
    for poll_id, user_id, option_id, rank in PollVote.objects.filter(
        poll_id__in=list(ranked)
    ).values_list("poll_id", "user_id", "option_id", "rank"):
        ballots[poll_id].setdefault(user_id, []).append((rank, option_id))
    for poll_id, view in ranked.items():
        papers = [[o for _r, o in sorted(b)] for b in ballots[poll_id].values()]
        view.outcome = instant_runoff(papers, [o.option.pk for o in view.options])


def _attach_voters(views: list[PollView]) -> None:
    """Adults' names in public polls; members under 18 are never named, only counted."""
    if not views:
        return
    by_option = {o.option.pk: o for v in views for o in v.options}
    named = permissions.named_voters(
        PollVote.objects.filter(poll__in=[v.poll for v in views])
    ).order_by("created_at", "pk")
    for option_id, name in named.values_list("option_id", "user__display_name"):
        by_option[option_id].voters.append(name)
    for option in by_option.values():
        option.others = max(option.votes - len(option.voters), 0)


def _polls_of(post_ids: list[int]) -> list[Poll]:
    polls = list(
        Poll.objects.filter(post_id__in=post_ids)
        .prefetch_related(
            Prefetch(
                "options", queryset=PollOption.objects.order_by("position"), to_attr="option_list"
            )
        )
        .order_by("post_id", "pk")
    )
    return polls


def polls_for_posts(*, viewer, posts: list[Post]) -> dict[int, list[PollView]]:
    """What this member sees of each post's polls; the posts were read through the forum's rule."""
    with_polls = {p.pk: p for p in posts if has_polls(p)}
    if not with_polls:
        return {}
    polls = _polls_of(list(with_polls))
    for poll in polls:
        poll.post = with_polls[poll.post_id]
    result: dict[int, list[PollView]] = {}
    for view in _views(viewer, polls):
        result.setdefault(view.poll.post_id, []).append(view)
    return result


def get_poll(*, viewer, post_id: int, name: str) -> Poll:
    """The poll if this viewer may read its post; 404 otherwise."""
    if not 0 < post_id < 2**63:  # beyond any id: the database would refuse the number
        raise Http404("No such poll")
    poll = (
        Poll.objects.select_related("post__thread__space", "post__thread__topic", "post__author")
        .filter(post_id=post_id, name=name)
        .first()
    )
    if poll is None or not permissions.can_read_poll(viewer, poll):
        raise Http404("No such poll")
    return poll


def poll_view(*, viewer, poll: Poll) -> PollView:
    poll.option_list = list(poll.options.order_by("position"))
    return _views(viewer, [poll])[0]


def _cell(value) -> str:
    """A spreadsheet cell that can never be read as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def results_csv(*, viewer, poll: Poll) -> str:
    """The results as CSV for staff: counts per option, and for public polls one row per adult
    voter; a member under 18 is never named, here or anywhere."""
    if not permissions.can_export(viewer, poll):
        raise Http404("No such poll")
    view = poll_view(viewer=viewer, poll=poll)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["poll", "option", "votes" if poll.type != Poll.Type.RANKED_CHOICE else "first preferences"]
    )
    for o in view.options:
        writer.writerow([_cell(poll.name), _cell(o.option.text), o.option.votes])
    if view.outcome:
        winner = view.winner.option.text if view.winner else "tie"
        writer.writerow([])
        writer.writerow(
            ["instant-runoff winner", _cell(winner), f"{len(view.outcome.rounds)} round(s)"]
        )
    if poll.public and permissions.allows_public_polls(poll.post.thread.space):
        writer.writerow([])
        writer.writerow(["option", "voter", "rank"])
        named = permissions.named_voters(PollVote.objects.filter(poll=poll)).order_by(
            "option__position", "created_at", "pk"
        )
        for text, name, rank in named.values_list("option__text", "user__display_name", "rank"):
            writer.writerow([_cell(text), _cell(name), rank or ""])
    return out.getvalue()


def readable_post(*, viewer, post_id: int) -> Post:
    post = Post.objects.select_related("thread__space", "author").filter(pk=post_id).first()
    if post is None or not forum_permissions.can_read_post(viewer, post):
        raise Http404("No such post")
    return post


def member_votes_for_export(user) -> list[dict]:
    """The member's own votes for "download my data": which poll, where, what they chose.

    Only their choices: other members' votes are theirs. The thread is named by title even if
    the member can no longer read it (they took part in it).
    """
    rows = (
        PollVote.objects.filter(user=user)
        .select_related("poll__post__thread", "option")
        .order_by("created_at", "pk")
    )
    return [
        {
            "poll": vote.poll.name,
            "poll_title": vote.poll.title,
            "thread_title": vote.poll.post.thread.title,
            "post_id": vote.poll.post_id,
            "option": vote.option.text,
            "rank": vote.rank or None,
            "voted_at": vote.created_at,
        }
        for vote in rows
    ]
