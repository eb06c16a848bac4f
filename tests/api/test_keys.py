"""API keys: made by centre staff (page and command), shown once, stored hashed, scoped, revoked."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from api.models import ApiKey, hash_key
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return f.make_user(role="staff", username="centrestaff")


def test_staff_make_a_key_that_is_shown_once_and_stored_hashed(client, staff):
    f.make_user(username="alice")
    client.force_login(staff)
    response = client.post(
        "/staff/api-keys/",
        {"description": "Newsletter script", "username": "alice", "scope": "write"},
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    key = ApiKey.objects.get()
    assert key.key_hash == hash_key(secret) and secret not in str(vars(key))
    assert (key.user.username, key.scope, key.created_by) == ("alice", "write", staff)
    assert secret in response.content.decode()
    assert secret not in client.get("/staff/api-keys/").content.decode()
    data = client.get("/latest.json", HTTP_API_KEY=secret, HTTP_API_USERNAME="alice")
    assert data.status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_revoked_keys_stop_working(client, staff):
    client.force_login(staff)
    client.post("/staff/api-keys/", {"description": "Global reader", "scope": "read"})
    key = ApiKey.objects.get()
    assert key.user is None
    client.post(f"/staff/api-keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_keys_cannot_act_as_a_young_person(client, staff):
    f.make_user(username="young", role="young_person", age_band="13-15")
    client.force_login(staff)
    response = client.post(
        "/staff/api-keys/", {"description": "Nope", "username": "young", "scope": "read"}
    )
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("role", ["practitioner", "moderator"])
def test_only_centre_staff_reach_the_page(client, role):
    client.force_login(f.make_user(role=role))
    assert client.get("/staff/api-keys/").status_code == 404
    assert client.post("/staff/api-keys/", {"description": "x", "scope": "read"}).status_code == 404


KEYS_PAGE_QUERIES = 1  # the keys with their members and makers (session, member: cached)


def test_the_keys_page_queries_do_not_grow_with_keys(client, staff, django_assert_num_queries):
    client.force_login(staff)
    for n in range(2):
        client.post("/staff/api-keys/", {"description": f"Key {n}", "scope": "read"})
    with django_assert_num_queries(KEYS_PAGE_QUERIES):
        client.get("/staff/api-keys/")
    for n in range(10):
        client.post("/staff/api-keys/", {"description": f"More {n}", "scope": "read"})
    with django_assert_num_queries(KEYS_PAGE_QUERIES):
        client.get("/staff/api-keys/")


def test_operators_make_a_key_with_a_command():
    f.make_user(username="alice")
    out = io.StringIO()
    call_command("create_api_key", "Operator script", "--user", "alice", "--scope", "write",
                 stdout=out, stderr=io.StringIO())  # fmt: skip
    secret = out.getvalue().strip()
    key = ApiKey.objects.get(key_hash=hash_key(secret))
    assert (key.user.username, key.scope) == ("alice", "write")
