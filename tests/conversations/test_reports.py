"""Every private message can be reported: a copy goes to the review queue, a moderator hides
it or dismisses the report, and the reporter is told."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.conversations import actions
from community.conversations.models import MessageReport
from community.moderation.models import ModerationLog, ReviewItem
from notifications.models import Notification
from tests.factories import make_moderator

pytestmark = pytest.mark.django_db


@pytest.fixture
def rude(conversation, other_adult):
    """Bram's reply, which Adele reports."""
    return conversation.messages.get(author=other_adult)


def _report(client, conversation, message, reason="inappropriate", note=""):
    return client.post(
        reverse("conversations:report", args=[conversation.pk, message.pk]),
        {"reason": reason, "note": note},
    )


def test_report_puts_a_snapshot_in_the_queue_not_the_conversation(
    client, committed, conversation, rude, adult, other_adult, moderator
):
    client.force_login(adult)
    assert (
        client.get(reverse("conversations:report", args=[conversation.pk, rude.pk])).status_code
        == 200
    )
    with committed():
        response = _report(client, conversation, rude, note="Rude to me")
    assert response.status_code == 302
    item = ReviewItem.objects.get(kind="reported_message")
    assert item.state == "pending" and item.user == other_adult
    assert item.snapshot["message_id"] == rude.pk
    assert item.snapshot["conversation_id"] == conversation.pk
    assert item.snapshot["text"] == rude.source
    assert item.snapshot["sender"] == "Bram Commissioner"
    client.force_login(moderator)
    queue = client.get(reverse("moderation:queue")).content.decode()
    assert "The parish **transport** fund." in queue and "Rude to me" in queue
    # The rest of the conversation stays private, and its page is still a 404.
    assert "Which council fund" not in queue
    assert client.get(conversation.get_absolute_url()).status_code == 404


def test_hide_decision_hides_the_message_and_tells_the_reporter_and_author(
    client, committed, conversation, rude, adult, other_adult, moderator
):
    with committed():
        actions.report_message(reporter=adult, message=rude, reason="inappropriate")
    item = ReviewItem.objects.get(kind="reported_message")
    client.force_login(moderator)
    with committed():
        response = client.post(
            reverse("moderation:decide", args=[item.pk]), {"decision": "hide", "reason": "Rude"}
        )
    assert response.status_code == 302
    item.refresh_from_db()
    rude.refresh_from_db()
    assert item.state == "hidden" and rude.hidden_by == moderator and rude.is_hidden
    assert MessageReport.objects.get().outcome == "agreed"
    for participant in (adult, other_adult):
        client.force_login(participant)
        page = client.get(conversation.get_absolute_url()).content.decode()
        assert "A moderator hid this message." in page
        assert "transport" not in page
    told = Notification.objects.get(user=adult, kind="message_report_outcome")
    assert "agreed and hid it" in told.data["outcome"]
    assert told.data["url"] == f"{conversation.get_absolute_url()}#message-{rude.pk}"
    assert Notification.objects.filter(user=other_adult, kind="message_hidden").exists()
    assert ModerationLog.objects.filter(action="review.hide", target_type="reviewitem").exists()


def test_dismiss_leaves_the_message_and_tells_the_reporter(
    committed, conversation, rude, adult, moderator
):
    from community.moderation import actions as moderation_actions

    with committed():
        actions.report_message(reporter=adult, message=rude, reason="spam")
        moderation_actions.resolve_review_item(
            moderator=moderator, item=ReviewItem.objects.get(), decision="dismiss"
        )
    rude.refresh_from_db()
    assert not rude.is_hidden
    assert MessageReport.objects.get().outcome == "disagreed"
    told = Notification.objects.get(user=adult, kind="message_report_outcome")
    assert "left it" in told.data["outcome"]


def test_only_hide_or_dismiss_fit_a_reported_message(
    committed, conversation, rude, adult, moderator
):
    from community.moderation import actions as moderation_actions

    actions.report_message(reporter=adult, message=rude, reason="spam")
    with pytest.raises(ValidationError):
        moderation_actions.resolve_review_item(
            moderator=moderator, item=ReviewItem.objects.get(), decision="delete"
        )


def test_safeguarding_report_hides_at_once_and_alerts_the_leads(
    client, committed, conversation, rude, adult, other_adult, moderator
):
    lead = make_moderator(username="dsl", is_safeguarding_lead=True)
    client.force_login(adult)
    with committed():
        _report(client, conversation, rude, reason="safeguarding", note="I am worried")
    rude.refresh_from_db()
    assert rude.is_hidden and rude.hidden_by is None
    item = ReviewItem.objects.get()
    assert item.priority == ReviewItem.Priority.SAFEGUARDING
    alert = Notification.objects.get(user=lead, kind="message_safeguarding")
    assert alert.data["url"].startswith("/mod/safeguarding/")
    assert "transport" not in str(alert.data)  # never the words of the message
    assert not Notification.objects.filter(user=moderator, kind="message_safeguarding").exists()
    client.force_login(other_adult)
    assert (
        "hidden while a moderator looks at it"
        in client.get(conversation.get_absolute_url()).content.decode()
    )
    # A moderator who finds nothing wrong puts it back.
    from community.moderation import actions as moderation_actions

    with committed():
        moderation_actions.resolve_review_item(moderator=lead, item=item, decision="dismiss")
    rude.refresh_from_db()
    assert not rude.is_hidden


def test_second_report_joins_the_same_queue_item(
    committed, conversation, rude, adult, centre_staff
):
    third = conversation
    from community.conversations.models import Participant

    Participant.objects.create(conversation=third, user=centre_staff)
    actions.report_message(reporter=adult, message=rude, reason="spam")
    actions.report_message(reporter=centre_staff, message=rude, reason="personal_info")
    item = ReviewItem.objects.get()
    assert len(item.snapshot["reports"]) == 2 and item.priority == ReviewItem.Priority.HIGH
    with pytest.raises(ValidationError, match="already reported"):
        actions.report_message(reporter=adult, message=rude, reason="spam")


def test_own_messages_and_outsiders_cannot_report(
    client, conversation, rude, other_adult, outsider
):
    with pytest.raises(ValidationError, match="your own"):
        actions.report_message(reporter=other_adult, message=rude, reason="spam")
    with pytest.raises(PermissionDenied):
        actions.report_message(reporter=outsider, message=rude, reason="spam")
    client.force_login(other_adult)
    response = client.get(reverse("conversations:report", args=[conversation.pk, rude.pk]))
    assert response.status_code == 400 and "cannot report your own" in response.content.decode()
    assert not ReviewItem.objects.exists()


def test_something_else_needs_a_note_and_the_form_says_so(client, conversation, rude, adult):
    client.force_login(adult)
    response = _report(client, conversation, rude, reason="other")
    assert (
        response.status_code == 400
        and "Tell the moderators what is wrong" in response.content.decode()
    )


def test_moderation_never_imports_conversations():
    imports = re.compile(
        r"^\s*(from|import)\s+community(\.conversations|\s+import\s+.*conversations)", re.M
    )
    root = Path(__file__).resolve().parents[2] / "community" / "moderation"
    for path in root.rglob("*.py"):
        assert not imports.search(path.read_text()), path


def test_a_message_concern_gets_the_record_page_and_trail_posts_get_for_leads_and_staff_only(
    client, committed, conversation, rude, adult, other_adult, moderator, centre_staff
):
    from community.accounts.models import Region
    from community.moderation.models import SafeguardingConcern
    from tests.factories import make_user

    # A designated safeguarding lead who is not a moderator: the review queue is not theirs.
    lead = make_user(username="dsl-practitioner", is_safeguarding_lead=True)
    with committed():
        actions.report_message(
            reporter=adult, message=rude, reason="safeguarding", note="He asked where she lives"
        )
    concern = SafeguardingConcern.objects.get()
    assert concern.post is None and concern.author == other_adult
    assert concern.message_snapshot["text"] == rude.source
    assert ModerationLog.objects.filter(
        action="safeguarding.raised", target_type="safeguardingconcern", target_id=concern.pk
    ).exists()
    alert = Notification.objects.get(user=lead, kind="message_safeguarding")
    page_url = reverse("moderation:concern", args=[concern.pk])
    assert alert.data["url"] == page_url
    for person in (lead, centre_staff):
        client.force_login(person)
        page = client.get(page_url)
        assert page.status_code == 200 and "transport" in page.content.decode()
        assert "Private message from" in client.get(reverse("moderation:concerns")).content.decode()
    client.force_login(lead)
    updated = client.post(page_url, {"state": "escalated", "referral": "mash", "note": "Referred"})
    assert updated.status_code == 302
    assert ModerationLog.objects.filter(
        action="safeguarding.updated", target_id=concern.pk
    ).exists()
    refused = {
        "a moderator who is not a lead": moderator,
        "the reporter": adult,
        "a member": make_user(),
        "a minor": make_user(role="young_person", age_band="13-15"),
        "a member of another region": make_user(home_region=Region.objects.get(slug="london")),
    }
    for who, person in refused.items():
        client.force_login(person)
        for url in (page_url, reverse("moderation:concerns")):
            response = client.get(url)
            assert response.status_code == 404, (who, url)
            assert "transport" not in response.content.decode()
    client.logout()
    assert client.get(page_url).status_code == 302
