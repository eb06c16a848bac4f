"""A space's settings page for moderators and centre staff: the default practice topic that
API clients' threads get, set through `set_default_topic`; and adding a space (staff)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from api.models import ApiKey
from community.forum import actions
from community.forum.models import Space, Thread, Topic
from tests import factories as f

pytestmark = pytest.mark.django_db


def settings_url(space: Space) -> str:
    return reverse("forum:space_settings", args=[space.slug])


def test_a_moderator_sets_the_default_practice_topic_on_the_page(
    client, published_events, committed
):
    space = f.national()
    topic = Topic.objects.exclude(pk=space.default_topic_id).order_by("slug").first()
    moderator = f.make_moderator()
    client.force_login(moderator)
    page = client.get(settings_url(space))
    assert page.status_code == 200
    assert "Default practice topic" in page.content.decode()
    with committed():
        response = client.post(settings_url(space), {"default_topic": topic.pk})
    assert response.status_code == 302
    space.refresh_from_db()
    assert space.default_topic == topic
    [event] = [e for e in published_events if e["type"] == "space.settings_changed"]
    assert (event["space_id"], event["actor_id"], event["after"]) == (
        space.pk, moderator.pk, topic.pk
    )  # fmt: skip


def test_api_clients_threads_get_the_topic_staff_chose(client, committed):
    space = f.national()
    topic = Topic.objects.exclude(pk=space.default_topic_id).order_by("slug").first()
    actions.set_default_topic(actor=f.make_user(role="staff"), space=space, topic=topic)
    alice = f.make_user(username="alice")
    key = ApiKey(description="t", user=alice, scope="write")
    secret = key.set_new_key()
    key.save()
    body = {"title": "A topic with no practice topic", "raw": "Words", "category": space.pk}
    response = client.post("/posts.json", body, HTTP_API_KEY=secret, HTTP_API_USERNAME="alice")
    assert response.status_code == 200, response.content
    assert Thread.objects.get(pk=response.json()["topic_id"]).topic == topic


def test_clearing_the_default_makes_api_clients_name_one(client):
    space = f.national()
    client.force_login(f.make_user(role="staff"))
    assert client.post(settings_url(space), {"default_topic": ""}).status_code == 302
    space.refresh_from_db()
    assert space.default_topic is None


@pytest.mark.parametrize("role", ["practitioner", "parent_carer", "expert"])
def test_members_cannot_open_or_change_the_settings(client, role):
    space = f.national()
    before = space.default_topic_id
    client.force_login(f.make_user(role=role))
    assert client.get(settings_url(space)).status_code == 404
    other = Topic.objects.exclude(pk=before).first()
    assert client.post(settings_url(space), {"default_topic": other.pk}).status_code == 404
    space.refresh_from_db()
    assert space.default_topic_id == before
    with pytest.raises(PermissionDenied):
        actions.set_default_topic(actor=f.make_user(role=role), space=space, topic=other)


def test_visitors_are_sent_to_sign_in_and_a_private_space_is_not_found(client):
    assert client.get(settings_url(f.national())).status_code == 302
    private = f.private_group()
    client.force_login(f.make_user())
    assert client.get(settings_url(private)).status_code == 404


def test_a_topic_that_does_not_exist_is_a_clear_error(client):
    client.force_login(f.make_moderator())
    response = client.post(settings_url(f.national()), {"default_topic": "999999"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_spaces_list_links_the_settings_for_moderators_only(client):
    link = settings_url(f.national())
    client.force_login(f.make_moderator())
    assert link in client.get(reverse("forum:spaces")).content.decode()
    client.force_login(f.make_user())
    assert link not in client.get(reverse("forum:spaces")).content.decode()


def test_only_centre_staff_add_a_space(published_events, committed):
    staff = f.make_user(role="staff")
    with committed():
        space = actions.create_space(
            actor=staff, name="Fathers' network", visibility=Space.Visibility.VERIFIED
        )
    assert (space.slug, space.kind, space.visibility) == (
        "fathers-network",
        "community",
        "verified",
    )
    assert space.default_topic is not None
    assert [e["space_id"] for e in published_events if e["type"] == "space.created"] == [space.pk]
    again = actions.create_space(actor=staff, name="Fathers network")
    assert again.slug == "fathers-network-2"
    with pytest.raises(PermissionDenied):
        actions.create_space(actor=f.make_moderator(), name="Another space")
    with pytest.raises(ValidationError):
        actions.create_space(actor=staff, name="ab")
