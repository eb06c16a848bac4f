"""Who is told about a new private message: the other participants, and nobody else."""

import pytest

from community.conversations import actions
from community.conversations.models import Participant
from notifications import kinds
from notifications.models import Notification
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_new_message_tells_the_other_participants_only(
    committed, adult, other_adult, centre_staff, outsider, moderator
):
    with committed():
        conversation = actions.start_conversation(
            sender=adult, recipients=[other_adult, centre_staff], subject="Hub rota",
            source="Can we swap Tuesdays?",
        )  # fmt: skip
    told = set(Notification.objects.filter(kind="private_message").values_list("user", flat=True))
    assert told == {other_adult.pk, centre_staff.pk}
    note = Notification.objects.get(user=other_adult)
    assert note.data["url"] == conversation.get_absolute_url()
    assert note.data["title"] == "Hub rota" and note.data["actor"] == "Adele Practitioner"
    assert "Tuesdays" not in str(note.data)  # the words stay in the conversation
    assert kinds.text_of(note) == "Adele Practitioner sent you a private message: “Hub rota”"
    assert kinds.link_of(note) == conversation.get_absolute_url()


def test_members_who_left_are_told_no_more(committed, conversation, adult, other_adult):
    actions.leave_conversation(user=other_adult, conversation=conversation)
    # A third member still in it is told; the one who left is not.
    third = make_user()
    Participant.objects.create(conversation=conversation, user=third)
    Notification.objects.all().delete()
    with committed():
        actions.reply(author=adult, conversation=conversation, source="Anyone there?")
    assert list(Notification.objects.values_list("user", flat=True)) == [third.pk]


def test_private_messages_are_never_emailed():
    kind = kinds.get("private_message")
    assert kind.email is False and kind.email_always is False
