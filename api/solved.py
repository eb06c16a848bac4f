"""Accepted answers in the shapes Discourse's Solved plugin gives topics and posts,
registered with the serialisers as field hooks (apps.py); topic lists carry
`has_accepted_answer` from the serialisers themselves."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from community.forum import actions, permissions, selectors
from community.forum.models import Post, Thread

from . import serializers
from .http import endpoint
from .views import whole_number


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


# Discourse Solved's own routes: POST /solution/accept.json and /solution/unaccept.json with
# `id` (the post), through the forum's actions and their one rule (`can_accept_answer`).


def _readable_post(viewer, data) -> Post:
    return selectors.get_post(viewer=viewer, post_id=whole_number(data.get("id"), "id", minimum=1))


@endpoint("POST", write=True)
def accept(request, viewer):
    """Mark the post as its thread's answer; answers Solved's accepted-answer summary."""
    post = _readable_post(viewer, request.data)
    actions.accept_answer(actor=viewer, post=post)
    who = serializers.author(viewer, post.author)
    return {
        "success": "OK",
        "post_number": post.number,
        "username": who["username"],
        "name": who["name"],
        "excerpt": post.text[:300],
    }


@endpoint("POST", write=True)
def unaccept(request, viewer):
    """Take the answer away from the post's thread (when that post is its answer)."""
    post = _readable_post(viewer, request.data)
    thread = Thread.objects.select_related("space").get(pk=post.thread_id)
    if thread.accepted_answer_id == post.pk:
        actions.unaccept_answer(actor=viewer, thread=thread)
    elif not permissions.can_accept_answer(viewer, thread):
        raise PermissionDenied(_("You cannot choose the answer in this thread."))
    return {"success": "OK"}
