"""Erasing a member: what they wrote stays, credited to "Former member"; everything that
identifies them goes, including copies of their name made elsewhere (a thread's "last poster",
"in reply to", other members' notifications and @mentions, the moderation log's notes)."""

from __future__ import annotations

import json
import re

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from community.accounts.actions import placeholder_member

from .models import DataExport

# Rows that must outlive the member although Django would cascade them away: the queue item
# about a post of theirs stays with the post.
KEEP_AND_REASSIGN = {("moderation", "reviewitem", "user")}
# Personal details on kept records, emptied rather than reassigned.
BLANK_FIELDS = {("supportline", "consultationrequest"): ("contact_phone", "preferred_times")}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def identifiers_of(user) -> dict[str, str]:
    """What would identify the member in text, each with what replaces it."""
    from allauth.account.models import EmailAddress

    placeholder = placeholder_member()
    found = {user.username: placeholder.username, user.display_name: placeholder.display_name}
    emails = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    for email in emails:
        found[email] = "[email removed]"
    if user.organisation:
        found[user.organisation] = "[organisation removed]"
    # Longest first, so "Asha Patel" is replaced before "asha" could split it.
    return dict(sorted(((k, v) for k, v in found.items() if k and len(k) >= 2),
                       key=lambda kv: -len(kv[0])))  # fmt: skip


def _pattern(identifier: str) -> re.Pattern:
    return re.compile(rf"(?<![\w-]){re.escape(identifier)}(?![\w-])", re.IGNORECASE)


def _scrub_value(value, patterns):
    if isinstance(value, str):
        for pattern, replacement in patterns:
            value = pattern.sub(replacement, value)
        return value
    text = json.dumps(value)
    for pattern, replacement in patterns:
        # Inside JSON, replacements are escaped so the document stays valid.
        text = pattern.sub(json.dumps(replacement)[1:-1], text)
    return json.loads(text)


def scrub_text_everywhere(identifiers: dict[str, str], *, skip_pk_of=None) -> int:
    """Replace every copy of the identifiers in every text and JSON column. Returns rows changed."""
    patterns = [(_pattern(k), v) for k, v in identifiers.items()]
    changed = 0
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        for field in fields:
            for identifier in identifiers:
                qs = model._base_manager.filter(**{f"{field.name}__icontains": identifier})
                if skip_pk_of is not None and model is type(skip_pk_of):
                    qs = qs.exclude(pk=skip_pk_of.pk)
                for pk, value in qs.values_list("pk", field.name):
                    new = _scrub_value(value, patterns)
                    if new != value:
                        # update(), not save(): the append-only moderation log refuses saves,
                        # but the law's right to erasure reaches it too.
                        model._base_manager.filter(pk=pk).update(**{field.name: new})
                        changed += 1
    return changed


def _reassign(user, placeholder) -> None:
    # include_hidden: relations named "+" (a revision's editor, a log's actor) count too.
    for relation in get_user_model()._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue
        if not relation.field.concrete:
            continue
        model = relation.related_model
        key = (model._meta.app_label, model._meta.model_name, relation.field.name)
        if relation.on_delete is models.PROTECT or key in KEEP_AND_REASSIGN:
            model._base_manager.filter(**{relation.field.name: user}).update(
                **{relation.field.name: placeholder}
            )
    for (app_label, model_name), names in BLANK_FIELDS.items():
        model = apps.get_model(app_label, model_name)
        owner = next(
            f.name for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is get_user_model()
            and f.remote_field.on_delete is models.PROTECT
        )  # fmt: skip
        model._base_manager.filter(**{f"{owner}": placeholder}).update(**{n: "" for n in names})


def erase_member(user) -> None:
    """Erase the member's personal data; keep their posts under the "Former member" placeholder.

    Runs inside the caller's transaction (complete_deletion). The caller checks the safeguarding
    hold first.
    """
    placeholder = placeholder_member()
    identifiers = identifiers_of(user)
    for export in DataExport.objects.filter(user=user).exclude(file=""):
        export.file.delete(save=False)
    if user.avatar:  # their photo
        user.avatar.delete(save=False)
    _reassign(user, placeholder)
    user.delete()
    scrub_text_everywhere(identifiers)
