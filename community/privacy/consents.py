"""The wording of each consent, versioned: a change of wording is a new version."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import Consent

# kind: (version, wording). Bump the version whenever the wording changes.
TEXTS = {
    Consent.Kind.NEWSLETTER: (
        "2025-01",
        _(
            "Send me the Family Hubs Network newsletter by email, about once a month. "
            "I can stop it at any time."
        ),
    ),
    Consent.Kind.RESEARCH: (
        "2025-01",
        _(
            "The National Centre for Family Hubs may contact me to ask whether I would like "
            "to take part in research. Saying yes here does not sign me up to anything."
        ),
    ),
    Consent.Kind.CREDIT: (
        "2025-01",
        _(
            "When something I helped to write goes into the library, I may be credited by my "
            "display name. Without this, contributions are credited anonymously."
        ),
    ),
}
