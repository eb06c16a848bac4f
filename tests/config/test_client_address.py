"""Behind nginx, visitors are told apart by the address the proxy saw, not the socket's."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory

from community.middleware import ClientAddressMiddleware


def _address_seen(settings, hops: int, forwarded: str | None, remote: str = "") -> str:
    settings.TRUSTED_PROXY_HOPS = hops
    seen = {}

    def view(request):
        seen["address"] = request.META.get("REMOTE_ADDR")
        return HttpResponse()

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    ClientAddressMiddleware(view)(RequestFactory().get("/", **extra))
    return seen["address"]


def test_without_a_trusted_proxy_the_header_is_ignored(settings):
    assert _address_seen(settings, 0, "203.0.113.9", remote="198.51.100.1") == "198.51.100.1"


def test_behind_nginx_the_address_nginx_saw_is_used(settings):
    assert _address_seen(settings, 1, "203.0.113.9") == "203.0.113.9"


def test_a_client_cannot_choose_its_address_by_sending_the_header(settings):
    # The client sent "10.0.0.1"; nginx appended the address it really came from.
    assert _address_seen(settings, 1, "10.0.0.1, 203.0.113.9") == "203.0.113.9"
    assert _address_seen(settings, 2, "10.0.0.1, 203.0.113.9, 192.0.2.7") == "203.0.113.9"


def test_too_few_entries_leave_the_address_alone(settings):
    assert _address_seen(settings, 2, "203.0.113.9", remote="198.51.100.1") == "198.51.100.1"
    assert _address_seen(settings, 1, " , ", remote="198.51.100.1") == "198.51.100.1"


def test_two_visitors_behind_nginx_get_their_own_rate_limit_key(settings):
    from community import ratelimits

    settings.TRUSTED_PROXY_HOPS = 1
    keys = set()
    for address in ("203.0.113.9", "203.0.113.10"):
        request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=address, REMOTE_ADDR="")
        ClientAddressMiddleware(lambda r: HttpResponse())(request)
        keys.add(ratelimits.address_key(request))
    assert len(keys) == 2
