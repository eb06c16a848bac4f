from __future__ import annotations

import re

from django.conf import settings
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


# "~" is outside the characters sign-up allows in a username, so no member can take this one.
SYSTEM_USERNAME = "~system"


@transaction.atomic
def system_member() -> User:
    """The member automatic actions (a thread's timer) are credited to, created on demand.

    It is inactive and has no usable password, so it can never sign in by any way in.
    """
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "email": "system@network.invalid",
            "display_name": "Family Hubs Network",
            "is_active": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def placeholder_member() -> User:
    """The single "Former member" account that deleted members' posts are credited to."""
    user, created = User.objects.get_or_create(
        username=settings.FORMER_MEMBER_USERNAME,
        defaults={
            "email": f"{settings.FORMER_MEMBER_USERNAME}@invalid.invalid",
            "display_name": str(_("Former member")),
            "role": User.Role.PRACTITIONER,
            "is_active": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
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


@transaction.atomic
def set_avatar(*, user: User, upload) -> User:
    """Store an adult's photo as their avatar: re-encoded, square, without metadata.

    Members under 18 keep their initials (a face, a uniform or a place gives a child away).
    """
    import secrets

    from django.core.files.base import ContentFile

    from .avatars import prepare_avatar

    if user.is_minor:
        raise PermissionDenied(
            _("Members under 18 show their initials instead of a photo, to keep them safe.")
        )
    content = prepare_avatar(upload)
    old = user.avatar.name if user.avatar else ""
    user.avatar.save(f"{user.pk}-{secrets.token_hex(6)}.jpg", ContentFile(content), save=False)
    user.save(update_fields=["avatar"])
    if old:
        storage, name = user.avatar.storage, old
        transaction.on_commit(lambda: storage.delete(name))
    return user


@transaction.atomic
def remove_avatar(*, user: User) -> User:
    """Go back to initials."""
    if user.avatar:
        storage, name = user.avatar.storage, user.avatar.name
        user.avatar = ""
        user.save(update_fields=["avatar"])
        transaction.on_commit(lambda: storage.delete(name))
    return user
