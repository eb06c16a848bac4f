from __future__ import annotations

from django.db import transaction

from .models import User

PROFILE_FIELDS = ("display_name", "organisation", "home_region", "local_authority")


@transaction.atomic
def update_profile(*, user: User, changes: dict) -> User:
    """Change the member's own profile fields (never their role or verification)."""
    fields = [name for name in PROFILE_FIELDS if name in changes]
    for name in fields:
        setattr(user, name, changes[name])
    if fields:
        user.save(update_fields=fields)
    return user
