"""Accepted answers in the shapes Discourse's Solved plugin gives topics and posts.

Kept apart from the serialisers so they call one function each and stay easy to merge.
"""

from __future__ import annotations

from community.forum import permissions
from community.forum.models import Post, Thread


def _space_known(thread: Thread) -> bool:
    # Lists load posts with their thread but not its space: asking would be a query per post.
    return Thread.space.is_cached(thread)


def topic_list_fields(thread: Thread) -> dict:
    return {
        "has_accepted_answer": thread.accepted_answer_id is not None,
        "can_have_answer": thread.space.accepted_answers if _space_known(thread) else None,
    }


def post_fields(p: Post, *, viewer, thread: Thread) -> dict:
    may_choose = _space_known(thread) and permissions.can_accept_answer(viewer, thread)
    is_answer = thread.accepted_answer_id == p.pk
    return {
        "accepted_answer": is_answer,
        "topic_accepted_answer": thread.accepted_answer_id is not None,
        "can_accept_answer": may_choose and not is_answer and permissions.is_answerable_reply(p),
        "can_unaccept_answer": may_choose and is_answer,
    }


def topic_fields(thread: Thread, *, viewer) -> dict:
    """The topic's `accepted_answer`: the chosen reply, if this viewer may read it."""
    from community.forum import selectors

    answer = selectors.accepted_answer(viewer=viewer, thread=thread)
    if answer is None:
        return {"accepted_answer": None, "has_accepted_answer": False}
    return {
        "has_accepted_answer": True,
        "accepted_answer": {
            "post_number": answer.number,
            "username": answer.author.username,
            "name": answer.author.display_name,
            "excerpt": answer.text[:300],
        },
    }
