"""Who is told what about the library: rows written inside the transaction of the change.

Every recipient is checked against the library's own rule (`readers_of_resource`), so a
draft's notifications reach only its owner, reviewers and moderators; consent requests
point at the credit page, which only the credited person may open.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from community.library import permissions
from community.library.models import Credit, Resource

from .. import kinds
from ..recording import handles, notify


def _resource(event: dict) -> Resource:
    return Resource.objects.select_related("current_version").get(pk=event["resource_id"])


def _actor_name(event: dict) -> str:
    actor_id = event.get("actor_id")
    if actor_id is None:
        return _("The library")
    actor = get_user_model().objects.filter(pk=actor_id).first()
    return (actor.display_name or actor.username) if actor else ""


def _title(resource: Resource) -> str:
    return resource.current_version.title if resource.current_version else resource.title


def _people(resource: Resource, *, owner=True, reviewers=True, credited=False) -> set[int]:
    ids: set[int] = set()
    if owner:
        ids.add(resource.owner_id)
    if reviewers:
        ids.update(resource.reviewers.values_list("pk", flat=True))
    if credited:
        ids.update(
            resource.credits.filter(
                consent=Credit.Consent.GIVEN, credit_withdrawn_at__isnull=True
            ).values_list("user_id", flat=True)
        )
    return ids


def _tell(resource: Resource, event: dict, user_ids: set[int], kind: kinds.Kind, **data) -> None:
    allowed = set(
        permissions.readers_of_resource(resource)
        .filter(pk__in=list(user_ids))
        .values_list("pk", flat=True)
    )
    notify(
        allowed,
        kind.name,
        data={
            "title": _title(resource),
            "actor": _actor_name(event),
            "url": resource.get_absolute_url(),
            **data,
        },
        actor_id=event.get("actor_id"),
    )


@handles("library.curated")
def consent_requested(event: dict) -> None:
    resource = _resource(event)
    credits = Credit.objects.filter(pk__in=event.get("credit_ids", []), resource=resource)
    actor = _actor_name(event)
    for credit in credits:
        notify(
            [credit.user_id],
            kinds.LIBRARY_CONSENT.name,
            data={
                "title": resource.title,
                "actor": actor,
                "url": reverse("library:credit", args=[credit.pk]),
            },
            actor_id=event.get("actor_id"),
        )


@handles("library.submitted")
def review_requested(event: dict) -> None:
    resource = _resource(event)
    _tell(resource, event, set(event.get("reviewer_ids", [])), kinds.LIBRARY_REVIEW_REQUESTED)


@handles("library.reviewed")
def reviewed(event: dict) -> None:
    resource = _resource(event)
    verdict = _("approved") if event.get("approved") else _("asked for changes to")
    _tell(resource, event, {resource.owner_id}, kinds.LIBRARY_REVIEWED, verdict=verdict)


@handles("library.published")
def published(event: dict) -> None:
    resource = _resource(event)
    _tell(resource, event, _people(resource, credited=True), kinds.LIBRARY_PUBLISHED)


@handles("library.review_due")
def review_due(event: dict) -> None:
    resource = _resource(event)
    _tell(resource, event, _people(resource), kinds.LIBRARY_REVIEW_DUE)


@handles("library.archived")
def archived(event: dict) -> None:
    resource = _resource(event)
    _tell(resource, event, _people(resource, credited=True), kinds.LIBRARY_ARCHIVED)


CREDIT_CHANGES = {
    "library.credit_withdrawn": lambda e: _("withdrew their credit"),
    "library.words_withdrawn": lambda e: _("withdrew their words"),
    "library.credit_answered": lambda e: (
        _("agreed to be credited") if e.get("consent") else _("declined to be quoted")
    ),
}


@handles(*CREDIT_CHANGES)
def credit_changed(event: dict) -> None:
    resource = _resource(event)
    change = CREDIT_CHANGES[event["type"]](event)
    _tell(resource, event, {resource.owner_id}, kinds.LIBRARY_CREDIT_CHANGED, change=change)


@handles("library.feedback")
def feedback(event: dict) -> None:
    resource = _resource(event)
    _tell(resource, event, _people(resource), kinds.LIBRARY_FEEDBACK)
