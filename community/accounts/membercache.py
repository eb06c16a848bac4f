"""The signed-in member's row, read from the shared cache instead of PostgreSQL.

Every signed-in request loads its member; reading the row from PostgreSQL was a query on
every page. The row is kept in the shared cache under its primary key and forgotten whenever
it is saved or deleted (the model's own signals, so every `save()` anywhere counts); code
that writes members with `QuerySet.update()` calls `forget_member` itself (only
`moderation/trust.py` does). Suspension and silencing are times compared with now, so a
cached row answers them correctly as time passes.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

# Bounds how long a row written behind Django's back (raw SQL, a shell) can be served.
MEMBER_CACHE_SECONDS = 10 * 60


def member_cache_key(user_id) -> str:
    return f"member:{user_id}"


_key = member_cache_key


def cached_member(user_id):
    """The member with this primary key (None if there is none), from the cache when there."""
    key = _key(user_id)
    user = cache.get(key)
    if user is None:
        User = get_user_model()
        user = User._default_manager.filter(pk=user_id).first()
        if user is None:
            return None
        cache.set(key, user, MEMBER_CACHE_SECONDS)
    return user


def forget_member(user_id) -> None:
    """Drop the cached row: call after writing members without `save()`."""
    cache.delete(_key(user_id))


def _forget_on_change(sender, instance, **kwargs) -> None:
    forget_member(instance.pk)


def connect() -> None:
    User = get_user_model()
    post_save.connect(_forget_on_change, sender=User, dispatch_uid="membercache-save")
    post_delete.connect(_forget_on_change, sender=User, dispatch_uid="membercache-delete")
