"""Webhooks as Discourse sends them: signed, retried, refused for private addresses, and
never carrying what their owner may not see."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from community.forum import actions as forum_actions
from community.forum.models import Membership
from community.library import actions as library_actions
from community.moderation import actions as moderation_actions
from community.supportline import actions as supportline_actions
from community.training import actions as training_actions
from tests.factories import (
    make_moderator,
    make_thread,
    make_user,
    national,
    premoderated_space,
    private_group,
)
from tests.supportline.builders import make_supportline_staff, request_data, topic
from tests.training.builders import make_event
from webhooks import actions
from webhooks.delivery import retry_due
from webhooks.models import Delivery, EventGroup

pytestmark = pytest.mark.django_db

SECRET = "a-long-enough-shared-secret"


def hook(receiver, *, actor=None, owner=None, groups=EventGroup.values, **kw):
    actor = actor or make_user(role="staff")
    return actions.create_webhook(
        actor=actor, payload_url=receiver.url, secret=SECRET, event_groups=groups,
        owner=owner or actor, **kw,
    )  # fmt: skip


def assert_signed(received) -> None:
    expected = hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Discourse-Event-Signature"] == f"sha256={expected}"
    assert received.headers["Content-Type"] == "application/json"
    delivery = Delivery.objects.get(pk=int(received.headers["X-Discourse-Event-Id"]))
    assert delivery.state == Delivery.State.DELIVERED and delivery.response_status == 200
    assert received.headers["X-Discourse-Event-Type"] == delivery.event_type


def test_each_event_type_reaches_the_receiver_signed(receiver, committed, settings):
    settings.NEW_MEMBER_POSTS_HELD = 0
    staff = make_supportline_staff()
    moderator = make_moderator()
    hook(receiver, actor=staff)
    author = make_user(username="writer", display_name="Wendy Writer")
    with committed():
        thread = make_thread(author=author, space=national(), title="Weekend peer support cover")
    with committed():
        forum_actions.create_post(author=moderator, thread=thread, source="A reply with detail")
    with committed():
        moderation_actions.flag_post(
            flagger=moderator, post=thread.posts.get(number=1), reason="off_topic"
        )
    with committed():
        moderation_actions.suspend_user(
            moderator=moderator, user=author, until=timezone.now() + timedelta(days=1),
            reason="Repeated spam",
        )  # fmt: skip
    with committed():
        resource = library_actions.create_resource(
            actor=staff, title="A guide to weekend cover", summary="How hubs staff weekends.",
            source="## What it is\n\nA guide.",
        )  # fmt: skip
        library_actions.submit_for_review(actor=staff, resource=resource, reviewers=[moderator])
        library_actions.review_resource(actor=moderator, resource=resource, approve=True)
        library_actions.publish_resource(actor=staff, resource=resource)
    with committed():
        training_actions.register_for_event(user=moderator, event=make_event())
    with committed():
        supportline_actions.submit_request(
            requester=make_user(role="commissioner"), data=request_data(), topics=[topic()]
        )

    for name in ["topic_created", "post_created", "flag_created", "user_suspended",
                 "library_resource_published", "event_registration_created",
                 "supportline_status_changed"]:  # fmt: skip
        deliveries = [r for r in receiver.received if r.headers["X-Discourse-Event"] == name]
        assert deliveries, name
        for received in deliveries:
            assert_signed(received)
    topic_payload = receiver.named("topic_created").json["topic"]
    assert topic_payload["title"] == "Weekend peer support cover"
    replies = [r.json["post"] for r in receiver.received if r.json.get("post")]
    assert [p["post_number"] for p in replies] == [1, 2]
    assert replies[0]["username"] == "writer" and replies[1]["raw"] == "A reply with detail"
    assert receiver.named("user_suspended").json["user"]["username"] == "writer"


def test_a_failed_delivery_is_retried_with_backoff_then_delivered(receiver, committed):
    receiver.statuses = [500]
    hook(receiver, groups=[EventGroup.TOPIC])
    with committed():
        make_thread(title="A thread the receiver first refuses")
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.RETRYING and delivery.response_status == 500
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert retry_due() == 0  # not due yet

    assert retry_due(now=timezone.now() + timedelta(minutes=2)) == 1
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED and delivery.attempts == 2
    assert len(receiver.received) == 2
    # The same event id and the same signed bytes both times, so a receiver can de-duplicate.
    first, second = receiver.received
    assert first.body == second.body
    assert first.headers["X-Discourse-Event-Id"] == second.headers["X-Discourse-Event-Id"]


def test_delivery_gives_up_after_the_last_retry(receiver, committed):
    from webhooks.delivery import MAX_ATTEMPTS

    receiver.statuses = [503] * MAX_ATTEMPTS
    hook(receiver, groups=[EventGroup.TOPIC])
    with committed():
        make_thread()
    later = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        later += timedelta(days=1)
        retry_due(now=later)
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert len(receiver.received) == MAX_ATTEMPTS


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/x",
            "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "ftp://example.org/x"],
)  # fmt: skip
def test_payload_urls_into_private_networks_are_refused(url, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    staff = make_user(role="staff")
    with pytest.raises(ValidationError) as refused:
        actions.create_webhook(actor=staff, payload_url=url, secret=SECRET, event_groups=["post"])
    assert "payload_url" in refused.value.message_dict


def test_the_address_is_checked_again_at_delivery(receiver, committed, settings):
    hook(receiver, groups=[EventGroup.TOPIC])
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with committed():
        make_thread()
    delivery = Delivery.objects.get()
    assert receiver.received == [] and "private network" in delivery.error


def test_only_centre_staff_register_webhooks(receiver):
    from django.core.exceptions import PermissionDenied

    for role in ("practitioner", "moderator", "expert"):
        with pytest.raises(PermissionDenied):
            hook(receiver, actor=make_user(role=role))


def test_nothing_private_goes_out(receiver, committed, settings):
    """A hook seeing as centre staff, hearing everything, still never carries a held or hidden
    post, a minor's identity, a minor's account, a safeguarding concern or a SupportLine
    case's details."""
    settings.FLAG_HIDE_THRESHOLD = 1
    staff = make_user(role="staff")
    moderator = make_moderator()
    hook(receiver, actor=staff)
    secret_words = []

    newcomer = make_user(trust_level=0)
    with committed():  # a new member's first post is held
        held = make_thread(author=newcomer, source="HELD-POST-MARKER waiting")
    secret_words.append("HELD-POST-MARKER")
    assert held.posts.get().status == "held"

    author = make_user()
    with committed():
        thread = make_thread(author=author, title="An ordinary public thread")
    with committed():
        reply = forum_actions.create_post(author=author, thread=thread, source="Soon hidden")
    with committed():
        moderation_actions.flag_post(flagger=moderator, post=reply, reason="inappropriate")
    reply.refresh_from_db()
    assert reply.status == "hidden"
    received_before_edit = len(receiver.received)
    with committed():
        forum_actions.edit_post(editor=moderator, post=reply, source="HIDDEN-POST-MARKER edit")
    secret_words.append("HIDDEN-POST-MARKER")
    assert len(receiver.received) == received_before_edit

    child = make_user(role="young_person", age_band="13-15", username="childname",
                      display_name="Quiet Otter")  # fmt: skip
    young = premoderated_space()
    Membership.objects.get_or_create(user=child, space=young)
    with committed():
        child_thread = make_thread(author=child, space=young, source="What I think of my hub")
    with committed():
        forum_actions.approve_post(moderator=moderator, post=child_thread.posts.get())
    child_post = [r.json["post"] for r in receiver.received
                  if r.json.get("post", {}).get("topic_id") == child_thread.pk][0]  # fmt: skip
    assert child_post["username"] is None and child_post["user_id"] is None
    secret_words += ["childname", "Quiet Otter"]

    with committed():
        moderation_actions.flag_post(
            flagger=moderator, post=thread.posts.get(number=1), reason="safeguarding",
            note="SAFEGUARDING-NOTE-MARKER",
        )  # fmt: skip
    secret_words.append("SAFEGUARDING-NOTE-MARKER")

    with committed():  # staff outside the SupportLine group: no case events at all
        supportline_actions.submit_request(
            requester=make_user(role="commissioner"),
            data=request_data(question="SUPPORTLINE-QUESTION-MARKER about our pathway"),
            topics=[topic()],
        )
    secret_words.append("SUPPORTLINE-QUESTION-MARKER")

    events = receiver.events()
    assert "supportline_status_changed" not in events
    flags = [r.json["flag"]["reason"] for r in receiver.received if "flag" in r.json]
    assert flags == ["inappropriate"]  # the safeguarding concern stays with the leads
    bodies = b"".join(r.body for r in receiver.received).decode()
    for word in secret_words:
        assert word not in bodies, word
    assert str(child.pk) not in [str(r.json.get("user", {}).get("id")) for r in receiver.received]


def test_a_private_region_stays_private_to_a_hook_seeing_as_a_non_member(receiver, committed):
    member = make_user()
    hook(receiver, owner=member, groups=[EventGroup.TOPIC, EventGroup.POST, EventGroup.FLAG])
    with committed():
        private = make_thread(space=private_group(), source="PRIVATE-REGION-MARKER words")
    with committed():
        forum_actions.create_post(author=private.posts.get().author, thread=private,
                                  source="PRIVATE-REGION-MARKER reply")  # fmt: skip
    with committed():
        make_thread(space=national(), title="A public thread is heard")
    assert [r.json.get("topic", {}).get("title") for r in receiver.received
            if "topic" in r.json] == ["A public thread is heard"]  # fmt: skip
    assert b"PRIVATE-REGION-MARKER" not in b"".join(r.body for r in receiver.received)


def test_supportline_staff_hear_only_a_case_reference_and_status(receiver, committed):
    staff = make_supportline_staff()
    hook(receiver, actor=staff, groups=[EventGroup.SUPPORTLINE])
    requester = make_user(role="commissioner", display_name="Rita Requester")
    with committed():
        case = supportline_actions.submit_request(
            requester=requester, data=request_data(question="A confidential question"),
            topics=[topic()],
        )  # fmt: skip
    payload = receiver.named("supportline_status_changed").json["supportline_case"]
    assert payload["reference"] == case.reference and payload["status"] == "new"
    assert "confidential" not in receiver.received[0].body.decode()
    assert "Rita" not in receiver.received[0].body.decode()


def test_a_webhook_scoped_to_spaces_hears_only_those(receiver, committed):
    from tests.factories import regional_group

    hook(receiver, groups=[EventGroup.TOPIC], spaces=[regional_group("london")])
    with committed():
        make_thread(space=national(), title="National thread not heard")
    with committed():
        make_thread(space=regional_group("london"), title="London thread heard")
    assert [r.json["topic"]["title"] for r in receiver.received] == ["London thread heard"]
