"""Who may see and change library resources: each rule as a predicate and as a queryset.

Readers see a resource once it has a published version (archived ones too, with a
banner). The working copy (drafts, reviews, feedback, the log) is for its owner, its
reviewers, and moderators and staff.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from community.forum.permissions import can_read_thread, is_moderator, layout_class

from .models import Credit, Resource

State = Resource.State


def _is_member(user) -> bool:
    return bool(user and user.is_authenticated)


def visible_resources(user, qs: QuerySet[Resource] | None = None) -> QuerySet[Resource]:
    """Resources this user may open: published ones, and the ones they own or review."""
    qs = Resource.objects.all() if qs is None else qs
    if is_moderator(user):
        return qs
    public = Q(current_version__isnull=False)
    if not _is_member(user):
        return qs.filter(public)
    reviewing = Resource.reviewers.through.objects.filter(user_id=user.pk).values("resource_id")
    return qs.filter(public | Q(owner=user) | Q(pk__in=reviewing))


# A copy of what `visible_resources` tests, kept beside each resource in another table (the
# search index's documents): its audience, and its owner. Reviewers are not copied; the
# column form reads them afresh.
READERS = "readers"  # it has a published version: every reader may open it
WORKERS = "workers"  # only its working copy: its owner, reviewers, moderators and staff
RESOURCE_COPY_FIELDS = ("audience", "owner_id", "pk")


def resource_audience(resource: Resource) -> str:
    """Who may open the resource, as a copy of it records it (see READERS, WORKERS)."""
    return READERS if resource.current_version_id is not None else WORKERS


def visible_resources_by_columns(user, columns: Mapping[str, str]) -> Q:
    """The column form of `visible_resources`: the same rule as a filter on a table that
    copies each resource's audience (`resource_audience`) and owner into columns of its own
    (`columns` maps each of RESOURCE_COPY_FIELDS to its column; "pk" to the resource's id),
    so that table is filtered without a join to resources. The copy is only as fresh as its
    owner keeps it."""
    missing = set(RESOURCE_COPY_FIELDS) - set(columns)
    if missing:
        raise ValueError(f"No column for {sorted(missing)}")
    if is_moderator(user):
        return Q()
    public = Q(**{columns["audience"]: READERS})
    if not _is_member(user):
        return public
    reviewing = Resource.reviewers.through.objects.filter(user_id=user.pk).values("resource_id")
    return public | Q(**{columns["owner_id"]: user.pk}) | Q(**{f"{columns['pk']}__in": reviewing})


def public_resources(qs: QuerySet[Resource] | None = None) -> QuerySet[Resource]:
    """What the library page, the feed and visitors list: published and not archived."""
    qs = Resource.objects.all() if qs is None else qs
    return qs.filter(current_version__isnull=False).exclude(state=State.ARCHIVED)


def _reviewer_ids(resource: Resource) -> set[int]:
    cached = getattr(resource, "_reviewer_ids", None)
    if cached is None:
        cached = {u.pk for u in resource.reviewers.all()}
        resource._reviewer_ids = cached
    return cached


def is_reviewer(user, resource: Resource) -> bool:
    return _is_member(user) and user.pk in _reviewer_ids(resource)


def can_work_on(user, resource: Resource) -> bool:
    """Owner, reviewers, moderators and staff: they see the working copy, feedback and the log."""
    if not _is_member(user):
        return False
    return is_moderator(user) or resource.owner_id == user.pk or is_reviewer(user, resource)


def can_read_resource(user, resource: Resource) -> bool:
    return resource.is_public or can_work_on(user, resource)


def can_create_resource(user) -> bool:
    return is_moderator(user)


def library_page_class(user) -> tuple | None:
    """Which members share one library page, or None for a page of the viewer's own.

    Its rows are the same for everyone (``public_resources``); what differs between members
    outside the page's holes is the layout's links (``forum.permissions.layout_class``) and
    the library's own buttons, which follow from being a moderator
    (``can_create_resource``). Visitors have the anonymous page cache."""
    layout = layout_class(user)
    if layout is None:
        return None
    return ("library", can_create_resource(user), *layout)


def can_curate_thread(user, thread) -> bool:
    return is_moderator(user) and can_read_thread(user, thread)


def _owns_or_moderates(user, resource: Resource) -> bool:
    return _is_member(user) and (is_moderator(user) or resource.owner_id == user.pk)


def can_edit_resource(user, resource: Resource) -> bool:
    # Archived resources are closed; in review the text is frozen while reviewers read it.
    return _owns_or_moderates(user, resource) and resource.state in (
        State.DRAFT,
        State.PUBLISHED,
        State.REVIEW_DUE,
    )


def can_submit_for_review(user, resource: Resource) -> bool:
    return _owns_or_moderates(user, resource) and resource.state in (
        State.DRAFT,
        State.PUBLISHED,
        State.REVIEW_DUE,
    )


def can_review(user, resource: Resource) -> bool:
    return resource.state == State.IN_REVIEW and is_reviewer(user, resource)


def can_publish(user, resource: Resource) -> bool:
    return _owns_or_moderates(user, resource) and resource.state == State.IN_REVIEW


def can_archive(user, resource: Resource) -> bool:
    return _owns_or_moderates(user, resource) and resource.state != State.ARCHIVED


def can_unarchive(user, resource: Resource) -> bool:
    """Whoever may archive a resource may bring it back, e.g. after archiving it by mistake."""
    return _owns_or_moderates(user, resource) and resource.state == State.ARCHIVED


def can_rate(user, resource: Resource) -> bool:
    return _is_member(user) and resource.is_public and resource.state != State.ARCHIVED


# --- Crediting co-producers by name --------------------------------------------------------
#
# Members make a standing choice about being credited by name on their privacy page
# (privacy's "credit" consent); privacy, above the library, registers how to read it, so the
# library never imports privacy. The choice feeds each resource's own consent: a standing
# yes agrees for an adult when their words are curated, a standing no withdraws their name
# everywhere. Whether a name is shown is then decided by `shows_name` alone.

_standing_credit_readers: list[Callable[[object], bool | None]] = []


def register_standing_credit_choice(reader: Callable[[object], bool | None]) -> None:
    """Privacy registers its reader of a member's standing choice (None: never chosen)."""
    if reader not in _standing_credit_readers:
        _standing_credit_readers.append(reader)


def standing_credit_choice(member) -> bool | None:
    for reader in _standing_credit_readers:
        choice = reader(member)
        if choice is not None:
            return choice
    return None


def shows_name(credit: Credit) -> bool:
    """The one rule for naming a co-producer, wherever the library credits them (the resource
    page, every published version's quotes, the working copy): they agreed for this resource
    and have not taken their name back, here or by a standing "no" on their privacy page."""
    return credit.consent == Credit.Consent.GIVEN and credit.credit_withdrawn_at is None


def can_answer_credit(user, credit: Credit) -> bool:
    """Only the credited person answers for themselves."""
    return _is_member(user) and credit.user_id == user.pk


def can_see_due_list(user) -> bool:
    return is_moderator(user)


def eligible_reviewers() -> QuerySet:
    """Members who may be asked to review: moderators, staff, experts and verified professionals."""
    User = get_user_model()
    return User.objects.filter(is_active=True).filter(
        Q(role__in=[User.Role.MODERATOR, User.Role.STAFF, User.Role.EXPERT])
        | Q(is_verified=True, role__in=User.PROFESSIONAL_ROLES)
        | Q(is_superuser=True)
    )


def workers_on(resource: Resource) -> QuerySet:
    """Active members who may see this resource's working copy (bulk form of can_work_on)."""
    User = get_user_model()
    return User.objects.filter(is_active=True).filter(
        Q(is_superuser=True)
        | Q(role__in=User.MODERATING_ROLES)
        | Q(pk=resource.owner_id)
        | Q(reviewing_resources=resource)
    )


def readers_of_resource(resource: Resource) -> QuerySet:
    """Active members who may read this resource (bulk form of can_read_resource)."""
    User = get_user_model()
    if resource.is_public:
        return User.objects.filter(is_active=True)
    return workers_on(resource)
