"""Who may see, mention, message and upload as whom: the members' privacy rule.

Children (13–17) get the ICO Children's code's high-privacy defaults: only moderators and
centre staff see their profile, find them in member lists or mention suggestions, or start
a private conversation with them. Every read path that shows members (pages, search, the
API, feeds, notifications, sockets) goes through these functions.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from .models import User


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def sees_minors(viewer) -> bool:
    """Moderators and centre staff (and superusers) may see children's accounts."""
    return _signed_in(viewer) and viewer.is_moderator


def _minor_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}age_band__in": list(User.MINOR_AGE_BANDS)})


def visible_members(viewer, qs: QuerySet | None = None) -> QuerySet:
    """Active members this viewer may find in lists, search and suggestions."""
    qs = get_user_model().objects.filter(is_active=True) if qs is None else qs
    if not _signed_in(viewer):
        # Visitors see no member directory at all; profiles of adults stay open by link.
        return qs.exclude(_minor_q())
    if sees_minors(viewer):
        return qs
    # A member always finds themself, a child included.
    return qs.exclude(_minor_q() & ~Q(pk=viewer.pk))


def can_view_profile(viewer, member) -> bool:
    """A child's profile is for themself, moderators and staff only."""
    if not member.is_active and not sees_minors(viewer):
        return False
    if not member.is_minor:
        return True
    return sees_minors(viewer) or (_signed_in(viewer) and viewer.pk == member.pk)


def can_mention(author, member) -> bool:
    """Only moderators and staff can mention (and so link and notify) a child."""
    return not member.is_minor or sees_minors(author)


def mentionable_members(author, qs: QuerySet | None = None) -> QuerySet:
    """The bulk form of `can_mention`."""
    qs = get_user_model().objects.filter(is_active=True) if qs is None else qs
    if sees_minors(author):
        return qs
    return qs.exclude(_minor_q())


def can_use_network(member) -> bool:
    """The one suspension rule: may this account act through any way in at all?

    Every way in asks it: the session backends, API keys, open sockets, webhook owners.
    A suspended or deactivated account may not. (Silencing only stops writing: see the
    forum's and conversations' posting rules.)
    """
    return bool(member is not None and member.is_active and not member.is_suspended)


def can_write(member) -> bool:
    """The one silencing rule: may this member write in public (post, reply, edit, react)?

    A silenced member reads but does not write, through any way in (pages, API, email);
    private messages to moderators and staff stay open to them (`can_message`).
    """
    return can_use_network(member) and not member.is_silenced


def can_upload(user) -> bool:
    """Children cannot attach files: photos give away faces, places and school uniforms."""
    return _signed_in(user) and (not user.is_minor or user.is_moderator)


def can_message(sender, recipient) -> bool:
    """Private conversations: a child only with moderators and staff, in either direction."""
    if not (_signed_in(sender) and recipient.is_active) or sender.pk == recipient.pk:
        return False
    if not can_use_network(sender):
        return False
    if not can_write(sender) and not sees_minors(recipient):
        return False  # silenced: only moderators and staff can still be written to
    if sender.is_minor or recipient.is_minor:
        return sees_minors(sender) or sees_minors(recipient)
    return True


def can_verify_members(user) -> bool:
    return _signed_in(user) and user.is_centre_staff
