"""Discourse Solved's routes: POST /solution/accept.json and /solution/unaccept.json (id=post),
through the forum's accept_answer actions and their one rule."""

from __future__ import annotations

import pytest

from api.models import ApiKey
from community.forum import actions
from community.forum.models import Space, Thread
from notifications.models import Notification
from tests import factories as f

pytestmark = pytest.mark.django_db


def as_member(user) -> dict:
    key = ApiKey(description="test", user=user, scope="write")
    secret = key.set_new_key()
    key.save()
    return {"HTTP_API_KEY": secret, "HTTP_API_USERNAME": user.username}


@pytest.fixture
def question(committed):
    asker = f.make_user(username="asker")
    expert = f.make_user(role="expert", username="expert", display_name="Dr Expert")
    with committed():
        thread = f.make_thread(
            author=asker, space=Space.objects.get(slug="ask-an-expert"),
            title="How do we set up a parenting panel?", source="Where do we start?",
        )  # fmt: skip
        answer = actions.create_post(author=expert, thread=thread, source="Start with a champion.")
    return {"thread": thread, "asker": asker, "expert": expert, "answer": answer}


def test_the_asker_accepts_an_answer_through_the_api(client, question, committed):
    with committed():
        response = client.post(
            "/solution/accept.json", {"id": question["answer"].pk}, **as_member(question["asker"])
        )
    assert response.status_code == 200, response.content
    assert response.json()["post_number"] == question["answer"].number
    assert response.json()["username"] == "expert"
    assert Thread.objects.get(pk=question["thread"].pk).accepted_answer_id == question["answer"].pk
    assert Notification.objects.filter(user=question["expert"], kind="answer_accepted").exists()
    topic = client.get(f"/t/{question['thread'].pk}.json", **as_member(question["asker"])).json()
    assert topic["accepted_answer"]["post_number"] == question["answer"].number


def test_unaccept_opens_the_question_again(client, question, committed):
    actions.accept_answer(actor=question["asker"], post=question["answer"])
    response = client.post(
        "/solution/unaccept.json", {"id": question["answer"].pk}, **as_member(question["asker"])
    )
    assert response.status_code == 200, response.content
    assert Thread.objects.get(pk=question["thread"].pk).accepted_answer_id is None


def test_someone_else_cannot_accept_an_answer(client, question):
    response = client.post(
        "/solution/accept.json", {"id": question["answer"].pk}, **as_member(f.make_user())
    )
    assert response.status_code == 403
    assert Thread.objects.get(pk=question["thread"].pk).accepted_answer_id is None


def test_someone_else_cannot_unaccept_an_answer(client, question):
    actions.accept_answer(actor=question["asker"], post=question["answer"])
    response = client.post(
        "/solution/unaccept.json", {"id": question["answer"].pk}, **as_member(f.make_user())
    )
    assert response.status_code == 403
    assert Thread.objects.get(pk=question["thread"].pk).accepted_answer_id is not None


def test_the_question_itself_is_not_an_answer(client, question):
    first = question["thread"].posts.get(number=1)
    response = client.post(
        "/solution/accept.json", {"id": first.pk}, **as_member(question["asker"])
    )
    assert response.status_code == 422


def test_a_space_without_accepted_answers_refuses(client, committed):
    asker = f.make_user()
    with committed():
        thread = f.make_thread(author=asker, title="A question in the national space")
        reply = actions.create_post(author=f.make_user(), thread=thread, source="An answer")
    response = client.post("/solution/accept.json", {"id": reply.pk}, **as_member(asker))
    assert response.status_code == 403


def test_a_post_in_a_private_space_is_not_found_for_outsiders(client, committed):
    owner = f.make_user()
    with committed():
        thread = f.make_thread(author=owner, space=f.private_group(), title="Private question")
        reply = actions.create_post(author=owner, thread=thread, source="A private answer")
    response = client.post(
        "/solution/accept.json", {"id": reply.pk}, **as_member(f.make_moderator())
    )
    assert response.status_code in (403, 404)
    response = client.post("/solution/accept.json", {"id": reply.pk}, **as_member(f.make_user()))
    assert response.status_code == 404


def test_bad_input_is_a_clear_error(client, question):
    headers = as_member(question["asker"])
    assert client.post("/solution/accept.json", {"id": "x"}, **headers).status_code == 400
    assert client.post("/solution/accept.json", {}, **headers).status_code in (400, 404)
    assert client.get("/solution/accept.json", **headers).status_code == 405
