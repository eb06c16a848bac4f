"""The review workflow: each transition, who may make it, its log entry and who is told."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from community.library import actions
from community.library.models import LogEntry, Resource
from notifications.models import Notification
from tests.factories import make_moderator, make_user

from .conftest import publish, resource_fields

pytestmark = pytest.mark.django_db
State = Resource.State


def test_members_who_are_not_moderators_cannot_create_resources():
    with pytest.raises(PermissionDenied):
        actions.create_resource(actor=make_user(), **resource_fields())


def test_create_resource_stores_sanitised_html_of_the_body(owner):
    resource = actions.create_resource(
        actor=owner, **resource_fields(source="Hello <script>alert(1)</script> **there**")
    )
    assert resource.state == State.DRAFT
    assert "<strong>there</strong>" in resource.html and "<script" not in resource.html


def test_create_resource_refuses_a_short_title_with_a_reason(owner):
    with pytest.raises(ValidationError) as exc:
        actions.create_resource(actor=owner, **resource_fields(title="Hub"))
    assert "title" in exc.value.message_dict


def test_submit_for_review_assigns_reviewers_and_tells_them(draft, owner, reviewer):
    actions.submit_for_review(actor=owner, resource=draft, reviewers=[reviewer])

    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW and draft.review_round == 1
    assert list(draft.reviewers.all()) == [reviewer]
    note = Notification.objects.get(user=reviewer)
    assert note.kind == "library_review_requested" and note.data["url"] == draft.get_absolute_url()


def test_owner_cannot_review_their_own_resource(draft, owner):
    with pytest.raises(ValidationError):
        actions.submit_for_review(actor=owner, resource=draft, reviewers=[owner])


def test_a_member_without_standing_cannot_be_a_reviewer(draft, owner):
    with pytest.raises(ValidationError):
        actions.submit_for_review(actor=owner, resource=draft, reviewers=[make_user()])


def test_only_owner_or_moderators_can_submit(draft, reviewer):
    with pytest.raises(PermissionDenied):
        actions.submit_for_review(actor=make_user(), resource=draft, reviewers=[reviewer])


def test_only_assigned_reviewers_can_review(draft, owner, reviewer):
    actions.submit_for_review(actor=owner, resource=draft, reviewers=[reviewer])
    for outsider in (make_user(role="expert"), make_moderator(), owner):
        with pytest.raises(PermissionDenied):
            actions.review_resource(actor=outsider, resource=draft, approve=True)


def test_asking_for_changes_needs_a_comment_and_returns_to_draft(draft, owner, reviewer):
    actions.submit_for_review(actor=owner, resource=draft, reviewers=[reviewer])
    with pytest.raises(ValidationError):
        actions.review_resource(actor=reviewer, resource=draft, approve=False, comment="")

    actions.review_resource(
        actor=reviewer, resource=draft, approve=False, comment="Add the evidence section."
    )

    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert Notification.objects.get(user=owner).kind == "library_reviewed"
    entry = draft.log.first()
    assert (entry.action, entry.from_state, entry.to_state) == (
        "changes_requested",
        State.IN_REVIEW,
        State.DRAFT,
    )


def test_publishing_waits_for_every_reviewer(draft, owner, reviewer):
    second = make_user(role="staff")
    actions.submit_for_review(actor=owner, resource=draft, reviewers=[reviewer, second])
    actions.review_resource(actor=reviewer, resource=draft, approve=True)

    with pytest.raises(ValidationError):
        actions.publish_resource(actor=owner, resource=draft)

    actions.review_resource(actor=second, resource=draft, approve=True)
    actions.publish_resource(actor=owner, resource=draft)
    assert draft.state == State.PUBLISHED


def test_only_owner_or_moderators_can_publish(draft, owner, reviewer):
    actions.submit_for_review(actor=owner, resource=draft, reviewers=[reviewer])
    actions.review_resource(actor=reviewer, resource=draft, approve=True)
    with pytest.raises(PermissionDenied):
        actions.publish_resource(actor=reviewer, resource=draft)
    actions.publish_resource(actor=make_moderator(), resource=draft)
    assert draft.state == State.PUBLISHED


def test_publish_sets_review_dates_from_the_resource_interval(owner, reviewer):
    from django.utils import timezone

    resource = actions.create_resource(actor=owner, **resource_fields(review_interval_months=6))
    publish(resource, owner=owner, reviewer=reviewer)

    today = timezone.localdate()
    assert resource.next_review_at == actions.add_months(today, 6)
    assert resource.last_reviewed_at.date() == timezone.now().date()


def test_add_months_clamps_to_the_end_of_short_months():
    import datetime

    assert actions.add_months(datetime.date(2025, 1, 31), 1) == datetime.date(2025, 2, 28)
    assert actions.add_months(datetime.date(2025, 11, 30), 12) == datetime.date(2026, 11, 30)
    assert actions.add_months(datetime.date(2025, 3, 15), -6) == datetime.date(2024, 9, 15)


def test_publish_tells_owner_and_reviewers(draft, owner, reviewer):
    publish(draft, owner=owner, reviewer=reviewer)
    kinds = set(Notification.objects.filter(user=reviewer).values_list("kind", flat=True))
    assert "library_published" in kinds


def test_archive_needs_a_reason_and_is_logged(published, owner):
    with pytest.raises(ValidationError):
        actions.archive_resource(actor=owner, resource=published, reason="")
    actions.archive_resource(actor=owner, resource=published, reason="Replaced by new guidance")

    published.refresh_from_db()
    assert published.state == State.ARCHIVED
    assert published.archived_reason == "Replaced by new guidance"
    assert published.log.first().action == "archived"


def test_members_cannot_archive(published):
    with pytest.raises(PermissionDenied):
        actions.archive_resource(actor=make_user(), resource=published, reason="I do not like it")


def test_archived_resources_cannot_be_edited_or_resubmitted(published, owner, reviewer):
    actions.archive_resource(actor=owner, resource=published, reason="Out of date now")
    with pytest.raises(PermissionDenied):
        actions.update_resource(actor=owner, resource=published, title="A fresh new title")
    with pytest.raises(PermissionDenied):
        actions.submit_for_review(actor=owner, resource=published, reviewers=[reviewer])


def test_every_transition_is_logged_in_order(published):
    actions_logged = list(published.log.order_by("pk").values_list("action", flat=True))
    assert actions_logged == ["created", "submitted", "approved", "published"]


def test_the_log_is_append_only(published):
    entry = LogEntry.objects.filter(resource=published).first()
    entry.detail = "rewritten"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_events_are_published_for_each_transition(
    draft, owner, reviewer, published_events, committed
):
    with committed():
        publish(draft, owner=owner, reviewer=reviewer)
    assert [e["type"] for e in published_events] == [
        "library.submitted",
        "library.reviewed",
        "library.published",
    ]


def test_rating_is_one_per_reader_and_counts_update(published):
    reader = make_user()
    actions.rate_resource(actor=reader, resource=published, useful=True)
    actions.rate_resource(actor=reader, resource=published, useful=False)
    actions.rate_resource(actor=make_user(), resource=published, useful=True)

    published.refresh_from_db()
    assert (published.rating_count, published.useful_count) == (2, 1)


def test_drafts_cannot_be_rated(draft):
    with pytest.raises(PermissionDenied):
        actions.rate_resource(actor=make_user(), resource=draft, useful=True)


def test_feedback_is_counted_and_told_to_owner_and_reviewers(published, owner, reviewer, committed):
    with committed():
        actions.leave_feedback(actor=make_user(), resource=published, text="The checklist helped.")
    published.refresh_from_db()
    assert published.feedback_count == 1
    assert Notification.objects.filter(kind="library_feedback").count() == 2
    with pytest.raises(ValidationError):
        actions.leave_feedback(actor=make_user(), resource=published, text="ok")


def test_an_archived_resource_can_be_brought_back_from_its_page_and_it_is_logged(
    client, published, owner
):
    actions.archive_resource(actor=owner, resource=published, reason="Archived by mistake")
    url = reverse("library:unarchive", args=[published.pk])
    for outsider in (make_user(), make_user(role="young_person", age_band="13-15")):
        client.force_login(outsider)
        assert "Un-archive" not in client.get(published.get_absolute_url()).content.decode()
        assert client.post(url, {"reason": "Let me"}).status_code in (403, 404)
    published.refresh_from_db()
    assert published.state == State.ARCHIVED
    client.force_login(owner)
    assert "Un-archive" in client.get(published.get_absolute_url()).content.decode()
    assert client.post(url, {"reason": "Still current guidance"}).status_code == 302
    published.refresh_from_db()
    assert published.state == State.PUBLISHED and published.archived_reason == ""
    entry = published.log.first()
    assert (entry.action, entry.from_state, entry.to_state, entry.detail) == (
        "unarchived",
        "archived",
        "published",
        "Still current guidance",
    )
    assert (
        "This resource is archived" not in client.get(published.get_absolute_url()).content.decode()
    )
    with pytest.raises(PermissionDenied):  # only an archived resource comes back
        actions.unarchive_resource(actor=owner, resource=published)
