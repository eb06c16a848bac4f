"""The search page: results, the advanced form, problems explained, a fixed query cost."""

from __future__ import annotations

import pytest

from community.search.indexing import rebuild
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_search_page_shows_highlighted_results(client, committed):
    with committed():
        f.make_thread(title="Stay and play sessions", source="Our stay and play group grows.")
    response = client.get("/search/", {"q": "play"})
    assert response.status_code == 200
    assert b"<mark>play</mark>" in response.content


def test_advanced_form_writes_the_filters_into_the_query(client):
    response = client.get("/search/", {"words": "outreach", "username": "bea", "in": "mine",
                                       "status": "open", "order": "latest"})  # fmt: skip
    assert response.status_code == 302
    assert (
        response["Location"] == "/search/?q=outreach+%40bea+in%3Amine+status%3Aopen+order%3Alatest"
    )


def test_advanced_form_errors_keep_the_text(client):
    response = client.get("/search/", {"words": "outreach", "after": "not a date"})
    assert response.status_code == 400
    assert b'value="outreach"' in response.content


def test_bad_filter_is_a_400_with_the_reason(client):
    response = client.get("/search/", {"q": "play status:asleep"})
    assert response.status_code == 400
    assert b"status: can be open, closed, archived, solved or unsolved." in response.content


def test_header_has_a_search_form(client):
    content = client.get("/search/").content.decode()
    assert 'role="search"' in content and 'for="header-search-q"' in content


def test_search_page_queries_do_not_grow_with_results(client, django_assert_max_num_queries):
    space = f.national()
    f.bulk_threads(space, 5)
    rebuild("post")
    with django_assert_max_num_queries(6):
        assert client.get("/search/", {"q": "body"}).status_code == 200
    f.bulk_threads(space, 40)
    rebuild("post")
    with django_assert_max_num_queries(6):
        assert client.get("/search/", {"q": "body"}).status_code == 200
