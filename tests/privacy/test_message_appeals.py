"""Appeals cover private messages a moderator hid, as they cover posts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.accounts.models import Region
from community.conversations import actions as conversation_actions
from community.moderation import actions as moderation_actions
from community.moderation.models import ModerationLog, ReviewItem
from community.privacy.models import Appeal
from notifications.models import Notification
from tests.factories import make_moderator, make_user

pytestmark = pytest.mark.django_db


def test_a_member_appeals_a_hidden_message_and_another_moderator_puts_it_back(client, committed):
    author, recipient = make_user(), make_user()
    hider, other_moderator = make_moderator(), make_moderator()
    with committed():
        conversation = conversation_actions.start_conversation(
            sender=author, recipients=[recipient], subject="Funding", source="Ask the council."
        )
        message = conversation.messages.get()
        conversation_actions.report_message(reporter=recipient, message=message, reason="spam")
        moderation_actions.resolve_review_item(
            moderator=hider, item=ReviewItem.objects.get(), decision="hide"
        )
    message.refresh_from_db()
    assert message.is_hidden and message.hidden_by == hider
    url = reverse("privacy:appeal_message", args=[message.pk])

    # Only its author may appeal; for anyone else the page does not exist.
    refused = {
        "the recipient": recipient,
        "a member": make_user(),
        "a minor": make_user(role="young_person", age_band="13-15"),
        "a member of another region": make_user(home_region=Region.objects.get(slug="london")),
    }
    for who, person in refused.items():
        client.force_login(person)
        assert client.get(url).status_code == 404, who
        assert client.post(url, {"statement": "This was fine, honestly."}).status_code == 404, who
    client.logout()
    assert client.get(url).status_code == 302

    client.force_login(author)
    assert url in client.get(conversation.get_absolute_url()).content.decode()
    with committed():
        sent = client.post(url, {"statement": "It was advice about council funding, not spam."})
    assert sent.status_code == 302
    appeal = Appeal.objects.get(message=message)
    assert appeal.decided_by == hider and appeal.post is None
    assert ModerationLog.objects.filter(action="appeal.opened", target_type="message").exists()
    assert Notification.objects.filter(user=other_moderator, kind="message_appeal_opened").exists()
    assert not Notification.objects.filter(user=hider, kind="message_appeal_opened").exists()

    client.force_login(other_moderator)
    assert "hidden private message" in client.get(reverse("privacy:appeals")).content.decode()
    decide = reverse("privacy:decide_appeal", args=[appeal.pk])
    client.force_login(hider)
    assert client.post(decide, {"outcome": "overturn", "reason": "x y z"}).status_code == 403
    client.force_login(other_moderator)
    with committed():
        decided = client.post(decide, {"outcome": "overturn", "reason": "It was fair advice."})
    assert decided.status_code == 302
    message.refresh_from_db()
    assert not message.is_hidden
    told = Notification.objects.get(user=author, kind="message_appeal_decided")
    assert told.data["url"] == url and "back" in told.data["outcome"]
