"""A thread's links to the library, as a panel on the forum's thread page (forum/panels.py)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import render_to_string

from community.forum import panels
from community.fragments import cached, register_page_reads

from . import permissions
from .models import Resource, ResourceVersion

# The resources curated from each thread, kept in the shared cache: asked on every thread page
# and changed rarely. Forgotten whenever a resource, a version or its reviewers change; the
# timeout bounds a change made with QuerySet.update().
RESOURCES_SECONDS = 10 * 60


def _key(thread_id) -> str:
    return f"library:from-thread:{thread_id}"


def resources_key_for(request, thread) -> list[str]:
    """The thread's library links' key, read with the rest of its page (page_reads)."""
    return [_key(thread.pk)]


def resources_from_thread(thread_id: int) -> list[Resource]:
    """Every resource curated from the thread (whoever may open it), one cache read."""
    resources = cached(_key(thread_id))
    if resources is None:
        resources = list(
            Resource.objects.filter(source_thread_id=thread_id)
            .select_related("current_version")
            .prefetch_related("reviewers")
            .order_by("pk")
        )
        for resource in resources:
            # What can_read_resource asks, worked out now so the cached copy answers it.
            resource._reviewer_ids = {u.pk for u in resource.reviewers.all()}
            resource._prefetched_objects_cache = {}
        cache.set(_key(thread_id), resources, RESOURCES_SECONDS)
    return resources


def library_links(holes, thread) -> str:
    """Resources curated from this thread that the viewer may open (owners and reviewers see
    drafts: the library's own rule) and, for moderators, a link to curate it."""
    user = getattr(holes.request, "user", None)
    if user is None:
        return ""
    resources = [
        r for r in resources_from_thread(thread.pk) if permissions.can_read_resource(user, r)
    ]
    can_curate = permissions.can_curate_thread(user, thread)
    if not resources and not can_curate:
        return ""
    context = {"resources": resources, "can_curate": can_curate, "thread": thread}
    return render_to_string("library/_thread_links.html", context)


def _forget(thread_id) -> None:
    if thread_id is not None:
        cache.delete(_key(thread_id))


def _resource_changed(sender, instance: Resource, **kwargs) -> None:
    _forget(instance.source_thread_id)


def _version_changed(sender, instance: ResourceVersion, **kwargs) -> None:
    _forget(
        Resource.objects.filter(pk=instance.resource_id)
        .values_list("source_thread_id", flat=True)
        .first()
    )


def _reviewers_changed(sender, instance, **kwargs) -> None:
    if isinstance(instance, Resource):
        _forget(instance.source_thread_id)
    else:  # changed from the member's side: forget every thread it touches
        for thread_id in (
            kwargs.get("model")
            .objects.filter(pk__in=kwargs.get("pk_set") or ())
            .values_list("source_thread_id", flat=True)
        ):
            _forget(thread_id)


def register() -> None:
    panels.register(
        panels.ThreadPanel(name="library", slot="header", order=30, render_for=library_links)
    )
    register_page_reads("thread-page", resources_key_for)
    for signal in (post_save, post_delete):
        signal.connect(_resource_changed, sender=Resource, dispatch_uid=f"library-links-{signal}")
        signal.connect(_version_changed, sender=ResourceVersion, dispatch_uid=f"library-v-{signal}")
    m2m_changed.connect(
        _reviewers_changed, sender=Resource.reviewers.through, dispatch_uid="library-links-rev"
    )
