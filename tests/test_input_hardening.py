"""Bad input gets a clear 4xx with a reason, never a server error."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from community import paging
from community.search.query import MAX_TAGS
from tests.factories import make_thread, make_user

HUGE = "99999999999999999999"


@pytest.mark.parametrize("raw", [HUGE, "0", "-1", "abc", "1.5", "٣", "9" * 5000, " 2"])
def test_page_number_refuses_what_is_not_a_page(raw):
    request = RequestFactory().get("/", {"page": raw})
    with pytest.raises(paging.Http404):
        paging.page_number(request)


def test_page_number_reads_a_page_and_defaults_when_absent():
    assert paging.page_number(RequestFactory().get("/", {"page": "3"})) == 3
    assert paging.page_number(RequestFactory().get("/")) == 1
    assert paging.page_number(RequestFactory().get("/"), default=None) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["forum:latest", "forum:top", "library:library", "training:past", "search:search"]
)
def test_list_pages_answer_404_to_a_huge_page_number(client, name):
    make_thread()
    response = client.get(reverse(name), {"page": HUGE, "q": "practice"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_member_lists_answer_404_to_a_huge_page_number(client):
    member = make_user()
    thread = make_thread(author=member)
    client.force_login(member)
    for url in (
        reverse("forum:unread"), reverse("forum:bookmarks"), reverse("notifications:list"),
        reverse("conversations:inbox"), reverse("privacy:members"), thread.get_absolute_url(),
        reverse("forum:user_activity", args=[member.username]),
    ):  # fmt: skip
        assert client.get(url, {"page": HUGE}).status_code == 404, url
        assert client.get(url, {"page": "-1"}).status_code == 404, url


@pytest.mark.django_db
def test_search_with_too_many_tags_says_how_many_it_takes(client):
    tags = ",".join(f"tag{i}" for i in range(45))
    response = client.get(reverse("search:search"), {"q": f"tags:{tags}"})
    assert response.status_code == 400
    assert f"at most {MAX_TAGS} tags" in response.content.decode()


@pytest.mark.django_db
def test_advanced_search_refuses_too_many_tags(client):
    tags = ",".join(f"tag{i}" for i in range(MAX_TAGS + 1))
    response = client.get(reverse("search:search"), {"tags": tags})
    assert response.status_code == 400
    assert f"at most {MAX_TAGS} tags" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded; charset=utf-16", "title=h\xe9llo&source=x"),
        (
            "multipart/form-data; boundary=B; charset=utf-16",
            '--B\r\nContent-Disposition: form-data; name="title"\r\n\r\nh\xe9llo\r\n--B--\r\n',
        ),
        ("application/x-www-form-urlencoded; charset=no-such-charset", "title=x"),
    ],
)
def test_a_form_in_another_character_set_is_a_400_with_the_reason(client, content_type, body):
    member = make_user()
    client.force_login(member)
    response = client.generic(
        "POST", reverse("forum:start_thread"), body.encode("utf-16"), content_type=content_type
    )
    assert response.status_code == 400
    assert "send it as UTF-8" in response.content.decode()


@pytest.mark.django_db
def test_nul_in_an_address_or_a_form_is_a_400_with_the_reason(client):
    member = make_user()
    client.force_login(member)
    assert client.get("/u/a%00b/").status_code == 400
    response = client.get(reverse("forum:latest"), {"topic": "a\x00b"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    response = client.post(reverse("forum:start_thread"), {"title": "a\x00b"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
