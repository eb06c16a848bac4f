"""A private message through the API as Discourse has it: `GET /t/{id}.json` for its
participants only, and a reply with `POST /posts.json` and its `topic_id`."""

from __future__ import annotations

import pytest

from api.models import ApiKey
from api.views_messages import PM_TOPIC_BASE
from community.conversations.actions import leave_conversation, report_message, start_conversation
from community.conversations.models import Message
from tests import factories as f

pytestmark = pytest.mark.django_db
SECRET = "Words only the two of them share"


def as_member(user) -> dict:
    key = ApiKey(description="test", user=user, scope="write")
    secret = key.set_new_key()
    key.save()
    return {"HTTP_API_KEY": secret, "HTTP_API_USERNAME": user.username}


@pytest.fixture
def pm(committed):
    alice = f.make_user(username="alice")
    bob = f.make_user(username="bob")
    with committed():
        conversation = start_conversation(
            sender=alice, recipients=[bob], subject="About the hub day", source=SECRET
        )
    return {"alice": alice, "bob": bob, "conversation": conversation,
            "topic_id": PM_TOPIC_BASE + conversation.pk}  # fmt: skip


def test_a_participant_reads_the_message_as_a_discourse_topic(client, pm):
    response = client.get(f"/t/{pm['topic_id']}.json", **as_member(pm["bob"]))
    assert response.status_code == 200, response.content
    topic = response.json()
    assert topic["archetype"] == "private_message"
    assert topic["title"] == "About the hub day"
    assert [p["cooked"] for p in topic["post_stream"]["posts"]] == [f"<p>{SECRET}</p>\n"]
    assert topic["post_stream"]["posts"][0]["username"] == "alice"
    assert topic["details"]["can_create_post"] is True
    names = {p["username"] for p in topic["details"]["participants"]}
    assert names == {"alice", "bob"}


def test_a_message_is_read_as_a_post_by_participants_only(client, pm):
    message = pm["conversation"].messages.get()
    url = f"/posts/{PM_TOPIC_BASE + message.pk}.json"
    response = client.get(url, **as_member(pm["bob"]))
    assert response.status_code == 200, response.content
    assert (response.json()["raw"], response.json()["post_number"]) == (SECRET, 1)
    for other in (f.make_user(), f.make_moderator()):
        assert client.get(url, **as_member(other)).status_code == 404


def test_the_inbox_gives_the_id_the_topic_is_read_by(client, pm):
    listing = client.get("/topics/private-messages/bob.json", **as_member(pm["bob"])).json()
    [item] = listing["topic_list"]["topics"]
    assert item["id"] == pm["topic_id"]
    assert client.get(f"/t/{item['id']}.json", **as_member(pm["bob"])).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "moderator", "staff", "visitor"])
def test_nobody_else_reads_a_private_message(client, pm, who):
    headers = {}
    if who != "visitor":
        role = {"outsider": "practitioner", "moderator": "moderator", "staff": "staff"}[who]
        headers = as_member(f.make_user(role=role))
    response = client.get(f"/t/{pm['topic_id']}.json", **headers)
    assert response.status_code == 404
    assert SECRET not in response.content.decode()


def test_a_thread_with_the_conversations_own_number_is_still_the_thread(client, pm, committed):
    with committed():
        thread = f.make_thread(author=pm["alice"], title="A public thread about hubs")
    response = client.get(f"/t/{thread.pk}.json", **as_member(pm["bob"]))
    assert response.json()["title"] == "A public thread about hubs"


def test_a_participant_replies_with_the_topic_id(client, pm, committed):
    with committed():
        response = client.post(
            "/posts.json", {"topic_id": pm["topic_id"], "raw": "Thank you, see you there"},
            **as_member(pm["bob"]),
        )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["topic_id"] == pm["topic_id"]
    assert response.json()["post_number"] == 2
    reply = Message.objects.get(conversation=pm["conversation"], author=pm["bob"])
    assert reply.source == "Thank you, see you there"
    assert response.json()["id"] == PM_TOPIC_BASE + reply.pk
    topic = client.get(f"/t/{pm['topic_id']}.json", **as_member(pm["alice"])).json()
    assert len(topic["post_stream"]["stream"]) == 2


def test_an_outsider_cannot_reply_to_a_private_message(client, pm):
    response = client.post(
        "/posts.json", {"topic_id": pm["topic_id"], "raw": "Let me in on this"},
        **as_member(f.make_moderator()),
    )  # fmt: skip
    assert response.status_code == 404
    assert not Message.objects.filter(source="Let me in on this").exists()


def test_a_member_who_left_reads_and_writes_no_more(client, pm, committed):
    with committed():
        leave_conversation(user=pm["bob"], conversation=pm["conversation"])
    headers = as_member(pm["bob"])
    assert client.get(f"/t/{pm['topic_id']}.json", **headers).status_code == 404
    response = client.post("/posts.json", {"topic_id": pm["topic_id"], "raw": "Back"}, **headers)
    assert response.status_code == 404


def test_a_reported_message_is_hidden_from_the_api_as_on_the_site(client, pm, committed):
    message = pm["conversation"].messages.get()
    with committed():
        report_message(reporter=pm["bob"], message=message, reason="safeguarding", note="Worried")
    topic = client.get(f"/t/{pm['topic_id']}.json", **as_member(pm["alice"])).json()
    [post] = topic["post_stream"]["posts"]
    assert SECRET not in post["cooked"] and post["hidden"] is True
