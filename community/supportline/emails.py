"""SupportLine's emails: the confirmation, the visitor's invitation, and case updates.

Each is a task run after the commit that caused it, and each checks again, at send time,
that the recipient may still see the case.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from community.siteaddress import site_url

CALENDAR_TYPE = "text/calendar; method=REQUEST; charset=utf-8"


def _site() -> str:
    return site_url()


def _send(*, to: str, subject: str, template: str, context: dict, ics: bytes | None = None):
    body = render_to_string(f"supportline/email/{template}.txt", {**context, "site": _site()})
    message = EmailMessage(
        subject=f"[Family Hubs Network] {subject}",
        body=body,
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    if ics is not None:
        message.attach("consultation.ics", ics, CALENDAR_TYPE)
    message.send()


def _case_for(case_id: int, user_id: int):
    """The case and the recipient, if the recipient may still see it; otherwise None."""
    from django.contrib.auth import get_user_model

    from . import permissions
    from .models import ConsultationRequest

    case = (
        ConsultationRequest.objects.select_related(
            "requester", "assigned_expert", "booked_slot", "region"
        )
        .filter(pk=case_id)
        .first()
    )
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if case is None or user is None or not permissions.can_view_case(user, case):
        return None, None
    return case, user


@task
def send_confirmation(case_id: int) -> bool:
    """Confirm a new request to its requester, with its reference."""
    from .models import ConsultationRequest

    case = ConsultationRequest.objects.select_related("requester").filter(pk=case_id).first()
    if case is None or case.via_invitation:
        return False  # an invited visitor's confirmation is part of their invitation
    _send(
        to=case.requester.email,
        subject=f"We have your SupportLine request {case.reference}",
        template="confirmation",
        context={"case": case, "user": case.requester},
    )
    return True


@task
def send_invitation(email_address_id: int, case_id: int) -> bool:
    """Invite a visitor to take up their account: one link confirms the address, signs them
    in and lets them choose a password (allauth's signed confirmation key)."""
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    from .models import ConsultationRequest

    address = EmailAddress.objects.select_related("user").filter(pk=email_address_id).first()
    case = ConsultationRequest.objects.filter(pk=case_id).first()
    if address is None or case is None or address.verified:
        return False
    key = EmailConfirmationHMAC(address).key
    _send(
        to=address.email,
        subject=f"We have your SupportLine request {case.reference}: confirm your email",
        template="invitation",
        context={
            "case": case,
            "user": address.user,
            "url": _site() + reverse("supportline:invitation", args=[key]),
        },
    )
    return True


@task
def send_existing_account_notice(email: str) -> bool:
    """Tell an address that already has an account to sign in and ask there."""
    _send(
        to=email,
        subject="Your SupportLine request: please sign in",
        template="existing_account",
        context={"url": _site() + reverse("supportline:request")},
    )
    return True


@task
def send_case_update(case_id: int, user_id: int, text: str, with_invitation: bool = False) -> bool:
    """Tell one person what changed on a case they may see (with the .ics once it is booked)."""
    case, user = _case_for(case_id, user_id)
    if case is None:
        return False
    ics = None
    if with_invitation and case.booked_slot_id:
        from .calendar import consultation_invitation

        ics = consultation_invitation(case)
    _send(
        to=user.email,
        subject=f"SupportLine {case.reference}: {text}",
        template="update",
        context={
            "case": case,
            "user": user,
            "text": text,
            "url": _site() + case.get_absolute_url(),
        },
        ics=ics,
    )
    return True
