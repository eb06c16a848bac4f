"""Visitors' reports, appeals to a different moderator, verification, the footer pages."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from community.forum.models import Attachment, Space
from community.moderation.models import ModerationLog, ReviewItem
from community.privacy import actions
from community.privacy.models import Appeal, StatementReview
from notifications.models import Notification
from tests.factories import make_moderator, make_thread, make_user, private_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_post():
    space = Space.objects.get(slug="national")
    space.visibility = Space.Visibility.PUBLIC
    space.save()
    return make_thread(space=space).posts.get(number=1)


def test_visitor_report_joins_the_queue_without_hiding(client, public_post):
    response = client.post(
        reverse("privacy:visitor_report", args=[public_post.pk]),
        {"reason": "personal_info", "note": "Names a child"},
    )
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    item = ReviewItem.objects.get(post=public_post)
    assert item.priority == ReviewItem.Priority.HIGH and "Names a child" in item.reasons[0]
    public_post.refresh_from_db()
    assert public_post.status == "published"
    assert ModerationLog.objects.filter(
        action="post.visitor_report", target_id=public_post.pk
    ).exists()


def test_urgent_visitor_report_alerts_safeguarding_leads(client, committed, public_post):
    lead = make_user(is_safeguarding_lead=True)
    with committed():
        client.post(
            reverse("privacy:visitor_report", args=[public_post.pk]), {"reason": "self_harm"}
        )
    assert ReviewItem.objects.get(post=public_post).priority == ReviewItem.Priority.SAFEGUARDING
    assert Notification.objects.filter(user=lead, kind="visitor_report").exists()


def test_honeypot_quietly_keeps_nothing(client, public_post):
    response = client.post(
        reverse("privacy:visitor_report", args=[public_post.pk]),
        {"reason": "spam", "website": "http://spam.example"},
    )
    assert response.status_code == 200 and not ReviewItem.objects.exists()


def test_visitor_reports_are_rate_limited_by_address(client, public_post, settings):
    settings.VISITOR_REPORTS_PER_HOUR = 2
    url = reverse("privacy:visitor_report", args=[public_post.pk])
    for _ in range(2):
        assert client.post(url, {"reason": "spam"}).status_code == 200
    refused = client.post(url, {"reason": "other", "note": "Please look at this one"})
    assert refused.status_code == 429 and "try again later" in refused.content.decode()
    assert "Please wait" in refused.content.decode() and int(refused["Retry-After"]) > 0
    assert "Please look at this one" in refused.content.decode()  # the text is kept


def test_visitor_report_form_errors_are_a_clear_400(client, public_post):
    response = client.post(
        reverse("privacy:visitor_report", args=[public_post.pk]), {"reason": "other"}
    )
    assert response.status_code == 400 and "Tell the moderators" in response.content.decode()


def test_visitors_cannot_report_what_they_cannot_read(client):
    members_only = make_thread(space=private_group()).posts.get(number=1)
    assert client.get(reverse("privacy:visitor_report", args=[members_only.pk])).status_code == 404


def test_signed_out_thread_page_offers_report_links(client, public_post):
    body = client.get(public_post.thread.get_absolute_url()).content.decode()
    assert reverse("privacy:visitor_report", args=[public_post.pk]) in body


def _hidden_by(moderator, post):
    from community.moderation import actions as moderation_actions

    moderation_actions.flag_post(flagger=make_user(), post=post, reason="inappropriate")
    item = ReviewItem.objects.get(post=post, state="pending")
    moderation_actions.resolve_review_item(
        moderator=moderator, item=item, decision="hide", reason="Rude"
    )
    post.refresh_from_db()
    return post


def test_appeal_goes_to_a_different_moderator_and_outcome_is_told(client, committed):
    author = make_user()
    decider, other = make_moderator(), make_moderator()
    post = _hidden_by(decider, make_thread(author=author).posts.get(number=1))
    client.force_login(author)
    with committed():
        response = client.post(
            reverse("privacy:appeal", args=[post.pk]),
            {"statement": "It was a quote from guidance, not rude."},
        )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.decided_by == decider
    told = set(Notification.objects.filter(kind="appeal_opened").values_list("user_id", flat=True))
    assert other.pk in told and decider.pk not in told
    with pytest.raises(PermissionDenied):
        actions.decide_appeal(moderator=decider, appeal=appeal, overturn=True, reason="I agree")
    client.force_login(decider)
    refused = client.post(
        reverse("privacy:decide_appeal", args=[appeal.pk]),
        {"outcome": "overturn", "reason": "Fine"},
    )
    assert refused.status_code == 403
    with committed():
        actions.decide_appeal(
            moderator=other, appeal=appeal, overturn=True, reason="Quoting guidance is fine"
        )
    post.refresh_from_db()
    appeal.refresh_from_db()
    assert post.status == "published" and appeal.state == "overturned" and appeal.reviewer == other
    assert ModerationLog.objects.filter(
        action="appeal.overturned", target_id=post.pk, actor=other
    ).exists()
    note = Notification.objects.get(user=author, kind="appeal_decided")
    assert note.data["outcome"] == "the post is back"


def test_upheld_appeal_keeps_the_post_hidden(committed):
    author = make_user()
    decider, other = make_moderator(), make_moderator()
    post = _hidden_by(decider, make_thread(author=author).posts.get(number=1))
    appeal = actions.appeal_decision(
        member=author, post=post, statement="Please look at this again."
    )
    actions.decide_appeal(moderator=other, appeal=appeal, overturn=False, reason="It broke rule 2")
    post.refresh_from_db()
    assert post.status == "hidden"
    assert ModerationLog.objects.filter(action="appeal.upheld").exists()


def test_only_the_author_can_appeal_and_only_a_moderation_decision(client):
    author = make_user()
    post = make_thread(author=author).posts.get(number=1)
    with pytest.raises(PermissionDenied):
        actions.appeal_decision(member=author, post=post, statement="Nothing was decided here")
    post = _hidden_by(make_moderator(), post)
    with pytest.raises(PermissionDenied):
        actions.appeal_decision(member=make_user(), post=post, statement="Not my post but still")
    client.force_login(make_user())
    assert client.get(reverse("privacy:appeal", args=[post.pk])).status_code == 404


def test_appeals_page_is_for_moderators(client):
    client.force_login(make_user())
    assert client.get(reverse("privacy:appeals")).status_code == 403


def test_confirmed_allow_listed_email_verifies_a_professional(settings):
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_confirmed

    settings.VERIFIED_EMAIL_DOMAINS = ["nhs.net", "*.gov.uk"]
    nurse = make_user(email="nurse@nhs.net", username="nurse")
    officer = make_user(role="commissioner", email="lead@hubtown.gov.uk", username="lead")
    parent = make_user(role="parent_carer", email="mum@hubtown.gov.uk", username="mum")
    stranger = make_user(email="me@gmail.example", username="me")
    for user in (nurse, officer, parent, stranger):
        address = EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=True
        )
        email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
        user.refresh_from_db()
    assert nurse.is_verified and officer.is_verified
    assert not parent.is_verified and not stranger.is_verified
    assert ModerationLog.objects.filter(action="member.verified", target_id=nurse.pk).exists()


def test_staff_verify_by_hand_and_others_cannot(client):
    staff = make_user(role="staff")
    member = make_user(username="hand-checked")
    client.force_login(make_moderator())
    assert client.get(reverse("privacy:verification")).status_code == 403
    client.force_login(staff)
    assert "hand-checked" in client.get(reverse("privacy:verification")).content.decode()
    client.post(
        reverse("privacy:verification"),
        {"username": "hand-checked", "verified": "1", "reason": "Rang the LA"},
    )
    member.refresh_from_db()
    assert member.is_verified
    bad = client.post(reverse("privacy:verification"), {"username": "nobody", "verified": "1"})
    assert bad.status_code == 400 and "no member with that username" in bad.content.decode()


def test_unverified_professionals_cannot_enter_verified_only_spaces(client):
    leads = Space.objects.get(visibility=Space.Visibility.VERIFIED)
    unverified = make_user(role="commissioner")
    client.force_login(unverified)
    assert client.get(leads.get_absolute_url()).status_code == 404
    actions.set_verified(staff=make_user(role="staff"), member=unverified, verified=True)
    assert client.get(leads.get_absolute_url()).status_code == 200


FOOTER_PAGES = ["notice", "young_people", "guidelines", "terms", "accessibility", "staying_safe"]


@pytest.mark.parametrize("name", FOOTER_PAGES)
def test_footer_pages_are_open_to_everyone_and_linked(client, name):
    response = client.get(reverse(f"privacy:{name}"))
    assert response.status_code == 200
    assert reverse(f"privacy:{name}") in response.content.decode()  # the footer links to it


def test_staying_safe_names_the_helplines_and_the_safeguarding_contact(client, settings):
    settings.SAFEGUARDING_CONTACT = "Priya Shah, designated safeguarding lead, 0300 000 0000"
    body = client.get(reverse("privacy:staying_safe")).content.decode()
    for text in ("0800 1111", "116 123", "999", "Priya Shah"):
        assert text in body


def test_staff_update_the_accessibility_review_date(client):
    client.force_login(make_user())
    assert (
        client.post(reverse("privacy:accessibility"), {"reviewed_on": "2025-01-02"}).status_code
        == 403
    )
    client.force_login(make_user(role="staff"))
    future = client.post(reverse("privacy:accessibility"), {"reviewed_on": "2999-01-01"})
    assert future.status_code == 400 and "future" in future.content.decode()
    today = timezone.localdate().isoformat()
    client.post(
        reverse("privacy:accessibility"), {"reviewed_on": today, "note": "Checked with NVDA"}
    )
    assert StatementReview.objects.get().reviewed_on.isoformat() == today
    assert "Checked with NVDA" in client.get(reverse("privacy:accessibility")).content.decode()


@pytest.mark.parametrize(
    "slug, shown",
    [("mental-health-wellbeing", True), ("domestic-abuse", True), ("early-help-safeguarding", True),
     ("perinatal-mental-health", True), (None, False)],
)  # fmt: skip
def test_crisis_banner_on_sensitive_topics_only(client, slug, shown):
    from community.forum.models import Topic

    topic = Topic.objects.get(slug=slug) if slug else Topic.objects.exclude(
        slug__in=["mental-health-wellbeing", "perinatal-mental-health", "domestic-abuse", "early-help-safeguarding"]
    ).first()  # fmt: skip
    thread = make_thread(topic=topic)
    client.force_login(make_user())
    body = client.get(thread.get_absolute_url()).content.decode()
    assert ("Need help now?" in body) == shown


def test_uploaded_jpeg_loses_its_gps_end_to_end(client):
    from PIL import Image

    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0), 3: "W", 4: (0.0, 7.0, 40.0)}  # GPSInfo
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(buffer, format="JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif().get_ifd(0x8825)
    thread = make_thread()
    client.force_login(make_user())
    client.post(
        reverse("forum:reply", args=[thread.pk]),
        {
            "source": "Our garden",
            "attachments": [SimpleUploadedFile("garden.jpg", buffer.getvalue(), "image/jpeg")],
        },
    )
    served = b"".join(client.get(Attachment.objects.get().get_absolute_url()).streaming_content)
    image = Image.open(io.BytesIO(served))
    assert not image.getexif().get_ifd(0x8825) and not image.getexif()
