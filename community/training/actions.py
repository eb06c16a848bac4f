"""Every change to events and proposals: check permission, write in one transaction,
publish what happened on commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from community import markup
from community.events import publish_on_commit
from community.forum import actions as forum_actions
from community.forum.models import Space, Topic
from community.forum.uploads import PreparedUpload

from . import permissions
from .models import Event, Feedback, FeedToken, Material, Proposal, Registration, Support

DAY_BEFORE = timedelta(days=1)
HOUR_BEFORE = timedelta(hours=1)


@dataclass(frozen=True)
class EventDetails:
    """What staff enter for an event; times are aware (the form makes them so in London time)."""

    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    format: str = Event.Format.ONLINE
    region: object | None = None
    venue: str = ""
    address: str = ""
    online_url: str = ""
    audience: str = Event.Audience.EVERYONE
    registration_deadline: datetime | None = None
    hosts: str = ""
    topics: tuple = ()


def _require_staff(user) -> None:
    if not permissions.is_event_staff(user):
        raise PermissionDenied(_("Only centre staff can manage events."))


def _validate(details: EventDetails) -> None:
    errors = {}
    if len(details.title.strip()) < 5:
        errors["title"] = _("Give the event a title of at least 5 characters.")
    if len(details.description.strip()) < 10:
        errors["description"] = _("Describe the event in at least 10 characters.")
    if details.starts_at.tzinfo is None or details.ends_at.tzinfo is None:
        raise ValueError("event times must be aware datetimes")
    if details.ends_at <= details.starts_at:
        errors["ends_at"] = _("The event must end after it starts.")
    if details.capacity < 1:
        errors["capacity"] = _("An event needs at least one place.")
    if details.registration_deadline and details.registration_deadline > details.starts_at:
        errors["registration_deadline"] = _("Close registration before the event starts.")
    if details.format in (Event.Format.IN_PERSON, Event.Format.HYBRID) and not (
        details.venue.strip() and details.address.strip()
    ):
        errors["venue"] = _("Give the venue and its address for an in-person or hybrid event.")
    if details.format == Event.Format.ONLINE and (details.venue or details.address):
        errors["venue"] = _("An online event has no venue: choose hybrid, or clear the venue.")
    if errors:
        raise ValidationError(errors)


def _apply(event: Event, details: EventDetails) -> None:
    rendered = markup.render(details.description.strip())
    event.title = " ".join(details.title.split())
    event.description = details.description.strip()
    event.description_html = rendered.html
    event.description_text = rendered.text
    event.starts_at = details.starts_at
    event.ends_at = details.ends_at
    event.format = details.format
    event.region = details.region
    event.venue = details.venue.strip()
    event.address = details.address.strip()
    event.online_url = details.online_url.strip()
    event.audience = details.audience
    event.registration_deadline = details.registration_deadline
    event.hosts = details.hosts.strip()


@transaction.atomic
def create_event(*, actor, details: EventDetails, proposal: Proposal | None = None) -> Event:
    """Schedule an event; when it answers a proposal, the proposal's supporters are told."""
    _require_staff(actor)
    _validate(details)
    event = Event(created_by=actor, capacity=details.capacity)
    _apply(event, details)
    event.save()
    event.topics.set(details.topics)
    publish_on_commit({"type": "training.event_created", "event_id": event.pk})
    if proposal is not None:
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != Proposal.Status.OPEN:
            raise ValidationError(_("That proposal has already been scheduled or closed."))
        proposal.status = Proposal.Status.SCHEDULED
        proposal.event = event
        proposal.save(update_fields=["status", "event"])
        publish_on_commit(
            {
                "type": "training.proposal_scheduled",
                "proposal_id": proposal.pk,
                "event_id": event.pk,
                "actor_id": actor.pk,
            }
        )
    return event


def _lock(event: Event) -> Event:
    # Every change to places happens under this row lock, so two members never take the
    # last place together (PostgreSQL); SQLite serialises writers anyway.
    # of=("self",): PostgreSQL refuses to lock the nullable side of the region join.
    return Event.objects.select_for_update(of=("self",)).select_related("region").get(pk=event.pk)


def _fill_places(event: Event, now: datetime) -> list[int]:
    """Promote from the waitlist, first come first served, while places are free."""
    free = event.capacity - event.confirmed_count
    if free <= 0 or event.is_cancelled or event.starts_at <= now:
        return []
    promoted = list(
        Registration.objects.filter(event=event, status=Registration.Status.WAITLISTED)
        .order_by("queued_at", "pk")
        .values_list("pk", "user_id")[:free]
    )
    if not promoted:
        return []
    pks = [pk for pk, _uid in promoted]
    Registration.objects.filter(pk__in=pks).update(
        status=Registration.Status.CONFIRMED,
        confirmed_at=now,
        reminded_day_at=now if event.starts_at - now <= DAY_BEFORE else None,
    )
    event.confirmed_count += len(pks)
    event.waitlist_count -= len(pks)
    Event.objects.filter(pk=event.pk).update(
        confirmed_count=event.confirmed_count, waitlist_count=event.waitlist_count
    )
    user_ids = [uid for _pk, uid in promoted]
    publish_on_commit({"type": "training.promoted", "event_id": event.pk, "user_ids": user_ids})
    return user_ids


@transaction.atomic
def register_for_event(*, user, event: Event) -> Registration:
    """Take a place, or join the waitlist when the event is full."""
    now = timezone.now()
    event = _lock(event)
    refusal = permissions.registration_refusal(user, event, now)
    if refusal:
        raise PermissionDenied(refusal)
    registration = Registration.objects.filter(event=event, user=user).first()
    if registration is not None and registration.status != Registration.Status.CANCELLED:
        return registration
    has_place = event.confirmed_count < event.capacity and event.waitlist_count == 0
    status = Registration.Status.CONFIRMED if has_place else Registration.Status.WAITLISTED
    fields = {
        "status": status,
        "queued_at": now,
        "confirmed_at": now if has_place else None,
        "cancelled_at": None,
        "attended": None,
        # A place taken within a day of the start: the confirmation is the day's reminder.
        "reminded_day_at": now if has_place and event.starts_at - now <= DAY_BEFORE else None,
        "reminded_hour_at": None,
    }
    if registration is None:
        registration = Registration.objects.create(event=event, user=user, **fields)
    else:
        for name, value in fields.items():
            setattr(registration, name, value)
        registration.save()
    if has_place:
        Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") + 1)
    else:
        Event.objects.filter(pk=event.pk).update(waitlist_count=F("waitlist_count") + 1)
    publish_on_commit(
        {
            "type": "training.registered",
            "event_id": event.pk,
            "user_id": user.pk,
            "status": status,
        }
    )
    return registration


@transaction.atomic
def cancel_registration(*, user, event: Event) -> Registration:
    """Give up a place (or leave the waitlist); the first person waiting takes the place."""
    now = timezone.now()
    event = _lock(event)
    registration = Registration.objects.select_for_update().filter(event=event, user=user).first()
    if registration is None or registration.status == Registration.Status.CANCELLED:
        raise ValidationError(_("You are not registered for this event."))
    if event.ends_at <= now:
        raise ValidationError(_("This event has finished."))
    was = registration.status
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    if was == Registration.Status.CONFIRMED:
        event.confirmed_count -= 1
    else:
        event.waitlist_count -= 1
    Event.objects.filter(pk=event.pk).update(
        confirmed_count=event.confirmed_count, waitlist_count=event.waitlist_count
    )
    publish_on_commit(
        {"type": "training.registration_cancelled", "event_id": event.pk, "user_id": user.pk}
    )
    _fill_places(event, now)
    return registration


def _registrant_ids(event: Event) -> list[int]:
    return list(
        Registration.objects.filter(
            event=event,
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        ).values_list("user_id", flat=True)
    )


@transaction.atomic
def update_event(*, actor, event: Event, details: EventDetails) -> Event:
    """Change an event; when the time or place moves, everyone registered is told and
    reminders are sent afresh for the new time."""
    _require_staff(actor)
    event = _lock(event)
    if event.is_cancelled:
        raise ValidationError(_("A cancelled event cannot be changed."))
    _validate(details)
    if details.capacity < event.confirmed_count:
        raise ValidationError(
            {
                "capacity": _(
                    "%(count)d people already have a place: the capacity cannot go below that."
                )
                % {"count": event.confirmed_count}
            }
        )
    before = (
        event.starts_at,
        event.ends_at,
        event.format,
        event.venue,
        event.address,
        event.online_url,
    )
    _apply(event, details)
    event.capacity = details.capacity
    after = (
        event.starts_at,
        event.ends_at,
        event.format,
        event.venue,
        event.address,
        event.online_url,
    )
    moved = before != after
    event.sequence += 1
    event.updated_at = timezone.now()
    event.save()
    event.topics.set(details.topics)
    if before[:2] != after[:2]:
        Registration.objects.filter(event=event).update(reminded_day_at=None, reminded_hour_at=None)
    # Any change to the event's text or details (search keeps its index in step).
    publish_on_commit(
        {"type": "training.event_updated", "event_id": event.pk, "actor_id": actor.pk}
    )
    if moved:
        publish_on_commit(
            {
                "type": "training.event_changed",
                "event_id": event.pk,
                "actor_id": actor.pk,
                "user_ids": _registrant_ids(event),
            }
        )
    _fill_places(event, timezone.now())
    return event


@transaction.atomic
def cancel_event(*, actor, event: Event, reason: str) -> Event:
    """Cancel the event and tell everyone registered or waiting, with the reason."""
    _require_staff(actor)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": _("Tell people why the event is cancelled.")})
    event = _lock(event)
    if event.is_cancelled:
        raise ValidationError(_("This event is already cancelled."))
    user_ids = _registrant_ids(event)
    event.status = Event.Status.CANCELLED
    event.cancellation_reason = reason
    event.sequence += 1
    event.updated_at = timezone.now()
    event.save(update_fields=["status", "cancellation_reason", "sequence", "updated_at"])
    publish_on_commit(
        {
            "type": "training.event_cancelled",
            "event_id": event.pk,
            "actor_id": actor.pk,
            "user_ids": user_ids,
            "reason": reason,
        }
    )
    return event


@transaction.atomic
def mark_attendance(*, actor, event: Event, attended_ids: Iterable[int]) -> int:
    """Record who came: everyone with a place is marked present or absent."""
    _require_staff(actor)
    attended = set(attended_ids)
    confirmed = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
    confirmed.filter(user_id__in=attended).update(attended=True)
    confirmed.exclude(user_id__in=attended).update(attended=False)
    return confirmed.filter(attended=True).count()


@transaction.atomic
def message_registrants(
    *, actor, event: Event, subject: str, body: str, include_waitlist: bool = False
) -> int:
    """Send a message from the organisers to everyone with a place (and the waitlist)."""
    _require_staff(actor)
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    errors = {}
    if len(subject) < 3:
        errors["subject"] = _("Give the message a subject.")
    if len(body) < 5:
        errors["body"] = _("Write the message.")
    if errors:
        raise ValidationError(errors)
    statuses = [Registration.Status.CONFIRMED]
    if include_waitlist:
        statuses.append(Registration.Status.WAITLISTED)
    user_ids = list(
        Registration.objects.filter(event=event, status__in=statuses).values_list(
            "user_id", flat=True
        )
    )
    publish_on_commit(
        {
            "type": "training.message",
            "event_id": event.pk,
            "actor_id": actor.pk,
            "user_ids": user_ids,
            "subject": subject[:200],
            "body": body[:5000],
        }
    )
    return len(user_ids)


@transaction.atomic
def add_material(
    *,
    actor,
    event: Event,
    kind: str,
    title: str,
    url: str = "",
    upload: PreparedUpload | None = None,
    resource=None,
) -> Material:
    """Attach slides or a recording to the event: a link, a checked file, or a published
    resource from the library."""
    from community.library.models import Resource

    _require_staff(actor)
    title = " ".join((title or "").split()) or (resource.title if resource is not None else "")
    if not title:
        raise ValidationError({"title": _("Give the material a title.")})
    if sum(map(bool, (url, upload, resource))) != 1:
        raise ValidationError({"url": _("Give one of: a link, a file, or a library resource.")})
    if resource is not None and resource.state != Resource.State.PUBLISHED:
        raise ValidationError({"resource": _("Only a published library resource can be attached.")})
    material = Material(
        event=event, kind=kind, title=title, url=url, resource=resource, added_by=actor
    )
    if upload is not None:
        material.original_name = upload.name
        material.content_type = upload.content_type
        material.file.save(upload.name, ContentFile(upload.content), save=False)
    material.save()
    return material


@transaction.atomic
def submit_feedback(
    *, user, event: Event, rating: int, most_useful: str = "", improve: str = ""
) -> Feedback:
    """Record an attendee's feedback; a second submission replaces the first."""
    registration = Registration.objects.filter(event=event, user=user).first()
    if not permissions.can_give_feedback(user, event, registration):
        raise PermissionDenied(_("Feedback is for people who attended, once the event is over."))
    if rating not in Feedback.Rating.values:
        raise ValidationError({"rating": _("Choose a rating from 1 to 5.")})
    feedback, _created = Feedback.objects.update_or_create(
        event=event,
        user=user,
        defaults={
            "rating": rating,
            "most_useful": (most_useful or "").strip()[:4000],
            "improve": (improve or "").strip()[:4000],
            "created_at": timezone.now(),
        },
    )
    return feedback


@transaction.atomic
def start_discussion(*, actor, event: Event):
    """Open a forum thread for the event in its regional group (or the national space)."""
    _require_staff(actor)
    event = _lock(event)
    if event.discussion_thread_id:
        return event.discussion_thread
    space = (
        Space.objects.filter(region_id=event.region_id).first()
        if event.region_id
        else Space.objects.filter(kind=Space.Kind.NATIONAL).first()
    )
    topic = event.topics.first() or Topic.objects.order_by("name").first()
    when = event.starts_local.strftime("%-d %B %Y")
    thread = forum_actions.start_thread(
        author=actor,
        space=space,
        topic=topic,
        title=(_("Event discussion: %(title)s") % {"title": event.title})[:200],
        source=_(
            "A place to talk about **%(title)s** (%(when)s): questions beforehand, and what "
            "you took away afterwards.\n\nEvent page: %(url)s"
        )
        % {"title": event.title, "when": when, "url": event.get_absolute_url()},
    )
    event.discussion_thread = thread
    event.save(update_fields=["discussion_thread"])
    return thread


def feed_token_for(*, user) -> FeedToken:
    """The member's private calendar token, made on first use."""
    token, _created = FeedToken.objects.get_or_create(
        user=user, defaults={"token": FeedToken.new_token()}
    )
    return token


@transaction.atomic
def reset_feed_token(*, user) -> FeedToken:
    """Give the member a new private feed address; the old one stops working."""
    token = feed_token_for(user=user)
    token.token = FeedToken.new_token()
    token.created_at = timezone.now()
    token.save(update_fields=["token", "created_at"])
    return token


@dataclass(frozen=True)
class ReminderRun:
    day: int
    hour: int


def send_due_reminders(*, now: datetime | None = None) -> ReminderRun:
    """Remind everyone with a place a day and an hour before; each reminder goes once.

    Safe to run often and from several workers: a registration is claimed by a
    conditional update before its reminder is published.
    """
    now = now or timezone.now()
    sent = {"day": 0, "hour": 0}
    base = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        event__status=Event.Status.SCHEDULED,
        event__starts_at__gt=now,
        user__is_active=True,
    )
    # The hour reminder first: a registration due both gets only the hour one.
    for which, window, field, also in (
        ("hour", HOUR_BEFORE, "reminded_hour_at", {"reminded_day_at": now}),
        ("day", DAY_BEFORE, "reminded_day_at", {}),
    ):
        due = list(
            base.filter(
                **{f"{field}__isnull": True, "event__starts_at__lte": now + window}
            ).values_list("pk", "event_id", "user_id")
        )
        by_event: dict[int, list[int]] = {}
        for pk, event_id, user_id in due:
            with transaction.atomic():
                claimed = Registration.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(
                    **{field: now}
                )
                if also:
                    Registration.objects.filter(pk=pk, reminded_day_at__isnull=True).update(**also)
            if claimed:
                by_event.setdefault(event_id, []).append(user_id)
        for event_id, user_ids in by_event.items():
            with transaction.atomic():
                publish_on_commit(
                    {
                        "type": "training.reminder",
                        "event_id": event_id,
                        "user_ids": user_ids,
                        "which": which,
                    }
                )
            sent[which] += len(user_ids)
    return ReminderRun(day=sent["day"], hour=sent["hour"])


@transaction.atomic
def propose_topic(*, user, title: str, description: str, topic: Topic | None = None) -> Proposal:
    """Ask for training on a topic; the proposer's own support is counted."""
    if not permissions.can_propose(user):
        raise PermissionDenied(_("Sign in to propose a topic."))
    title = " ".join((title or "").split())
    description = (description or "").strip()
    errors = {}
    if len(title) < 5:
        errors["title"] = _("Give the proposal a title of at least 5 characters.")
    if len(title) > 200:
        errors["title"] = _("Keep the title under 200 characters.")
    if len(description) < 10:
        errors["description"] = _("Say in a sentence or two how it would help your hub.")
    if errors:
        raise ValidationError(errors)
    proposal = Proposal.objects.create(
        title=title, description=description[:4000], topic=topic, proposer=user, support_count=1
    )
    Support.objects.create(proposal=proposal, user=user)
    return proposal


@transaction.atomic
def support_proposal(*, user, proposal: Proposal) -> bool:
    """Add the member's one vote; True when it was new."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not permissions.can_support(user, proposal):
        raise PermissionDenied(_("This proposal is no longer open for support."))
    _support, created = Support.objects.get_or_create(proposal=proposal, user=user)
    if created:
        Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
    return created


@transaction.atomic
def withdraw_support(*, user, proposal: Proposal) -> bool:
    """Take the member's vote back; True when there was one."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not permissions.can_support(user, proposal):
        raise PermissionDenied(_("This proposal is no longer open for support."))
    deleted, _rows = Support.objects.filter(proposal=proposal, user=user).delete()
    if deleted:
        Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") - 1)
    return bool(deleted)
