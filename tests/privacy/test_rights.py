"""Members' rights: consents, download my data, delete my account."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from community.accounts import actions as account_actions
from community.conversations import actions as conversation_actions
from community.forum import actions as forum_actions
from community.forum.models import Post, Thread
from community.markup import quote_source
from community.moderation import actions as moderation_actions
from community.moderation.models import SafeguardingConcern
from community.privacy import actions
from community.privacy.models import Consent, DataExport, DeletionRequest
from notifications.emails import preferences_for
from notifications.models import Notification, Subscription
from tests.factories import make_moderator, make_thread, make_user
from tests.supportline.builders import make_case
from tests.training.builders import make_event

pytestmark = pytest.mark.django_db

NEEDLES = {
    "email": "zquill7@quillmail-example.org",
    "username": "zquill7",
    "display_name": "Zebedee Quillsworth",
    "organisation": "Quillborough Family Hub",
}


@pytest.fixture
def seeded(committed):
    """A member who has done a bit of everything, and others who quoted and mentioned them."""
    from allauth.account.models import EmailAddress

    member = make_user(
        username=NEEDLES["username"], email=NEEDLES["email"],
        display_name=NEEDLES["display_name"], organisation=NEEDLES["organisation"],
    )  # fmt: skip
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    other = make_user(username="olive", display_name="Olive Other")
    with committed():
        thread = make_thread(
            author=member, title="Outreach in rural hubs", source="We use a minibus."
        )
        reply = forum_actions.create_post(
            author=member, thread=thread, source="First version of my reply"
        )
        forum_actions.edit_post(
            editor=member, post=reply, source="Second version of my reply", reason="typo"
        )
        others_thread = make_thread(author=other, title="Stay and play sessions")
        others_post = others_thread.posts.get(number=1)
        forum_actions.toggle_reaction(user=member, post=others_post, kind="like")
        forum_actions.toggle_bookmark(user=member, post=others_post)
        forum_actions.create_post(
            author=other, thread=thread, reply_to=reply,
            source=quote_source(username=member.username, post_number=reply.number,
                                thread_id=thread.pk, source=reply.source)
            + f"Thanks @{member.username}, and {member.display_name}!",
        )  # fmt: skip
        moderation_actions.flag_post(
            flagger=member, post=others_post, reason="spam", note="Looks like an advert"
        )
        # A private conversation both ways, and a report of the member's message.
        conversation = conversation_actions.start_conversation(
            sender=member, recipients=[other], subject=f"A word from {member.display_name}",
            source=f"Reach me at {member.email}, {member.organisation}.",
        )  # fmt: skip
        conversation_actions.reply(
            author=other, conversation=conversation, source=f"Thanks {member.display_name}"
        )
        conversation_actions.report_message(
            reporter=other, message=conversation.messages.get(author=member), reason="spam"
        )
    prefs = preferences_for(member)
    prefs.digest = "daily"
    prefs.save()
    event = make_event(title="Reaching fathers")
    from community.training import actions as training_actions

    training_actions.register_for_event(user=member, event=event)
    make_case(member, organisation=NEEDLES["organisation"], contact_phone="020 7946 0000")
    actions.set_consent(user=member, kind="newsletter", granted=True)
    actions.set_consent(user=member, kind="newsletter", granted=False)
    actions.set_consent(user=member, kind="research", granted=True)
    return member, thread, reply, others_post


# --- Consents ---------------------------------------------------------------------------


def test_consent_is_recorded_with_its_wording_and_time_and_history(adult):
    given = actions.set_consent(user=adult, kind="credit", granted=True)
    withdrawn = actions.set_consent(user=adult, kind="credit", granted=False)
    assert given.text_version and "credited" in given.text and given.created_at
    assert list(Consent.objects.filter(user=adult)) == [withdrawn, given]


def test_withdrawing_consent_is_one_click(client, adult):
    actions.set_consent(user=adult, kind="newsletter", granted=True)
    client.force_login(adult)
    page = client.get(reverse("privacy:your_data")).content.decode()
    assert "Withdraw consent" in page
    response = client.post(reverse("privacy:set_consent", args=["newsletter"]), {"granted": "0"})
    assert response.status_code == 302
    assert Consent.objects.filter(user=adult, kind="newsletter").first().granted is False
    assert (
        "History of your consent choices"
        in client.get(reverse("privacy:your_data")).content.decode()
    )


def test_unknown_consent_is_a_404_and_visitors_are_sent_to_sign_in(client, adult):
    assert client.post(reverse("privacy:set_consent", args=["newsletter"])).status_code == 302
    client.force_login(adult)
    assert client.post(reverse("privacy:set_consent", args=["tracking"])).status_code == 404


# --- Download my data -------------------------------------------------------------------


def _zip_json(content: bytes) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {
        name.removesuffix(".json"): json.loads(archive.read(name))
        for name in archive.namelist()
        if name.endswith(".json")
    }


def test_export_holds_everything_about_the_member(client, committed, seeded):
    member, thread, reply, others_post = seeded
    client.force_login(member)
    with committed():
        client.post(reverse("privacy:request_export"))
    export = DataExport.objects.get(user=member)
    assert export.state == "ready"
    note = Notification.objects.get(user=member, kind="export_ready")
    assert note.data["url"] == reverse("privacy:download_export", args=[export.pk])
    assert client.get(note.data["url"]).status_code == 200  # a page with the button, not the file
    response = client.post(note.data["url"])
    assert response["Content-Type"] == "application/zip"
    data = _zip_json(response.content)

    assert data["profile"]["email"] == NEEDLES["email"]
    assert data["profile"]["organisation"] == NEEDLES["organisation"]
    assert "password" not in data["profile"]
    assert [t["title"] for t in data["threads"]] == ["Outreach in rural hubs"]
    texts = {p["text"] for p in data["posts"]}
    assert texts == {"We use a minibus.", "Second version of my reply"}
    edited = next(p for p in data["posts"] if p["id"] == reply.pk)
    assert edited["revisions"][0]["before"] == "First version of my reply"
    assert data["reactions"][0]["post"] == others_post.pk and data["reactions"][0]["kind"] == "like"
    assert data["bookmarks"][0]["post"] == others_post.pk
    assert data["notification_settings"]["digest"] == "daily"
    assert {s["target_id"] for s in data["notification_settings"]["following"]} >= {thread.pk}
    assert data["event_registrations"][0]["event"] == "Reaching fathers"
    assert data["consultation_requests"]["requests"][0]["contact_phone"] == "020 7946 0000"
    assert [(c["kind"], c["granted"]) for c in data["consents"]] == [
        ("newsletter", True), ("newsletter", False), ("research", True)
    ]  # fmt: skip
    assert data["reports"]["flags"][0]["note"] == "Looks like an advert"
    # Nobody else's data: the other member's email is not in the file.
    assert "olive@example.org" not in response.content.decode("latin-1")


def test_export_downloads_once_then_is_deleted(client, committed, adult):
    client.force_login(adult)
    with committed():
        client.post(reverse("privacy:request_export"))
    export = DataExport.objects.get(user=adult)
    storage, name = export.file.storage, export.file.name
    url = reverse("privacy:download_export", args=[export.pk])
    assert storage.exists(name)
    with committed():
        assert client.post(url).status_code == 200
    assert not storage.exists(name)
    export.refresh_from_db()
    assert export.state == "downloaded" and not export.file
    second = client.post(url)
    assert second.status_code == 410 and "already been used" in second.content.decode()


def test_nobody_else_can_download_an_export(client, committed, adult):
    with committed():
        actions.request_export(user=adult)
    export = DataExport.objects.get(user=adult)
    client.force_login(make_moderator())
    assert client.post(reverse("privacy:download_export", args=[export.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.take_export(user=make_user(), export=export)


# --- Delete my account ------------------------------------------------------------------


def _text_fields(model):
    return [
        f for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField, models.JSONField))
    ]  # fmt: skip


def _find_anywhere(needle: str) -> list[str]:
    found = []
    for model in apps.get_models():
        for field in _text_fields(model):
            if model._base_manager.filter(**{f"{field.name}__icontains": needle}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_deletion_waits_for_the_grace_period_and_can_be_undone(client, adult, committed):
    client.force_login(adult)
    with committed():
        response = client.post(reverse("privacy:delete_account"), {"confirm": "on"})
    assert response.status_code == 302
    request = DeletionRequest.objects.get(user=adult)
    assert request.due_at - timezone.now() > timedelta(days=13)
    assert Notification.objects.filter(user=adult, kind="deletion_scheduled").exists()
    assert actions.complete_due_deletions() == 0  # not due yet
    client.post(reverse("privacy:cancel_deletion"))
    request.refresh_from_db()
    assert request.state == "cancelled"
    assert actions.complete_due_deletions(now=timezone.now() + timedelta(days=30)) == 0
    adult.refresh_from_db()
    assert adult.is_active


def test_deleting_needs_the_confirmation_box(client, adult):
    client.force_login(adult)
    response = client.post(reverse("privacy:delete_account"), {})
    assert response.status_code == 400 and not DeletionRequest.objects.exists()


def test_erasure_leaves_no_personal_data_in_any_table(seeded, committed):
    member, thread, reply, others_post = seeded
    for needle in NEEDLES.values():
        assert _find_anywhere(needle), f"seed should have put {needle!r} somewhere"
    actions.request_deletion(user=member)
    later = timezone.now() + timedelta(days=15)
    assert actions.complete_due_deletions(now=later) == 1
    for needle in NEEDLES.values():
        assert _find_anywhere(needle) == [], needle
    # Posts stay, credited to the placeholder; the conversation still reads.
    placeholder = account_actions.placeholder_member()
    assert Post.objects.get(pk=reply.pk).author == placeholder
    assert Thread.objects.get(pk=thread.pk).author == placeholder
    assert Post.objects.filter(thread=thread).count() == 3
    assert "Former member" in Post.objects.get(thread=thread, number=3).source
    assert not placeholder.is_active and not placeholder.has_usable_password()
    assert DeletionRequest.objects.get().state == "completed"


def test_erasure_removes_contact_phone_from_kept_supportline_cases(seeded):
    from community.supportline.models import ConsultationRequest

    member = seeded[0]
    actions.request_deletion(user=member)
    actions.complete_due_deletions(now=timezone.now() + timedelta(days=15))
    case = ConsultationRequest.objects.get()
    assert case.contact_phone == "" and case.preferred_times == ""


def test_open_safeguarding_concern_holds_the_deletion(seeded):
    member, thread, reply, others_post = seeded
    dsl = make_moderator(is_safeguarding_lead=True)
    moderation_actions.flag_post(flagger=dsl, post=reply, reason="safeguarding", note="Worrying")
    actions.request_deletion(user=member)
    later = timezone.now() + timedelta(days=15)
    assert actions.complete_due_deletions(now=later) == 0
    member.refresh_from_db()
    assert Post.objects.get(pk=reply.pk).author == member
    assert DeletionRequest.objects.get().held_at is not None
    concern = SafeguardingConcern.objects.get()
    moderation_actions.update_concern(actor=dsl, concern=concern, state="closed", note="Resolved")
    assert actions.complete_due_deletions(now=later) == 1
    assert _find_anywhere(NEEDLES["email"]) == []


def test_management_command_completes_due_deletions(adult):
    DeletionRequest.objects.create(user=adult, due_at=timezone.now() - timedelta(minutes=1))
    out = io.StringIO()
    call_command("complete_deletions", stdout=out)
    assert "1 account(s) deleted" in out.getvalue()
    assert not type(adult).objects.filter(pk=adult.pk).exists()


def test_cancelling_without_a_request_is_a_clear_400(client, adult):
    client.force_login(adult)
    response = client.post(reverse("privacy:cancel_deletion"))
    assert response.status_code == 400 and "not scheduled" in response.content.decode()
    with pytest.raises(ValidationError):
        actions.cancel_deletion(user=adult)


def test_subscriptions_and_notifications_go_with_the_member(seeded):
    member = seeded[0]
    pk = member.pk
    actions.request_deletion(user=member)
    actions.complete_due_deletions(now=timezone.now() + timedelta(days=15))
    assert not Subscription.objects.filter(user_id=pk).exists()
    assert not Notification.objects.filter(user_id=pk).exists()
