from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.forum import actions as forum_actions
from community.forum.models import Post, Status
from community.moderation import actions
from community.moderation.models import Flag, ModerationLog, ReviewItem, SafeguardingConcern
from notifications.models import Notification
from tests.factories import make_moderator, make_thread, make_user

pytestmark = pytest.mark.django_db

SECRET = "Quokka-safeguarding-words"


@pytest.fixture
def concern_setup(committed, mailoutbox):
    lead = make_user(username="dsl", is_safeguarding_lead=True, email="dsl@example.org")
    staff = make_user(role="staff", username="staffer")
    moderator = make_moderator(username="plainmod")
    author = make_user(username="poster")
    thread = make_thread(title="Thread with a worrying reply")
    post = forum_actions.create_post(
        author=author, thread=thread, source=f"Worrying {SECRET} content"
    )
    flagger = make_user(username="flagger")
    with committed():
        actions.flag_post(
            flagger=flagger, post=post, reason="safeguarding", note="A child may be at risk"
        )
    return {"lead": lead, "staff": staff, "moderator": moderator, "author": author, "thread": thread,
            "post": post, "flagger": flagger, "mailoutbox": mailoutbox}  # fmt: skip


def test_safeguarding_flag_hides_the_post_at_once(concern_setup):
    post = Post.objects.get(pk=concern_setup["post"].pk)
    assert post.status == Status.HIDDEN
    assert SECRET in post.source  # content preserved for the record
    assert ReviewItem.objects.get(post=post).priority == ReviewItem.Priority.SAFEGUARDING


@pytest.mark.parametrize("who", ["anonymous", "member", "author", "flagger"])
def test_hidden_post_is_gone_from_every_read_path_but_staff(client, concern_setup, who):
    thread = concern_setup["thread"]
    if who != "anonymous":
        user = concern_setup.get(who) or make_user()
        client.force_login(user)
    for url in [
        thread.get_absolute_url() + "?page=1",
        thread.post_url(2),
        reverse("forum:latest"),
        reverse("forum:user_activity", args=["poster"]),
        reverse("forum:post_fragment", args=[concern_setup["post"].pk]),
        reverse("moderation:concerns"),
        reverse("moderation:concern", args=[SafeguardingConcern.objects.get().pk]),
        reverse("moderation:queue"),
    ]:
        response = client.get(url)
        assert SECRET not in response.content.decode(), (who, url)


def test_plain_moderators_see_the_post_but_not_the_safeguarding_record(client, concern_setup):
    client.force_login(concern_setup["moderator"])
    assert (
        SECRET
        in client.get(concern_setup["thread"].get_absolute_url() + "?page=1").content.decode()
    )
    assert (
        client.get(
            reverse("moderation:concern", args=[SafeguardingConcern.objects.get().pk])
        ).status_code
        == 404
    )


def test_leads_are_alerted_live_and_by_email_without_the_words(concern_setup):
    alert = Notification.objects.get(user=concern_setup["lead"], kind="safeguarding_concern")
    assert alert.data["url"] == reverse(
        "moderation:concern", args=[SafeguardingConcern.objects.get().pk]
    )
    assert Notification.objects.filter(
        user=concern_setup["staff"], kind="safeguarding_concern"
    ).exists()
    emails = [m for m in concern_setup["mailoutbox"] if m.to == ["dsl@example.org"]]
    assert len(emails) == 1 and SECRET not in emails[0].body


def test_lead_records_escalation_and_closes_with_notes(client, concern_setup):
    concern = SafeguardingConcern.objects.get()
    client.force_login(concern_setup["lead"])
    page = client.get(reverse("moderation:concern", args=[concern.pk])).content.decode()
    assert SECRET in page and "A child may be at risk" in page
    response = client.post(
        reverse("moderation:concern", args=[concern.pk]), {"state": "escalated", "referral": ""}
    )
    assert response.status_code == 400  # escalation needs a referral
    client.post(
        reverse("moderation:concern", args=[concern.pk]),
        {"state": "escalated", "referral": "mash", "note": "Referred to MASH by phone"},
    )
    client.post(
        reverse("moderation:concern", args=[concern.pk]),
        {"state": "closed", "referral": "mash", "note": "MASH confirmed receipt"},
    )
    concern.refresh_from_db()
    assert concern.state == "closed" and concern.closed_at and concern.notes.count() == 2
    assert ModerationLog.objects.filter(action="safeguarding.updated").count() == 2


def test_one_flag_per_member_and_not_on_own_posts():
    author = make_user()
    post = make_thread(author=author).posts.get(number=1)
    flagger = make_user()
    actions.flag_post(flagger=flagger, post=post, reason="spam")
    with pytest.raises(ValidationError, match="already flagged"):
        actions.flag_post(flagger=flagger, post=post, reason="spam")
    with pytest.raises(ValidationError):
        actions.flag_post(flagger=author, post=post, reason="spam")
    with pytest.raises(ValidationError):
        actions.flag_post(flagger=make_user(), post=post, reason="other")  # needs a note


def test_trusted_flags_reaching_the_threshold_hide_the_post(settings):
    settings.FLAG_HIDE_THRESHOLD = 3
    post = make_thread().posts.get(number=1)
    actions.flag_post(flagger=make_user(trust_level=0), post=post, reason="inappropriate")
    actions.flag_post(flagger=make_user(trust_level=1), post=post, reason="inappropriate")
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED  # 1.5 of 3
    actions.flag_post(flagger=make_user(trust_level=3), post=post, reason="inappropriate")
    post.refresh_from_db()
    assert post.status == Status.HIDDEN
    assert ModerationLog.objects.filter(action="post.auto_hidden").exists()


def test_dismissing_flags_restores_the_post_and_tells_flaggers(committed):
    post = make_thread().posts.get(number=1)
    flagger = make_user()
    actions.flag_post(flagger=flagger, post=post, reason="spam")
    item = ReviewItem.objects.get(post=post)
    with committed():
        actions.resolve_review_item(moderator=make_moderator(), item=item, decision="dismiss")
    assert Flag.objects.get().outcome == "disagreed"
    told = Notification.objects.get(user=flagger, kind="flag_outcome")
    assert "left the post up" in told.data["outcome"]


def test_hiding_tells_the_author_and_a_second_decision_is_refused():
    author = make_user()
    post = make_thread(author=author).posts.get(number=1)
    actions.flag_post(flagger=make_user(), post=post, reason="inappropriate")
    item = ReviewItem.objects.get(post=post)
    moderator = make_moderator()
    actions.resolve_review_item(moderator=moderator, item=item, decision="hide")
    assert Notification.objects.filter(user=author, kind="post_hidden").exists()
    with pytest.raises(ValidationError, match="already dealt"):
        actions.resolve_review_item(moderator=moderator, item=item, decision="approve")


def test_members_cannot_resolve_or_see_the_queue(client):
    post = make_thread().posts.get(number=1)
    actions.flag_post(flagger=make_user(), post=post, reason="spam")
    with pytest.raises(PermissionDenied):
        actions.resolve_review_item(
            moderator=make_user(), item=ReviewItem.objects.get(), decision="dismiss"
        )
    client.force_login(make_user())
    assert client.get(reverse("moderation:queue")).status_code == 404


def test_flag_form_through_the_page(client):
    post = make_thread().posts.get(number=1)
    client.force_login(make_user())
    assert client.get(reverse("moderation:flag", args=[post.pk])).status_code == 200
    response = client.post(
        reverse("moderation:flag", args=[post.pk]), {"reason": "other", "note": ""}
    )
    assert response.status_code == 400 and "Tell the moderators" in response.content.decode()
    response = client.post(reverse("moderation:flag", args=[post.pk]), {"reason": "off_topic"})
    assert response.status_code == 302 and Flag.objects.count() == 1


def test_queue_page_shows_items_safeguarding_first_in_fixed_queries(
    client, django_assert_max_num_queries
):
    moderator = make_moderator()
    for i in range(3):
        post = make_thread(title=f"Ordinary thread number {i}").posts.get(number=1)
        actions.flag_post(flagger=make_user(), post=post, reason="spam")
    urgent = make_thread(title="Urgent thread here").posts.get(number=1)
    actions.flag_post(flagger=make_user(), post=urgent, reason="safeguarding")
    client.force_login(moderator)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("moderation:queue")).content.decode()
    assert page.index("Urgent thread here") < page.index("Ordinary thread number 0")
    for i in range(10):
        post = make_thread(title=f"More thread {i}").posts.get(number=1)
        actions.flag_post(flagger=make_user(), post=post, reason="spam")
    with django_assert_max_num_queries(9):
        client.get(reverse("moderation:queue"))
    assert (
        "Ordinary thread"
        not in client.get(reverse("moderation:queue") + "?priority=0").content.decode()
    )


def test_silenced_member_reads_but_cannot_post(client):
    member = make_user()
    actions.silence_user(
        moderator=make_moderator(),
        user=member,
        until=timezone.now() + timedelta(days=3),
        reason="Cooling off",
    )
    thread = make_thread()
    with pytest.raises(PermissionDenied):
        forum_actions.create_post(author=member, thread=thread, source="Can I post?")
    client.force_login(member)
    assert client.get(thread.get_absolute_url()).status_code == 200
    assert Notification.objects.filter(user=member, kind="silenced").exists()


def test_suspension_ends_sessions_and_blocks_sign_in(client):
    from allauth.account.models import EmailAddress

    member = make_user(email="member@example.org")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    client.force_login(member)
    assert client.get(reverse("forum:new")).status_code == 200
    actions.suspend_user(
        moderator=make_moderator(),
        user=member,
        until=timezone.now() + timedelta(days=7),
        reason="Repeated abuse",
    )
    assert client.get(reverse("forum:new")).status_code == 302  # the old session no longer works
    response = client.post(
        reverse("account_login"),
        {"login": "member@example.org", "password": "pw-Example-1234"},
        follow=True,
    )
    body = response.content.decode()
    assert "suspended until" in body and "Repeated abuse" in body
    assert client.get(reverse("forum:new")).status_code == 302


def test_sanctions_need_a_reason_and_a_future_date():
    moderator, member = make_moderator(), make_user()
    with pytest.raises(ValidationError):
        actions.suspend_user(
            moderator=moderator, user=member, until=timezone.now() + timedelta(days=1), reason=" "
        )
    with pytest.raises(ValidationError):
        actions.silence_user(
            moderator=moderator, user=member, until=timezone.now() - timedelta(days=1), reason="x"
        )
    with pytest.raises(PermissionDenied):
        actions.suspend_user(
            moderator=make_moderator(),
            user=moderator,
            until=timezone.now() + timedelta(days=1),
            reason="x",
        )


def test_member_page_notes_and_trust(client):
    staff = make_user(role="staff")
    member = make_user(username="subject")
    client.force_login(staff)
    client.post(
        reverse("moderation:member", args=["subject"]),
        {"form": "note", "text": "Spoke to them by email"},
    )
    client.post(
        reverse("moderation:member", args=["subject"]),
        {"form": "trust", "level": 3, "reason": "Known practitioner"},
    )
    member.refresh_from_db()
    assert member.trust_level == 3 and member.trust_level_locked
    page = client.get(reverse("moderation:member", args=["subject"])).content.decode()
    assert "Spoke to them by email" in page and "Changed a member&#x27;s trust level" in page
    log_page = client.get(reverse("moderation:log") + "?action=user.").content.decode()
    assert "Changed a member&#x27;s trust level" in log_page and "user.trust_level" not in log_page
    assert 'Trust level: <del><span class="visually-hidden">was </span>1</del>' in log_page


def test_new_accounts_held_for_approval(client, settings, mailoutbox):
    settings.NEW_ACCOUNTS_NEED_APPROVAL = True
    from community.accounts.models import Region

    client.post(reverse("account_signup"), {
        "email": "wait@example.org", "username": "waiter", "password1": "a-Long-pass-phrase-42",
        "password2": "a-Long-pass-phrase-42", "display_name": "Waiting Member", "role": "practitioner",
        "age_band": "26+", "home_region": Region.objects.first().pk,
    })  # fmt: skip
    item = ReviewItem.objects.get(kind="new_account")
    assert item.user.username == "waiter" and not item.user.is_active
    actions.resolve_review_item(moderator=make_moderator(), item=item, decision="approve")
    item.user.refresh_from_db()
    assert item.user.is_active
