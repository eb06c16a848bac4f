"""Making and revoking API keys. A key's secret is shown once and stored only hashed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ApiKey
from .permissions import can_hold_api_key, can_manage_api_keys


@transaction.atomic
def create_api_key(*, actor, description: str, scope: str, user=None) -> tuple[ApiKey, str]:
    """Make a key, global (user None: it acts as whoever Api-Username names) or for one member;
    return it with its secret, which is not stored and cannot be shown again."""
    if actor is not None and not can_manage_api_keys(actor):
        raise PermissionDenied("Only centre staff can make API keys.")
    if scope not in ApiKey.Scope.values:
        raise ValidationError({"scope": "Choose read only, or read and write."})
    if user is not None and not can_hold_api_key(user):
        raise ValidationError(
            {"user": "A key cannot act as a young person or as a suspended account."}
        )
    description = description.strip()
    if not description:
        raise ValidationError({"description": "Say what the key is for."})
    key = ApiKey(description=description[:200], scope=scope, user=user, created_by=actor)
    secret = key.set_new_key()
    key.save()
    return key, secret


@transaction.atomic
def revoke_api_key(*, actor, key: ApiKey) -> ApiKey:
    """Stop a key working at once (it stays listed, with when it was revoked)."""
    if not can_manage_api_keys(actor):
        raise PermissionDenied("Only centre staff can revoke API keys.")
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db()
    return key
