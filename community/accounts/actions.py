from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

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


@transaction.atomic
def import_member(*, actor, username: str, display_name: str, email: str = "") -> User:
    """An account for a member of another forum whose posts are brought across.

    An ordinary member (practitioner, not verified, trust level 1) until staff set their role;
    no usable password, so they sign in by resetting it through their email address. A
    username already taken here gets a number; an unknown email gets a placeholder that can
    never receive mail.
    """
    if not (actor and actor.is_authenticated and actor.is_centre_staff):
        raise PermissionDenied(_("Only centre staff import members."))
    base = re.sub(r"[^\w.@+-]", "", username)[:140] or "member"
    unique, n = base, 1
    while User.objects.filter(username__iexact=unique).exists():
        n += 1
        unique = f"{base}{n}"
    email = email.strip().lower()
    if not email or User.objects.filter(email__iexact=email).exists():
        email = f"{unique.lower()}@imported.invalid"
    member = User(username=unique, display_name=(display_name or unique)[:80], email=email,
                  trust_level=1)  # fmt: skip
    member.set_unusable_password()
    member.save()
    return member
