"""Who is told about feedback from families: the safeguarding leads, when words flag a risk."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from .. import kinds
from ..recording import handles, notify


@handles("feedback.received")
def feedback_safeguarding_alert(event: dict) -> None:
    if not event.get("safeguarding"):
        return
    leads = (
        get_user_model()
        .objects.filter(Q(is_safeguarding_lead=True) | Q(is_superuser=True), is_active=True)
        .values_list("pk", flat=True)
    )
    url = reverse("feedback:response", args=[event["response_id"]])
    notify(leads, kinds.FEEDBACK_SAFEGUARDING.name, data={"title": "", "url": url})
