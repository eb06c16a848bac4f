"""Children cannot be found by author in search or looked up in the API, except by staff."""

import pytest
from django.urls import reverse

from community.forum import actions
from tests.factories import make_moderator, make_thread, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def childs_post(committed):
    child = make_user(role="young_person", age_band="16-17", username="youngvoice")
    with committed():  # the search index is kept in step after commit
        thread = make_thread(title="What young people want from hubs")
        post = actions.create_post(
            author=child, thread=thread, source="Somewhere quiet to do homework after school"
        )
        actions.approve_post(moderator=make_moderator(), post=post)
    return child


@pytest.mark.parametrize("who,found", [("anonymous", False), ("adult", False), ("moderator", True)])
def test_searching_by_a_childs_username(client, childs_post, who, found):
    if who == "adult":
        client.force_login(make_user())
    elif who == "moderator":
        client.force_login(make_moderator())
    # The post itself is public once approved: everyone finds it by its words...
    assert "quiet to do" in client.get(reverse("search:search") + "?q=homework").content.decode()
    # ...but only moderators can find it by the child's username.
    html = client.get(reverse("search:search") + "?q=homework @youngvoice").content.decode()
    data = client.get("/search.json?q=homework @youngvoice").json()
    assert ("quiet to do" in html) is found
    assert bool(data.get("posts")) is found


@pytest.mark.parametrize(
    "who,status", [("anonymous", 404), ("adult", 404), ("child", 200), ("moderator", 200)]
)
def test_api_profile_of_a_child(client, childs_post, who, status):
    viewer = {"adult": make_user(), "child": childs_post, "moderator": make_moderator()}.get(who)
    if viewer:
        client.force_login(viewer)
    response = client.get("/users/youngvoice.json")
    assert response.status_code == status
