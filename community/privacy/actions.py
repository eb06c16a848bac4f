"""Members' rights and the checks around them: consents, verification, data export, account
deletion, appeals, visitors' reports and the accessibility statement's review.

Each action checks permission, writes in one transaction, logs where a decision was made,
and publishes its events on commit.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from community import ratelimits
from community.accounts import permissions as member_permissions
from community.events import publish_on_commit
from community.forum import permissions as forum_permissions
from community.forum.models import Post, Status
from community.moderation.log import log
from community.moderation.models import ModerationLog, ReviewItem, SafeguardingConcern

from .consents import TEXTS
from .erasure import erase_member
from .models import Appeal, Consent, DataExport, DeletionRequest, StatementReview

# --- Consents ---------------------------------------------------------------------------


@transaction.atomic
def set_consent(*, user, kind: str, granted: bool) -> Consent:
    """Record the member's choice for one consent, with the wording they were shown."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Sign in to manage your consents."))
    if kind not in Consent.Kind.values:
        raise ValidationError({"kind": _("There is no such consent.")})
    version, text = TEXTS[kind]
    consent = Consent.objects.create(
        user=user, kind=kind, granted=bool(granted), text_version=version, text=str(text)
    )
    if kind == Consent.Kind.CREDIT:
        from community.library.actions import apply_standing_credit_choice

        apply_standing_credit_choice(member=user, granted=bool(granted))
    return consent


def standing_credit_choice(member) -> bool | None:
    """The member's latest "credit me by name" choice, None if never made (read by the library)."""
    return (
        Consent.objects.filter(user=member, kind=Consent.Kind.CREDIT)
        .order_by("-created_at", "-pk")
        .values_list("granted", flat=True)
        .first()
    )


# --- Verified professionals ----------------------------------------------------------------


def domain_is_allowed(email: str) -> bool:
    """True when the address's domain is on VERIFIED_EMAIL_DOMAINS ("*.gov.uk" covers subdomains)."""
    domain = email.rsplit("@", 1)[-1].strip().lower()
    for allowed in settings.VERIFIED_EMAIL_DOMAINS:
        allowed = allowed.strip().lower()
        if allowed.startswith("*."):
            if domain.endswith(allowed[1:]):
                return True
        elif domain == allowed:
            return True
    return False


@transaction.atomic
def verify_by_email_domain(*, user, email: str) -> bool:
    """Mark a practitioner, commissioner or expert verified when their confirmed address is on
    the allow-list. True if this verified them."""
    if (
        user.is_verified
        or user.role not in user.PROFESSIONAL_ROLES
        or user.email.lower() != email.lower()
        or not domain_is_allowed(email)
    ):
        return False
    user.is_verified = True
    user.save(update_fields=["is_verified"])
    log(actor=None, action="member.verified", target=user,
        reason=f"confirmed email domain {email.rsplit('@', 1)[-1].lower()}")  # fmt: skip
    publish_on_commit({"type": "member.verified", "user_id": user.pk, "verified": True})
    return True


@transaction.atomic
def set_verified(*, staff, member, verified: bool, reason: str = "") -> None:
    """Centre staff verify a professional by hand (or take the mark away)."""
    if not member_permissions.can_verify_members(staff):
        raise PermissionDenied(_("Only centre staff can verify members."))
    if verified and member.role not in member.PROFESSIONAL_ROLES:
        raise ValidationError(
            {"member": _("Only practitioners, commissioners and experts can be verified.")}
        )
    if member.is_verified == verified:
        return
    member.is_verified = verified
    member.save(update_fields=["is_verified"])
    log(actor=staff, action="member.verified" if verified else "member.unverified",
        target=member, reason=reason)  # fmt: skip
    publish_on_commit({"type": "member.verified", "user_id": member.pk, "verified": verified})


# --- Download my data -------------------------------------------------------------------


@transaction.atomic
def request_export(*, user) -> DataExport:
    """Start building the member's data export in the background (one at a time)."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Sign in to download your data."))
    existing = DataExport.objects.filter(
        user=user, state__in=[DataExport.State.PENDING, DataExport.State.READY]
    ).first()
    if existing is not None:
        return existing
    export = DataExport.objects.create(user=user)
    # The worker is started by the privacy receiver that hears this (tasks call actions,
    # never the other way round).
    publish_on_commit(
        {"type": "privacy.export_requested", "export_id": export.pk, "user_id": user.pk}
    )
    return export


@transaction.atomic
def finish_export(*, export: DataExport, content: bytes) -> DataExport:
    """Store the built ZIP and tell the member it is ready."""
    from django.core.files.base import ContentFile

    export = DataExport.objects.select_for_update().get(pk=export.pk)
    if export.state != DataExport.State.PENDING:
        return export
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    export.file.save(f"data-{export.user_id}-{stamp}.zip", ContentFile(content), save=False)
    export.state = DataExport.State.READY
    export.ready_at = timezone.now()
    export.save(update_fields=["file", "state", "ready_at"])
    publish_on_commit(
        {"type": "privacy.export_ready", "export_id": export.pk, "user_id": export.user_id}
    )
    return export


@transaction.atomic
def take_export(*, user, export: DataExport) -> bytes:
    """Hand the ZIP to its owner once, then delete the file."""
    export = DataExport.objects.select_for_update().get(pk=export.pk)
    if export.user_id != getattr(user, "pk", None):
        raise PermissionDenied(_("This download is not yours."))
    if export.state != DataExport.State.READY:
        raise ValidationError(
            {"export": _("This download has already been used. Ask for a new one.")}
        )
    with export.file.open("rb") as handle:
        content = handle.read()
    name = export.file.name
    export.file = ""
    export.state = DataExport.State.DOWNLOADED
    export.downloaded_at = timezone.now()
    export.save(update_fields=["file", "state", "downloaded_at"])
    storage = DataExport._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(name))
    return content


# --- Delete my account ------------------------------------------------------------------


def grace_period() -> timedelta:
    return timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)


def scheduled_deletion(user) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(user=user, state=DeletionRequest.State.SCHEDULED).first()


@transaction.atomic
def request_deletion(*, user) -> DeletionRequest:
    """Schedule the member's account for deletion at the end of the grace period."""
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Sign in to delete your account."))
    existing = scheduled_deletion(user)
    if existing is not None:
        return existing
    request = DeletionRequest.objects.create(user=user, due_at=timezone.now() + grace_period())
    publish_on_commit(
        {"type": "privacy.deletion_requested", "user_id": user.pk, "request_id": request.pk,
         "due_at": request.due_at.isoformat()}
    )  # fmt: skip
    return request


@transaction.atomic
def cancel_deletion(*, user) -> DeletionRequest:
    """Undo a scheduled deletion during the grace period."""
    request = (
        DeletionRequest.objects.select_for_update()
        .filter(user=user, state=DeletionRequest.State.SCHEDULED)
        .first()
    )
    if request is None:
        raise ValidationError({"deletion": _("Your account is not scheduled for deletion.")})
    request.state = DeletionRequest.State.CANCELLED
    request.finished_at = timezone.now()
    request.save(update_fields=["state", "finished_at"])
    return request


def safeguarding_hold(user) -> bool:
    """An open safeguarding concern about the member's words (a post or a private message)
    keeps their posts as they are."""
    return SafeguardingConcern.objects.filter(
        Q(post__author=user) | Q(author=user),
        state__in=[SafeguardingConcern.State.OPEN, SafeguardingConcern.State.ESCALATED],
    ).exists()


@transaction.atomic
def complete_deletion(*, request: DeletionRequest, now: datetime | None = None) -> bool:
    """Erase the member if the request is due and no safeguarding hold applies. True if erased."""
    now = now or timezone.now()
    request = (
        DeletionRequest.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=request.pk)
    )
    if request.state != DeletionRequest.State.SCHEDULED or request.due_at > now:
        return False
    user = request.user
    if safeguarding_hold(user):
        request.held_at = now
        request.save(update_fields=["held_at"])
        log(actor=None, action="account.deletion_held", target=request,
            reason="open safeguarding concern about the member's posts")  # fmt: skip
        return False
    request.state = DeletionRequest.State.COMPLETED
    request.finished_at = now
    request.save(update_fields=["state", "finished_at"])
    erase_member(user)
    log(actor=None, action="account.deleted", target=request)
    return True


def complete_due_deletions(*, now: datetime | None = None) -> int:
    """Erase every member whose grace period has ended (held ones wait). Returns how many."""
    now = now or timezone.now()
    due = DeletionRequest.objects.filter(state=DeletionRequest.State.SCHEDULED, due_at__lte=now)
    return sum(complete_deletion(request=r, now=now) for r in list(due))


# --- Appeals ----------------------------------------------------------------------------

APPEALABLE = ("review.hide", "review.delete", "review.reject", "post.auto_hidden")


def appealable_decision(post: Post) -> ModerationLog | None:
    """The moderation decision that took this post down, if it is still down."""
    if post.status != Status.HIDDEN and post.deleted_at is None:
        return None
    if post.deleted_at is not None and post.deleted_by_id == post.author_id:
        return None  # the author deleted it themself
    return (
        ModerationLog.objects.filter(target_type="post", target_id=post.pk, action__in=APPEALABLE)
        .order_by("-id")
        .first()
    )


def can_appeal(user, post: Post) -> bool:
    return (
        bool(user and user.is_authenticated)
        and post.author_id == user.pk
        and appealable_decision(post) is not None
        and not Appeal.objects.filter(post=post, state=Appeal.State.OPEN).exists()
    )


@transaction.atomic
def appeal_decision(*, member, post: Post, statement: str) -> Appeal:
    """Ask for a moderation decision about the member's own post to be looked at again."""
    statement = (statement or "").strip()
    decision = appealable_decision(post)
    if not (member and member.is_authenticated) or post.author_id != member.pk or decision is None:
        raise PermissionDenied(_("There is no decision about this post that you can appeal."))
    if len(statement) < 10:
        raise ValidationError({"statement": _("Tell us in a sentence or two why the decision was wrong.")})  # fmt: skip
    if Appeal.objects.filter(post=post, state=Appeal.State.OPEN).exists():
        raise ValidationError({"statement": _("You have already appealed this decision.")})
    appeal = Appeal.objects.create(
        post=post, appellant=member, decided_by_id=decision.actor_id,
        decision=decision.action, statement=statement[:4000],
    )  # fmt: skip
    log(actor=member, action="appeal.opened", target=post, reason=statement[:4000])
    publish_on_commit(
        {"type": "appeal.opened", "appeal_id": appeal.pk, "post_id": post.pk,
         "decided_by_id": decision.actor_id, "appellant_id": member.pk}
    )  # fmt: skip
    return appeal


def appealable_message_decision(message) -> str | None:
    """The decision that hid a private message, if a moderator hid it and it is still hidden.

    A message hidden at once by a safeguarding report waits for a moderator's review first.
    """
    if message.hidden_at is None or message.hidden_by_id is None:
        return None
    return "review.hide"


def can_appeal_message(user, message) -> bool:
    return (
        bool(user and user.is_authenticated)
        and message.author_id == user.pk
        and appealable_message_decision(message) is not None
        and not Appeal.objects.filter(message=message, state=Appeal.State.OPEN).exists()
    )


@transaction.atomic
def appeal_message_decision(*, member, message, statement: str) -> Appeal:
    """Ask for a moderator's decision to hide the member's own private message to be looked
    at again, by a different moderator."""
    from community.conversations.models import Message

    message = Message.objects.select_for_update().get(pk=message.pk)
    statement = (statement or "").strip()
    decision = appealable_message_decision(message)
    if not (member and member.is_authenticated) or message.author_id != member.pk or not decision:
        raise PermissionDenied(_("There is no decision about this message that you can appeal."))
    if len(statement) < 10:
        raise ValidationError({"statement": _("Tell us in a sentence or two why the decision was wrong.")})  # fmt: skip
    if Appeal.objects.filter(message=message, state=Appeal.State.OPEN).exists():
        raise ValidationError({"statement": _("You have already appealed this decision.")})
    appeal = Appeal.objects.create(
        message=message, appellant=member, decided_by_id=message.hidden_by_id,
        decision=decision, statement=statement[:4000],
    )  # fmt: skip
    log(actor=member, action="appeal.opened", target=message, reason=statement[:4000])
    publish_on_commit(
        {"type": "appeal.opened", "appeal_id": appeal.pk, "post_id": None,
         "message_id": message.pk, "decided_by_id": message.hidden_by_id,
         "appellant_id": member.pk}
    )  # fmt: skip
    return appeal


def can_decide_appeal(user, appeal: Appeal) -> bool:
    """Any moderator but the one who made the decision (and never the appellant)."""
    return (
        forum_permissions.is_moderator(user)
        and user.pk != appeal.decided_by_id
        and user.pk != appeal.appellant_id
    )


@transaction.atomic
def decide_appeal(*, moderator, appeal: Appeal, overturn: bool, reason: str) -> Appeal:
    """A different moderator upholds or overturns the decision; the member is told."""
    from community.forum import actions as forum_actions
    from community.moderation import actions as moderation_actions

    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("post__thread", "message")
        .get(pk=appeal.pk)
    )
    if not can_decide_appeal(moderator, appeal):
        raise PermissionDenied(
            _("An appeal must be decided by a different moderator from the one who made the decision.")
        )  # fmt: skip
    if appeal.state != Appeal.State.OPEN:
        raise ValidationError({"reason": _("Another moderator has already decided this appeal.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the member a reason for the outcome.")})
    if appeal.message_id is not None:
        return _decide_message_appeal(moderator=moderator, appeal=appeal, overturn=overturn, reason=reason)  # fmt: skip
    post = appeal.post
    before = {"status": post.status, "deleted": post.deleted_at is not None}
    if overturn:
        if post.deleted_at is not None:
            forum_actions.restore_post(actor=moderator, post=post)
            post.refresh_from_db()
        if post.status == Status.HIDDEN:
            moderation_actions.unhide_post(post)
    post.refresh_from_db()
    appeal.state = Appeal.State.OVERTURNED if overturn else Appeal.State.UPHELD
    appeal.reviewer = moderator
    appeal.outcome_reason = reason[:4000]
    appeal.resolved_at = timezone.now()
    appeal.save(update_fields=["state", "reviewer", "outcome_reason", "resolved_at"])
    log(actor=moderator, action=f"appeal.{appeal.state}", target=post, reason=reason,
        before=before, after={"status": post.status, "deleted": post.deleted_at is not None})  # fmt: skip
    # The thread and its space: an overturned hide restores the post (or a whole thread, its
    # first post) on their pages and lists (pagecache.invalidate starts a new generation).
    publish_on_commit(
        {"type": "appeal.decided", "appeal_id": appeal.pk, "post_id": post.pk,
         "thread_id": post.thread_id, "space_id": post.thread.space_id,
         "appellant_id": appeal.appellant_id, "state": appeal.state, "moderator_id": moderator.pk}
    )  # fmt: skip
    return appeal


def _decide_message_appeal(*, moderator, appeal: Appeal, overturn: bool, reason: str) -> Appeal:
    from community.conversations import actions as conversation_actions

    message = appeal.message
    before = {"hidden": message.is_hidden}
    if overturn:
        message = conversation_actions.unhide_message(moderator=moderator, message=message)
    appeal.state = Appeal.State.OVERTURNED if overturn else Appeal.State.UPHELD
    appeal.reviewer = moderator
    appeal.outcome_reason = reason[:4000]
    appeal.resolved_at = timezone.now()
    appeal.save(update_fields=["state", "reviewer", "outcome_reason", "resolved_at"])
    log(actor=moderator, action=f"appeal.{appeal.state}", target=message, reason=reason,
        before=before, after={"hidden": message.is_hidden})  # fmt: skip
    publish_on_commit(
        {"type": "appeal.decided", "appeal_id": appeal.pk, "post_id": None,
         "message_id": message.pk, "appellant_id": appeal.appellant_id, "state": appeal.state,
         "moderator_id": moderator.pk}
    )  # fmt: skip
    return appeal


# --- Reports from visitors --------------------------------------------------------------

VISITOR_REASONS = {
    "safeguarding": (_("Safeguarding concern: a child or adult may be at risk"), ReviewItem.Priority.SAFEGUARDING),
    "self_harm": (_("Someone may harm themselves"), ReviewItem.Priority.SAFEGUARDING),
    "personal_info": (_("Personal information about a child or family"), ReviewItem.Priority.HIGH),
    "illegal": (_("Illegal content"), ReviewItem.Priority.HIGH),
    "inappropriate": (_("Inappropriate or offensive"), ReviewItem.Priority.NORMAL),
    "spam": (_("Spam or advertising"), ReviewItem.Priority.NORMAL),
    "other": (_("Something else"), ReviewItem.Priority.NORMAL),
}  # fmt: skip


def _rate_key(ip: str) -> str:
    return "visitor-report:" + hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()


@transaction.atomic
def report_as_visitor(*, post: Post, reason: str, note: str, ip: str) -> ReviewItem:
    """A signed-out visitor reports public content: it joins the review queue (by priority).

    Visitors' reports never hide anything by themselves (that would let anyone take down
    any post); safeguarding ones go to the top of the queue and alert the safeguarding leads.
    """
    from django.contrib.auth.models import AnonymousUser

    if not forum_permissions.can_read_post(AnonymousUser(), post):
        raise PermissionDenied(_("Only public posts can be reported without signing in."))
    if reason not in VISITOR_REASONS:
        raise ValidationError({"reason": _("Choose what is wrong with the post.")})
    note = (note or "").strip()
    if reason == "other" and not note:
        raise ValidationError({"note": _("Tell the moderators what is wrong.")})
    ratelimits.check(
        "visitor-report", _rate_key(ip), limit=settings.VISITOR_REPORTS_PER_HOUR, window=3600,
        message=_("You have sent several reports in the last hour. Please wait %(wait)s and try again later, or call 999 in an emergency."),
    )  # fmt: skip
    label, priority = VISITOR_REASONS[reason]
    text = _("Visitor report: %(label)s") % {"label": label}
    if note:
        text += f" — “{note[:500]}”"
    post = Post.objects.select_related("thread__space", "author").get(pk=post.pk)
    item, created = ReviewItem.objects.get_or_create(
        kind=ReviewItem.Kind.FLAGGED_POST, post=post, state=ReviewItem.State.PENDING,
        defaults={"priority": priority, "user": post.author, "reasons": [text],
                  "region_id": post.thread.space.region_id or post.author.home_region_id},
    )  # fmt: skip
    if not created:
        item.priority = min(item.priority, priority)
        item.reasons = sorted(set(item.reasons) | {text})
        item.save(update_fields=["priority", "reasons"])
    log(actor=None, action="post.visitor_report", target=post, reason=text)
    publish_on_commit(
        {"type": "post.reported_by_visitor", "post_id": post.pk, "thread_id": post.thread_id,
         "review_item_id": item.pk, "reason": reason, "urgent": priority == ReviewItem.Priority.SAFEGUARDING}
    )  # fmt: skip
    return item


# --- The accessibility statement --------------------------------------------------------


@transaction.atomic
def record_statement_review(*, staff, reviewed_on: date, note: str = "") -> StatementReview:
    """Staff record that they reviewed the accessibility statement."""
    if not (staff and staff.is_authenticated and staff.is_centre_staff):
        raise PermissionDenied(_("Only centre staff can update the accessibility statement."))
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("The review date cannot be in the future.")})
    return StatementReview.objects.create(
        reviewed_on=reviewed_on, reviewed_by=staff, note=(note or "").strip()[:300]
    )
