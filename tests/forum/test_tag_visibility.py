"""A tag used only where the visitor cannot look is, to them, a tag that does not exist."""

from __future__ import annotations

import pytest
from django.urls import reverse
from taggit.models import Tag

from community.accounts.models import Region
from community.forum import permissions
from tests.factories import (
    make_moderator,
    make_thread,
    make_user,
    premoderated_space,
    private_group,
)

pytestmark = pytest.mark.django_db


def test_a_tag_used_only_in_a_private_region_is_a_404_like_an_unknown_tag(client):
    make_thread(space=private_group(), title="Pilot plans", tags=["pilot-secret"])
    make_thread(title="Open thread", tags=["open-tag"])
    make_thread(
        author=make_user(role="parent_carer"),
        space=premoderated_space(),
        title="Held for approval",
        tags=["held-only"],
    )
    tag = Tag.objects.get(slug="pilot-secret")
    outsiders = {
        "anonymous": None,
        "member": make_user(),
        "minor": make_user(role="young_person", age_band="13-15"),
        "member of another region": make_user(home_region=Region.objects.get(slug="london")),
    }
    for who, person in outsiders.items():
        client.logout()
        if person:
            client.force_login(person)
        for slug in ("pilot-secret", "held-only", "never-used"):
            page = client.get(reverse("forum:tag", args=[slug]))
            assert page.status_code == 404, (who, slug)
            assert "Pilot plans" not in page.content.decode()
        assert client.get(reverse("forum:tag", args=["open-tag"])).status_code == 200, who
        assert not permissions.can_see_tag(person, tag)
        assert tag not in permissions.visible_tags(person)
    for slug in ("pilot-secret", "held-only", "never-used"):
        assert client.get(f"/feeds/tags/{slug}.rss").status_code == 404, slug
    assert client.get("/feeds/tags/open-tag.rss").status_code == 200
    moderator = make_moderator()
    assert permissions.can_see_tag(moderator, tag) and tag in permissions.visible_tags(moderator)
