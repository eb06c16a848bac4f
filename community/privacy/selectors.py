"""Reads for the privacy pages: a fixed number of queries each."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from community.accounts import permissions as member_permissions

from .models import Appeal, Consent, DataExport, StatementReview


def member_directory(*, viewer, query: str = "", page: int = 1) -> tuple[list, bool]:
    """Members this viewer may find, by display name; children only for moderators and staff."""
    per_page = settings.MEMBERS_PER_PAGE
    qs = member_permissions.visible_members(viewer).select_related("home_region")
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(display_name__icontains=query) | Q(username__istartswith=query))
    start = (max(page, 1) - 1) * per_page
    rows = list(qs.order_by("display_name", "pk")[start : start + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def mention_suggestions(*, viewer, query: str, limit: int = 8) -> list[dict]:
    """Members to offer after "@": those the viewer may find and mention."""
    query = (query or "").strip().lstrip("@")
    if not query:
        return []
    qs = member_permissions.mentionable_members(
        viewer, member_permissions.visible_members(viewer)
    ).filter(Q(username__istartswith=query) | Q(display_name__icontains=query))
    return [
        {"username": u, "display_name": d}
        for u, d in qs.order_by("username").values_list("username", "display_name")[:limit]
    ]


def consents_of(user) -> tuple[dict[str, Consent | None], list[Consent]]:
    """The current choice for each consent, and the whole history, newest first (one query)."""
    history = list(Consent.objects.filter(user=user).order_by("-created_at", "-pk"))
    current: dict[str, Consent | None] = {kind: None for kind in Consent.Kind.values}
    for row in reversed(history):
        current[row.kind] = row
    return current, history


def exports_of(user) -> list[DataExport]:
    return list(DataExport.objects.filter(user=user).order_by("-requested_at", "-pk")[:5])


def open_appeals(*, viewer) -> QuerySet[Appeal]:
    """Open appeals, oldest first, with what a moderator needs to decide them."""
    return (
        Appeal.objects.filter(state=Appeal.State.OPEN)
        .select_related("post__thread", "message", "appellant", "decided_by")
        .order_by("created_at", "pk")
    )


def latest_statement_review() -> StatementReview | None:
    return StatementReview.objects.select_related("reviewed_by").first()
