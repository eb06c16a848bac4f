from __future__ import annotations

from django.conf import settings


def navigation(request) -> dict:
    return {"safeguarding_contact": settings.SAFEGUARDING_CONTACT}
