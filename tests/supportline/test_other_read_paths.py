"""Cases never reach the site-wide read paths: search, the API, feeds, the forum's lists."""

import pytest
from django.urls import reverse

from tests.factories import make_thread, make_user
from tests.supportline.builders import make_case, make_supportline_staff

pytestmark = pytest.mark.django_db

SECRET = "Wombat-consultation-question"


@pytest.mark.parametrize("who", ["anonymous", "member", "requester", "supportline staff"])
def test_case_text_is_absent_from_search_api_and_feeds(client, who):
    requester = make_user(username="requester")
    make_thread(title="An ordinary public thread")
    make_case(requester, question=f"Our zebrafinch question is {SECRET}")
    viewer = {
        "member": make_user(),
        "requester": requester,
        "supportline staff": make_supportline_staff(),
    }.get(who)
    if viewer:
        client.force_login(viewer)
    for url in [
        reverse("search:search") + "?q=zebrafinch",
        "/search.json?q=zebrafinch",
        "/latest.json",
        "/posts.json",
        reverse("feeds:latest"),
        reverse("forum:latest"),
        reverse("notifications:list"),
    ]:
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        assert SECRET not in response.content.decode(), (who, url)
