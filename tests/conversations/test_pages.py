"""The pages: inbox, conversation, new message, reply, leave, report; nobody else gets in."""

import pytest
from django.urls import reverse

from community.conversations import actions
from community.conversations.models import Conversation, Message, Participant
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _urls(conversation):
    message = conversation.messages.first()
    return [
        ("get", reverse("conversations:conversation", args=[conversation.pk])),
        ("post", reverse("conversations:reply", args=[conversation.pk])),
        ("post", reverse("conversations:leave", args=[conversation.pk])),
        ("get", reverse("conversations:report", args=[conversation.pk, message.pk])),
        ("post", reverse("conversations:report", args=[conversation.pk, message.pk])),
    ]


@pytest.mark.parametrize("who", ["outsider", "moderator", "centre_staff"])
def test_outsiders_moderators_and_staff_get_404_on_every_conversation_url(
    client, request, conversation, who
):
    client.force_login(request.getfixturevalue(who))
    for method, url in _urls(conversation):
        response = getattr(client, method)(url, {"source": "Let me in", "reason": "spam"})
        assert response.status_code == 404, (method, url)
    assert Message.objects.filter(conversation=conversation).count() == 2
    assert not Participant.objects.filter(conversation=conversation, left_at__isnull=False).exists()


def test_visitors_are_sent_to_sign_in(client, conversation):
    for method, url in [*_urls(conversation), ("get", reverse("conversations:inbox"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_moderators_inbox_does_not_list_others_conversations(client, conversation, moderator):
    client.force_login(moderator)
    page = client.get(reverse("conversations:inbox")).content.decode()
    assert conversation.subject not in page


def test_participant_reads_the_conversation_and_it_is_marked_read(client, conversation, adult):
    client.force_login(adult)
    inbox = client.get(reverse("conversations:inbox")).content.decode()
    assert "Minibus grants" in inbox and "1 unread" in inbox and "Bram Commissioner" in inbox
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert "The parish <strong>transport</strong> fund." in page
    assert "Which council fund paid for your minibus?" in page
    assert "1 unread" not in client.get(reverse("conversations:inbox")).content.decode()


def test_new_message_form_prefills_the_recipient_and_sends(client, adult, other_adult):
    client.force_login(adult)
    form = client.get(reverse("conversations:new") + "?to=bram").content.decode()
    assert 'value="bram"' in form
    response = client.post(
        reverse("conversations:new"),
        {"to": "@bram", "subject": "Stay and play", "source": "Shall we *compare* notes?"},
    )
    conversation = Conversation.objects.get(subject="Stay and play")
    assert response.status_code == 302 and response["Location"] == conversation.get_absolute_url()
    assert conversation.messages.get().html == "<p>Shall we <em>compare</em> notes?</p>\n"
    assert set(conversation.participants.values_list("user__username", flat=True)) == {
        "adele", "bram"
    }  # fmt: skip


def test_empty_new_message_is_a_400_that_keeps_what_was_typed(client, adult):
    client.force_login(adult)
    response = client.post(
        reverse("conversations:new"), {"to": "bram", "subject": "Kept subject", "source": ""}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text and "Kept subject" in text


def test_reply_is_added_and_redirects_to_it(client, conversation, adult):
    client.force_login(adult)
    response = client.post(
        reverse("conversations:reply", args=[conversation.pk]), {"source": "Thank you!"}
    )
    message = conversation.messages.order_by("pk").last()
    assert message.source == "Thank you!" and message.author == adult
    assert response["Location"].endswith(f"#message-{message.pk}")


def test_failed_reply_keeps_the_text_and_says_why(client, conversation, adult, other_adult):
    actions.leave_conversation(user=other_adult, conversation=conversation)
    client.force_login(adult)
    response = client.post(
        reverse("conversations:reply", args=[conversation.pk]),
        {"source": "My carefully written reply"},
    )
    assert response.status_code == 403
    text = response.content.decode()
    assert "Everyone else has left" in text and "My carefully written reply" in text


def test_too_long_reply_is_a_400_with_the_text_kept(client, conversation, adult):
    client.force_login(adult)
    long_text = "word " * 4001
    response = client.post(
        reverse("conversations:reply", args=[conversation.pk]), {"source": long_text}
    )
    assert response.status_code == 400 and "word word word" in response.content.decode()


def test_leaving_takes_it_out_of_the_inbox_and_locks_the_member_out(
    client, conversation, other_adult
):
    client.force_login(other_adult)
    response = client.post(reverse("conversations:leave", args=[conversation.pk]))
    assert response.status_code == 302
    inbox = client.get(reverse("conversations:inbox")).content.decode()
    assert "You left “Minibus grants”" in inbox
    assert f'href="{conversation.get_absolute_url()}"' not in inbox
    assert client.get(conversation.get_absolute_url()).status_code == 404


def test_leave_and_reply_need_post(client, conversation, adult):
    client.force_login(adult)
    assert client.get(reverse("conversations:leave", args=[conversation.pk])).status_code == 405
    assert client.get(reverse("conversations:reply", args=[conversation.pk])).status_code == 405


def test_child_sees_why_they_cannot_reply_when_staff_left(client, centre_staff, minor):
    conversation = actions.start_conversation(
        sender=centre_staff, recipients=[minor], subject="Your feedback", source="Thank you."
    )
    actions.leave_conversation(user=centre_staff, conversation=conversation)
    client.force_login(minor)
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert "Everyone else has left this conversation." in page
    assert "Send reply" not in page


def _fill_inbox(member, count):
    for n in range(count):
        other = make_user()
        convo = actions.start_conversation(
            sender=other, recipients=[member], subject=f"Question {n}", source="Hello"
        )
        actions.reply(author=member, conversation=convo, source="Hi back")
        actions.reply(author=other, conversation=convo, source="One more")


def test_inbox_queries_do_not_grow_with_conversations(client, adult, django_assert_max_num_queries):
    client.force_login(adult)
    _fill_inbox(adult, 2)
    url = reverse("conversations:inbox")
    client.get(url)
    with django_assert_max_num_queries(8) as small:
        assert client.get(url).content.decode().count("1 unread") == 2
    budget = len(small.captured_queries)  # before the next request resets the log
    _fill_inbox(adult, 6)
    client.get(url)  # the new notifications' bell count is cached again (as in `small`)
    with django_assert_max_num_queries(budget):
        assert client.get(url).content.decode().count("1 unread") == 8


def test_conversation_page_queries_do_not_grow_with_messages(
    client, conversation, adult, other_adult, django_assert_max_num_queries
):
    client.force_login(adult)
    url = conversation.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for n in range(8):
        actions.reply(
            author=other_adult if n % 2 else adult, conversation=conversation, source=f"Message {n}"
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert "Message 7" in client.get(url).content.decode()


def test_long_conversations_are_paged_latest_first(
    client, conversation, adult, other_adult, settings
):
    from community.conversations import selectors

    selectors.MESSAGES_PAGE_SIZE, old = 3, selectors.MESSAGES_PAGE_SIZE
    try:
        for n in range(5):
            actions.reply(author=adult, conversation=conversation, source=f"Numbered {n}")
        client.force_login(other_adult)
        latest = client.get(conversation.get_absolute_url()).content.decode()
        assert (
            "Numbered 4" in latest and "Numbered 0" not in latest and "Earlier messages" in latest
        )
        first = client.get(conversation.get_absolute_url() + "?page=1").content.decode()
        assert "Which council fund" in first and "Later messages" in first
    finally:
        selectors.MESSAGES_PAGE_SIZE = old
