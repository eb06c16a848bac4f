"""Who is told what about SupportLine cases. Every recipient is kept only if they may see
the case (`viewers_of_case`, the bulk form of `can_view_case`); emails check again when
they are sent."""

from __future__ import annotations

from django.db import transaction

from community.supportline import emails, permissions
from community.supportline.models import CaseEvent, CaseMessage, ConsultationRequest

from .. import kinds
from ..recording import handles, notify

Kind = CaseEvent.Kind

# What the requester is told for each change of their case.
REQUESTER_TEXT = {
    Kind.TAKEN: "a member of the SupportLine team is looking after your request",
    Kind.TRIAGED: "your request is accepted for consultation",
    Kind.ASSIGNED: "an expert has been assigned: please choose a time for your consultation",
    Kind.BOOKED: "your consultation is booked for {note}",
    Kind.CLOSED: "your case is closed: please tell us how it went",
    Kind.DECLINED: "we cannot offer a consultation this time",
}


def _case(case_id: int) -> ConsultationRequest:
    return ConsultationRequest.objects.select_related("region", "requester").get(pk=case_id)


def _allowed(case: ConsultationRequest, user_ids) -> list[int]:
    wanted = [uid for uid in dict.fromkeys(user_ids) if uid]
    if not wanted:
        return []
    allowed = set(
        permissions.viewers_of_case(case).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    return [uid for uid in wanted if uid in allowed]


def _data(case: ConsultationRequest, **extra) -> dict:
    return {
        "reference": case.reference,
        "title": case.reference,
        "region": case.region.name,
        "url": case.get_absolute_url(),
        **extra,
    }


def _email(case_id: int, user_ids: list[int], text: str, *, with_invitation: bool = False):
    def send() -> None:
        for uid in user_ids:
            emails.send_case_update.enqueue(case_id, uid, text, with_invitation)

    transaction.on_commit(send)


def _staff_or_owner(case: ConsultationRequest) -> list[int]:
    if case.owner_id:
        return [case.owner_id]
    return list(permissions.supportline_staff().values_list("pk", flat=True))


@handles("supportline.case_submitted")
def _on_submitted(event: dict) -> None:
    case = _case(event["case_id"])
    notify(
        _allowed(case, [case.requester_id]),
        kinds.SUPPORTLINE_RECEIVED.name,
        data=_data(case),
    )
    notify(
        _allowed(case, permissions.supportline_staff().values_list("pk", flat=True)),
        kinds.SUPPORTLINE_NEW.name,
        data=_data(case),
        actor_id=case.requester_id,
    )
    case_id = case.pk
    transaction.on_commit(lambda: emails.send_confirmation.enqueue(case_id))


@handles("supportline.case_changed")
def _on_changed(event: dict) -> None:
    case = _case(event["case_id"])
    change = CaseEvent.objects.get(pk=event["case_event_id"])
    actor_id = event.get("actor_id")
    if change.kind == Kind.REMINDED:
        owners = _allowed(case, _staff_or_owner(case))
        notify(owners, kinds.SUPPORTLINE_OVERDUE.name, data=_data(case))
        _email(case.pk, owners, "overdue for a first response")
        return
    text = REQUESTER_TEXT.get(change.kind)
    if text is None:
        return
    text = text.format(note=change.note)
    requester = _allowed(case, [case.requester_id])
    # The requester always hears, even of a change they made themselves (booking a slot).
    notify(requester, kinds.SUPPORTLINE_UPDATE.name, data=_data(case, what=text))
    _email(case.pk, requester, text, with_invitation=change.kind == Kind.BOOKED)
    if change.kind == Kind.ASSIGNED:
        expert = _allowed(case, [case.assigned_expert_id])
        notify(expert, kinds.SUPPORTLINE_ASSIGNED.name, data=_data(case), actor_id=actor_id)
        _email(case.pk, expert, "you were asked to advise on this case")
    elif change.kind == Kind.BOOKED:
        expert = _allowed(case, [case.assigned_expert_id])
        booked = f"consultation booked for {change.note}"
        others = _allowed(case, [case.assigned_expert_id, case.owner_id])
        notify(others, kinds.SUPPORTLINE_UPDATE.name, data=_data(case, what=booked))
        _email(case.pk, expert, booked, with_invitation=True)
    elif change.kind == Kind.CLOSED:
        others = _allowed(case, [case.assigned_expert_id, case.owner_id])
        notify(
            others,
            kinds.SUPPORTLINE_UPDATE.name,
            data=_data(case, what="case closed"),
            actor_id=actor_id,
        )


@handles("supportline.message_posted")
def _on_message(event: dict) -> None:
    case = _case(event["case_id"])
    message = CaseMessage.objects.select_related("author").get(pk=event["message_id"])
    author_id = message.author_id
    wanted = [case.requester_id, case.assigned_expert_id, *_staff_or_owner(case)]
    recipients = [uid for uid in _allowed(case, wanted) if uid != author_id]
    notify(
        recipients,
        kinds.SUPPORTLINE_MESSAGE.name,
        data=_data(case, actor=message.author.display_name),
        actor_id=author_id,
    )
    # Email the requester and the expert; staff work from the queue and the bell.
    emailed = [uid for uid in recipients if uid in (case.requester_id, case.assigned_expert_id)]
    _email(case.pk, emailed, f"new message from {message.author.display_name}")
