from __future__ import annotations

import pytest

from community.forum.models import Topic
from community.library import actions
from tests.factories import make_moderator, make_user


def resource_fields(**overrides) -> dict:
    fields = {
        "title": "Setting up a family hub reception",
        "summary": "How to welcome families at the front door of a hub.",
        "source": "## What it is\n\nA welcoming reception with **one front door**.",
        "type": "guidance",
        "evidence_rating": "not_rated",
        "evidence_type": "practice",
        "topics": list(Topic.objects.order_by("slug")[:1]),
    }
    fields.update(overrides)
    return fields


def publish(resource, *, owner, reviewer, **fields):
    """Take a draft through review to publication, as the workflow requires."""
    actions.submit_for_review(actor=owner, resource=resource, reviewers=[reviewer])
    actions.review_resource(actor=reviewer, resource=resource, approve=True)
    return actions.publish_resource(actor=owner, resource=resource, **fields)


@pytest.fixture
def owner():
    return make_moderator(username="olu", display_name="Olu Adeyemi")


@pytest.fixture
def reviewer():
    return make_user(role="expert", username="rhian", display_name="Rhian Evans")


@pytest.fixture
def draft(owner):
    return actions.create_resource(actor=owner, **resource_fields())


@pytest.fixture
def published(draft, owner, reviewer):
    return publish(draft, owner=owner, reviewer=reviewer)
