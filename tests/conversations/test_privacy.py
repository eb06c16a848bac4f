"""Download my data includes private messages; deleting an account leaves none of the member's
personal data in them, while the other participants keep their conversation."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from community.accounts import actions as account_actions
from community.conversations import actions
from community.conversations.models import Message
from community.privacy import actions as privacy_actions
from community.privacy.export import build_zip
from tests.factories import make_user
from tests.privacy.test_rights import _find_anywhere

pytestmark = pytest.mark.django_db

NEEDLES = {
    "username": "zquill9",
    "email": "zquill9@quillmail-example.org",
    "display_name": "Zebedee Quillsworth",
    "organisation": "Quillborough Family Hub",
}


@pytest.fixture
def writer(committed):
    member = make_user(
        username=NEEDLES["username"], email=NEEDLES["email"],
        display_name=NEEDLES["display_name"], organisation=NEEDLES["organisation"],
    )  # fmt: skip
    other = make_user(username="olive", display_name="Olive Other")
    with committed():
        conversation = actions.start_conversation(
            sender=member, recipients=[other],
            subject=f"From {NEEDLES['display_name']} at {NEEDLES['organisation']}",
            source=f"Write to me at {NEEDLES['email']}. Thanks, {NEEDLES['display_name']}",
        )  # fmt: skip
        reply = actions.reply(
            author=other, conversation=conversation,
            source=f"Thanks @{NEEDLES['username']}, {NEEDLES['display_name']}!",
        )  # fmt: skip
        actions.report_message(
            reporter=other, message=conversation.messages.get(author=member), reason="spam"
        )
        actions.report_message(reporter=member, message=reply, reason="other", note="Odd tone")
    return member, other, conversation


def test_export_includes_the_members_private_messages(writer):
    member, other, conversation = writer
    archive = zipfile.ZipFile(io.BytesIO(build_zip(member)))
    data = json.loads(archive.read("private_messages.json"))
    assert [c["subject"] for c in data] == [conversation.subject]
    (entry,) = data
    assert entry["started_by_you"] is True
    assert [m["text"] for m in entry["messages_you_wrote"]] == [
        f"Write to me at {NEEDLES['email']}. Thanks, {NEEDLES['display_name']}"
    ]
    assert entry["messages_you_reported"][0]["note"] == "Odd tone"
    # Other members' words are theirs, not in this member's file.
    assert "Olive" not in archive.read("private_messages.json").decode()


def test_erasure_leaves_none_of_the_members_data_in_conversations(writer):
    member, other, conversation = writer
    for needle in NEEDLES.values():
        assert _find_anywhere(needle), f"seed should have put {needle!r} somewhere"
    privacy_actions.request_deletion(user=member)
    assert privacy_actions.complete_due_deletions(now=timezone.now() + timedelta(days=15)) == 1
    for needle in NEEDLES.values():
        assert _find_anywhere(needle) == [], needle
    # Olive keeps the conversation, with the member's messages credited to the placeholder.
    placeholder = account_actions.placeholder_member()
    assert Message.objects.filter(conversation=conversation).count() == 2
    assert Message.objects.get(conversation=conversation, author=placeholder).text
    from community.conversations.permissions import can_read_conversation

    assert can_read_conversation(other, conversation)
