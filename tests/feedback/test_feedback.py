"""Feedback from families: received, screened like a post, reviewed by staff, turned into a
thread crediting only those who consented, counted for the dashboard with small numbers hidden."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.accounts.models import LocalAuthority, Region
from community.feedback import actions, selectors
from community.feedback.models import FeedbackResponse
from community.forum.models import Topic
from community.moderation.models import ModerationLog
from notifications.models import Notification
from tests.factories import make_moderator, make_user, national

pytestmark = pytest.mark.django_db


def _submit(**fields) -> FeedbackResponse:
    values = {"author": None, "who": "parent_carer", "need": "More evening sessions please",
              "client_key": "203.0.113.9"}  # fmt: skip
    values.update(fields)
    return actions.submit_feedback(**values)


def test_a_visitor_can_tell_us_without_an_account(client):
    page = client.get(reverse("feedback:tell_us"))
    assert page.status_code == 200
    assert b"Childline" in page.content  # the crisis banner
    camden = LocalAuthority.objects.get(name="Camden")
    response = client.post(
        reverse("feedback:tell_us"),
        {"who": "young_person", "worked": "The youth club on Fridays", "region": camden.region_id,
         "local_authority": camden.pk},
    )  # fmt: skip
    assert response.status_code == 302
    saved = FeedbackResponse.objects.get()
    assert (saved.author, saved.status, saved.local_authority) == (None, "new", camden)


def test_an_empty_form_is_refused_with_a_clear_reason(client):
    response = client.post(reverse("feedback:tell_us"), {"who": "parent_carer"})
    assert response.status_code == 400
    assert b"Tell us at least one thing" in response.content


def test_the_honeypot_keeps_nothing(client):
    response = client.post(
        reverse("feedback:tell_us"), {"who": "parent_carer", "need": "spam", "website": "x"}
    )
    assert response.status_code == 302
    assert not FeedbackResponse.objects.exists()


def test_visitors_are_rate_limited_by_address():
    for _ in range(actions.PER_HOUR):
        _submit()
    with pytest.raises(ValidationError, match="a lot in the last hour"):
        _submit()


def test_personal_details_hold_the_response():
    held = _submit(need="Call me on 07700 900123 about my son")
    assert held.status == "held"
    assert "phone number" in held.held_reasons[0]


def test_safeguarding_words_flag_the_response_and_alert_the_leads(committed):
    lead = make_user(is_safeguarding_lead=True)
    with committed():
        flagged = _submit(not_worked="I feel unsafe at home and nobody listens")
    assert flagged.safeguarding
    alert = Notification.objects.get(user=lead, kind="feedback_safeguarding")
    assert alert.data["url"] == reverse("feedback:response", args=[flagged.pk])


def test_a_safeguarding_lead_who_is_not_staff_can_open_the_flagged_response(client):
    flagged = _submit(not_worked="I feel unsafe at home and nobody listens")
    client.force_login(make_user(is_safeguarding_lead=True))
    page = client.get(reverse("feedback:response", args=[flagged.pk]))
    assert page.status_code == 200 and b"unsafe at home" in page.content


def test_the_inbox_is_for_moderators_and_staff_only(client):
    _submit()
    client.force_login(make_user())
    assert client.get(reverse("feedback:inbox")).status_code == 404
    client.force_login(make_moderator())
    assert b"More evening sessions" in client.get(reverse("feedback:inbox")).content


def test_staff_tag_and_review_a_response_logged():
    response = _submit()
    moderator = make_moderator()
    topic = Topic.objects.order_by("pk").first()
    actions.review_feedback(actor=moderator, response=response, status="reviewed",
                            practice_topics=[topic])  # fmt: skip
    assert list(response.practice_topics.all()) == [topic]
    assert ModerationLog.objects.filter(action="feedback.reviewed", target_id=response.pk).exists()
    with pytest.raises(PermissionDenied):
        actions.review_feedback(actor=make_user(), response=response, status="archived")


def test_a_thread_from_feedback_credits_only_those_who_consented():
    named = _submit(need="A quiet room to feed my baby", credit_consent=True, credit_name="Priya")
    anonymous = _submit(worked="Stay and play", credit_name="Should Not Show")
    held = _submit(need="Ring 07700 900123")
    moderator = make_moderator()
    topic = Topic.objects.order_by("pk").first()
    with pytest.raises(ValidationError, match="Held"):
        actions.start_discussion_from_feedback(
            actor=moderator, responses=[named, held], space=national(), topic=topic,
            title="What families told us this month",
        )  # fmt: skip
    thread = actions.start_discussion_from_feedback(
        actor=moderator, responses=[named, anonymous], space=national(), topic=topic,
        title="What families told us this month", intro="Here is what you said.",
    )  # fmt: skip
    text = thread.posts.get(number=1).text
    assert "A quiet room to feed my baby" in text and "Priya" in text
    assert "Stay and play" in text and "Should Not Show" not in text
    assert "A parent or carer" in text
    named.refresh_from_db()
    assert named.used_in_thread == thread


def test_dashboard_counts_suppress_numbers_under_five():
    london = Region.objects.get(slug="london")
    topic = Topic.objects.order_by("pk").first()
    for i in range(5):
        _submit(region=london, topic=topic, client_key=f"10.0.0.{i}")
    _submit(region=Region.objects.get(slug="north-east"), topic=topic, client_key="10.0.1.1")
    counts = {(c.topic, c.region): c.count for c in selectors.feedback_counts()}
    assert counts[(topic.name, "London")] == 5
    assert counts[(topic.name, "North East")] is None
    by_topic = selectors.feedback_counts(by=("topic",))
    assert by_topic[0].count == 6


def test_responses_quoted_in_a_library_resource_credit_only_by_consent(client):
    from community.library import actions as library_actions
    from tests.library.conftest import publish, resource_fields

    owner = make_moderator()
    resource = publish(
        library_actions.create_resource(actor=owner, **resource_fields()),
        owner=owner, reviewer=make_user(role="expert"),
    )  # fmt: skip
    named = _submit(need="Somewhere to sit with a buggy", credit_consent=True, credit_name="Sam")
    quiet = _submit(worked="Friendly staff at the door", credit_name="Hidden Name")
    held = _submit(need="Ring 07700 900123")
    with pytest.raises(ValidationError):
        actions.add_to_resource(actor=owner, responses=[held], resource=resource)
    with pytest.raises(PermissionDenied):
        actions.add_to_resource(actor=make_user(), responses=[named], resource=resource)
    response = client.post(
        reverse("feedback:add_to_resource"),
        {"responses": [named.pk, quiet.pk], "resource": resource.pk},
    )
    assert response.status_code == 302  # anonymous: to sign in
    client.force_login(owner)
    response = client.post(
        reverse("feedback:add_to_resource"),
        {"responses": [named.pk, quiet.pk], "resource": resource.pk},
    )
    assert response.status_code == 302
    client.force_login(make_user())
    page = client.get(resource.get_absolute_url()).content.decode()
    assert "What families said" in page
    assert "Somewhere to sit with a buggy" in page and "Sam" in page
    assert "Friendly staff at the door" in page and "Hidden Name" not in page
