"""Slides and recordings can be resources from the library, linked from the event page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from community.library import actions as library_actions
from community.training import actions
from tests.factories import make_moderator, make_user
from tests.library.conftest import publish, resource_fields
from tests.training.builders import make_event, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def resources():
    owner, reviewer = make_moderator(), make_user(role="expert")
    draft = library_actions.create_resource(
        actor=owner, **resource_fields(title="Recording draft", type="recording")
    )
    live = library_actions.create_resource(
        actor=owner, **resource_fields(title="Session recording: hub receptions", type="recording")
    )
    return {"draft": draft, "published": publish(live, owner=owner, reviewer=reviewer)}


def test_a_published_library_resource_is_attached_and_linked(client, resources):
    staff = make_staff()
    event = make_event(staff=staff)
    client.force_login(staff)
    response = client.post(
        reverse("training:materials", args=[event.pk]),
        {"kind": "recording", "title": "", "url": "", "resource": resources["published"].pk},
    )
    assert response.status_code == 302
    page = client.get(event.get_absolute_url()).content.decode()
    assert resources["published"].get_absolute_url() in page
    assert "Session recording: hub receptions" in page


def test_only_published_resources_and_exactly_one_source(resources):
    staff = make_staff()
    event = make_event(staff=staff)
    with pytest.raises(ValidationError, match="published"):
        actions.add_material(
            actor=staff, event=event, kind="recording", title="x", resource=resources["draft"]
        )
    with pytest.raises(ValidationError, match="one of"):
        actions.add_material(
            actor=staff,
            event=event,
            kind="recording",
            title="x",
            url="https://example.org",
            resource=resources["published"],
        )
