"""Polls in the shapes of Discourse's poll plugin: `polls` and `polls_votes` on posts,
`PUT /polls/vote` and `PUT /polls/toggle_status`. Its own module and URL lines, so the rest
of the API changes without touching it.

What a reader sees goes through the polls' permissions: results only where they may see
them, and voters' names only in public polls, never a member under 18's.
"""

from __future__ import annotations

import json

from django.http import QueryDict

from community.forum.models import Post
from community.polls import actions, selectors
from community.polls.models import Poll

from .http import ApiError, endpoint


def _poll(view: selectors.PollView) -> dict:
    poll = view.poll
    data = {
        "name": poll.name,
        "type": poll.type,
        "status": poll.status,
        "public": poll.public,
        "results": poll.results,
        "title": poll.title or None,
        "close": poll.close_at.isoformat().replace("+00:00", "Z") if poll.close_at else None,
        "min": poll.min_choices,
        "max": poll.max_choices,
        "step": poll.step,
        "chart_type": "bar",
        "voters": poll.voter_count,
        "options": [],
    }
    for o in view.options:
        option = {"id": str(o.option.pk), "html": o.option.html}
        if view.show_results:
            option["votes"] = o.votes
        data["options"].append(option)
    if view.show_voters:
        data["preloaded_voters"] = {
            str(o.option.pk): [{"name": name} for name in o.voters] for o in view.options
        }
    if view.outcome is not None:
        data["ranked_choice_outcome"] = {
            "winner": bool(view.outcome.winner),
            "winning_candidate": (
                {"digest": str(view.winner.option.pk), "html": view.winner.option.html}
                if view.winner else None
            ),
            "round_activity": [
                {"round": r.number, "eliminated": [str(o) for o in r.eliminated]}
                for r in view.outcome.rounds
            ],
        }  # fmt: skip
    return data


def _votes(view: selectors.PollView) -> list[str]:
    chosen = [o for o in view.options if o.chosen]
    chosen.sort(key=lambda o: o.rank or 0)
    return [str(o.option.pk) for o in chosen]


POST_FIELDS = ("polls", "polls_votes")


def post_fields(posts: list[Post], viewer) -> dict[int, dict]:
    """`polls` and `polls_votes` for the posts that have polls, read in one batch (no query
    when none has): registered with the serialisers in apps.py."""
    views = selectors.polls_for_posts(viewer=viewer, posts=posts)
    return {
        pk: {
            "polls": [_poll(v) for v in found],
            "polls_votes": {v.poll.name: _votes(v) for v in found if v.has_voted},
        }
        for pk, found in views.items()
        if found
    }


def _data(request) -> QueryDict | dict:
    if request.content_type == "application/json":
        try:
            return json.loads(request.body or b"{}")
        except ValueError:
            raise ApiError(400, "invalid_parameters", "The body is not valid JSON.") from None
    return QueryDict(request.body, encoding="utf-8")


def _find(request, viewer, data) -> Poll:
    try:
        post_id = int(data.get("post_id"))
    except (TypeError, ValueError):
        raise ApiError(422, "invalid_parameters", "post_id must be a post id.") from None
    return selectors.get_poll(viewer=viewer, post_id=post_id, name=data.get("poll_name") or "poll")


def _list(data, key: str) -> list:
    if isinstance(data, dict):
        value = data.get(key, data.get(key + "[]", []))
        return value if isinstance(value, list) else [value]
    return data.getlist(key + "[]") or data.getlist(key)


@endpoint("PUT", write=True)
def vote(request, viewer):
    """Vote (or change a vote): options are option ids, most preferred first when ranked."""
    data = _data(request)
    poll = _find(request, viewer, data)
    raw = _list(data, "options")
    try:
        option_ids = [int(o["digest"] if isinstance(o, dict) else o) for o in raw]
    except (KeyError, TypeError, ValueError):
        raise ApiError(
            422, "invalid_parameters", "options must be the poll's option ids."
        ) from None
    actions.cast_vote(voter=viewer, poll=poll, option_ids=option_ids)
    view = selectors.poll_view(viewer=viewer, poll=selectors.get_poll(
        viewer=viewer, post_id=poll.post_id, name=poll.name))  # fmt: skip
    return {"poll": _poll(view), "vote": _votes(view)}


@endpoint("PUT", write=True)
def toggle_status(request, viewer):
    data = _data(request)
    poll = _find(request, viewer, data)
    status = data.get("status")
    if status not in ("open", "closed"):
        raise ApiError(422, "invalid_parameters", "status must be open or closed.")
    actions.set_poll_status(actor=viewer, poll=poll, closed=status == "closed")
    view = selectors.poll_view(viewer=viewer, poll=selectors.get_poll(
        viewer=viewer, post_id=poll.post_id, name=poll.name))  # fmt: skip
    return {"poll": _poll(view)}
