"""Who may message whom: children only with moderators and staff, in either direction."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.conversations import actions, selectors
from community.conversations.models import Conversation, Message
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _start(sender, recipient):
    return actions.start_conversation(
        sender=sender, recipients=[recipient], subject="Hello", source="A private hello."
    )


@pytest.mark.parametrize(
    "sender, recipient",
    [("adult", "minor"), ("minor", "adult"), ("minor", "other_minor")],
)
def test_conversations_with_a_child_are_refused_unless_staff_take_part(
    request, sender, recipient, minor
):
    people = {"minor": minor, "other_minor": make_user(role="young_person", age_band="16-17")}
    sender = people.get(sender) or request.getfixturevalue(sender)
    recipient = people.get(recipient) or request.getfixturevalue(recipient)
    with pytest.raises(PermissionDenied):
        _start(sender, recipient)
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(
    "sender, recipient",
    [("centre_staff", "minor"), ("minor", "centre_staff"), ("moderator", "minor"),
     ("minor", "moderator"), ("adult", "other_adult"), ("other_adult", "adult")],
)  # fmt: skip
def test_staff_and_children_and_two_adults_may_message(request, sender, recipient):
    sender, recipient = request.getfixturevalue(sender), request.getfixturevalue(recipient)
    conversation = _start(sender, recipient)
    message = actions.reply(author=recipient, conversation=conversation, source="Thanks!")
    assert message.conversation == conversation
    assert Message.objects.filter(conversation=conversation).count() == 2


def test_refusal_to_an_adult_does_not_say_the_recipient_is_a_child(adult, minor):
    with pytest.raises(PermissionDenied) as refused:
        _start(adult, minor)
    assert "young" not in str(refused.value).lower() and "child" not in str(refused.value)


def test_a_child_is_told_plainly_who_they_can_message(minor, adult):
    with pytest.raises(PermissionDenied, match="only to moderators and centre staff"):
        _start(minor, adult)


def test_adult_looking_up_a_child_gets_the_same_answer_as_for_nobody(adult, minor):
    with pytest.raises(ValidationError) as child:
        selectors.recipients_by_username(sender=adult, usernames=[minor.username])
    with pytest.raises(ValidationError) as nobody:
        selectors.recipients_by_username(sender=adult, usernames=["nobody-here"])
    assert child.value.messages[0].replace(minor.username, "X") == nobody.value.messages[0].replace(
        "nobody-here", "X"
    )


def test_staff_can_look_up_a_child(centre_staff, minor):
    found = selectors.recipients_by_username(
        sender=centre_staff, usernames=selectors.parse_usernames(" @KIDD, ")
    )
    assert found == [minor]


def test_new_message_page_answers_for_a_child_as_for_a_missing_name(client, adult, minor):
    client.force_login(adult)
    url = reverse("conversations:new")
    form = {"subject": "Hi", "source": "Hello there"}
    child = client.post(url, {**form, "to": minor.username})
    nobody = client.post(url, {**form, "to": "zz-nobody"})
    assert child.status_code == nobody.status_code == 400
    text = child.content.decode()
    assert f"There is no member called “{minor.username}”" in text
    assert "Hello there" in text  # the text is kept
    assert not Conversation.objects.exists()


def test_suspended_members_cannot_start_or_reply(adult, other_adult, conversation):
    adult.suspended_until = timezone.now() + timezone.timedelta(days=2)
    adult.save()
    with pytest.raises(PermissionDenied, match="suspended"):
        _start(adult, make_user())
    with pytest.raises(PermissionDenied, match="suspended"):
        actions.reply(author=adult, conversation=conversation, source="Still here?")


def test_silenced_members_may_still_write_to_moderators_only(adult, other_adult, moderator):
    adult.silenced_until = timezone.now() + timezone.timedelta(days=2)
    adult.save()
    with pytest.raises(PermissionDenied, match="except to moderators"):
        _start(adult, other_adult)
    assert _start(adult, moderator).pk


def test_staff_cannot_put_a_child_and_an_adult_in_one_conversation(centre_staff, minor, adult):
    with pytest.raises(PermissionDenied, match="only with moderators and centre staff"):
        actions.start_conversation(
            sender=centre_staff, recipients=[minor, adult], subject="Group", source="Hello all"
        )


def test_reply_rechecks_the_rule_against_the_others(centre_staff, minor, adult):
    conversation = _start(centre_staff, minor)
    # A stranger cannot write into it, and the child can reply only while staff are in it.
    with pytest.raises(PermissionDenied):
        actions.reply(author=adult, conversation=conversation, source="Hello")
    actions.leave_conversation(user=centre_staff, conversation=conversation)
    with pytest.raises(PermissionDenied, match="Everyone else has left"):
        actions.reply(author=minor, conversation=conversation, source="Hello?")


def test_writing_to_yourself_is_refused(adult):
    with pytest.raises(PermissionDenied, match="yourself"):
        _start(adult, adult)


@pytest.mark.parametrize(
    "viewer, member, shown",
    [("adult", "other_adult", True), ("minor", "other_adult", False),
     ("centre_staff", "minor", True), ("minor", "centre_staff", True), ("adult", "adult", False)],
)  # fmt: skip
def test_profile_offers_a_private_message_only_when_allowed(client, request, viewer, member, shown):
    viewer, member = request.getfixturevalue(viewer), request.getfixturevalue(member)
    client.force_login(viewer)
    page = client.get(reverse("forum:user_activity", args=[member.username])).content.decode()
    assert ("Send a private message" in page) is shown
    if shown:
        assert f"{reverse('conversations:new')}?to={member.username}" in page


def test_visitors_are_not_offered_private_messages(client, adult):
    page = client.get(reverse("forum:user_activity", args=[adult.username])).content.decode()
    assert "Send a private message" not in page
