"""Shared pages' forms carry a CSRF token masked by community/fragments.masked_csrf_token,
which must be what Django's get_token would give: the cookie's secret, masked afresh."""

import re
from collections import Counter
from unittest import mock

import pytest
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    _get_new_csrf_string,
    _unmask_cipher_token,
)
from django.test import Client

from community.fragments import _random_csrf_string, masked_csrf_token
from tests.factories import make_thread, make_user


def test_the_token_unmasks_to_the_cookies_secret_and_renews_the_cookie(rf):
    request = rf.get("/")
    secret = _get_new_csrf_string()
    request.META["CSRF_COOKIE"] = secret
    tokens = {masked_csrf_token(request) for _ in range(20)}
    assert len(tokens) == 20  # masked afresh each time
    for token in tokens:
        assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_without_a_well_formed_cookie_it_is_djangos_own_get_token(rf):
    from django.middleware.csrf import get_token

    request = rf.get("/")  # no cookie: a new secret is made and the cookie will be set
    token = masked_csrf_token(request)
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    # (The middleware replaces a malformed cookie before any view runs; were one to reach
    # here, the answer is get_token's, whatever that does with it.)
    for cookie in ("short", "x" * 31):
        ours, theirs = rf.get("/"), rf.get("/")
        ours.META["CSRF_COOKIE"] = theirs.META["CSRF_COOKIE"] = cookie
        with mock.patch("community.fragments.get_token", wraps=get_token) as django_get_token:
            masked_csrf_token(ours)
        django_get_token.assert_called_once_with(ours)


def test_the_mask_draws_every_character_evenly():
    counts = Counter("".join(_random_csrf_string() for _ in range(4000)))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    expected = 4000 * 32 / len(CSRF_ALLOWED_CHARS)
    assert all(abs(n - expected) < expected * 0.2 for n in counts.values())


@pytest.mark.django_db
def test_a_form_from_an_assembled_page_is_accepted_with_csrf_checks_on():
    thread = make_thread()
    reader = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    url = thread.get_absolute_url() + "?page=1"
    client.get(url)  # the CSRF cookie, as a browser has it
    page = client.get(url).content.decode()
    action, token = re.search(
        r'<form method="post" action="([^"]+/bookmark/[^"]*)" class="inline-form">'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">',
        page,
    ).groups()
    response = client.post(action, {"csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    refused = client.post(action, {"csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403
