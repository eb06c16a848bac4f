"""Accepted answers in the shapes Discourse's Solved plugin gives topics and posts,
registered with the serialisers as field hooks (apps.py); topic lists carry
`has_accepted_answer` from the serialisers themselves."""

from __future__ import annotations

from community.forum import permissions
from community.forum.models import Post, Thread


def _space_known(thread: Thread) -> bool:
    # Lists load posts with their thread but not its space: asking would be a query per post.
    return Thread.space.is_cached(thread)


POST_FIELDS = (
    "accepted_answer", "topic_accepted_answer", "can_accept_answer", "can_unaccept_answer"
)  # fmt: skip
TOPIC_FIELDS = ("accepted_answer", "has_accepted_answer")


def _post_fields(p: Post, *, viewer, thread: Thread) -> dict:
    may_choose = _space_known(thread) and permissions.can_accept_answer(viewer, thread)
    is_answer = thread.accepted_answer_id == p.pk
    return {
        "accepted_answer": is_answer,
        "topic_accepted_answer": thread.accepted_answer_id is not None,
        "can_accept_answer": may_choose and not is_answer and permissions.is_answerable_reply(p),
        "can_unaccept_answer": may_choose and is_answer,
    }


def post_fields(posts: list[Post], viewer) -> dict[int, dict]:
    """Solved's fields on each post whose thread came with it (registered in apps.py)."""
    return {
        p.pk: _post_fields(p, viewer=viewer, thread=p.thread)
        for p in posts
        if Post.thread.is_cached(p)
    }


def topic_fields(threads: list[Thread], viewer, *, author_of) -> dict[int, dict]:
    """Each topic's `accepted_answer`: the chosen reply, if this viewer may read it, its author
    named only as the members' privacy rule allows (a child is not named to adults). One
    query for a whole list."""
    from community.forum import selectors

    answers = selectors.accepted_answers(viewer=viewer, threads=threads)
    fields = {}
    for thread in threads:
        answer = answers.get(thread.pk)
        if answer is None:
            fields[thread.pk] = {"accepted_answer": None, "has_accepted_answer": False}
            continue
        who = author_of(viewer, answer.author)
        fields[thread.pk] = {
            "has_accepted_answer": True,
            "accepted_answer": {
                "post_number": answer.number,
                "username": who["username"],
                "name": who["name"],
                "excerpt": answer.text[:300],
            },
        }
    return fields
