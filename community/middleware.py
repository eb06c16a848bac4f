"""Refuse input no page can read, with a 400 that says why, before any view sees it."""

from __future__ import annotations

import codecs
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Forms are sent as UTF-8 (the pages say so); ASCII is a subset of it.
READABLE_CHARSETS = frozenset({"utf-8", "ascii"})


class RejectUnreadableInputMiddleware:
    """A form in another character set (`charset=utf-16`), or a NUL character in the address
    or a form field, is refused with a reason. Both would otherwise reach a parser or the
    database (PostgreSQL refuses NUL in text) and end in a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = self.problem(request)
        if problem:
            return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def problem(request: HttpRequest) -> str | None:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return _("The address contains a NUL character, which no page can use.")
        if request.content_type in FORM_TYPES:
            charset = request.content_params.get("charset")
            if charset and _canonical(charset) not in READABLE_CHARSETS:
                return _(
                    "This form was sent in the %(charset)s character set; "
                    "send it as UTF-8, as the page's own form does."
                ) % {"charset": charset[:40]}
            if request.method == "POST":
                try:
                    fields = list(request.POST.lists())
                except (MultiPartParserError, UnicodeDecodeError):
                    return _("This form's data could not be read: send it again from the page.")
                if any("\x00" in value for _name, values in fields for value in values):
                    return _("A form field contains a NUL character, which cannot be saved.")
        return None


def _canonical(charset: str) -> str:
    try:
        return codecs.lookup(charset.strip().strip('"')).name
    except LookupError:
        return charset


class ClientAddressMiddleware:
    """Behind the reverse proxy, take the visitor's address from the X-Forwarded-For entry the
    trusted proxies added, so rate limits and view counts tell visitors apart.

    gunicorn is reached over a unix socket, so REMOTE_ADDR would be empty (or the proxy's) for
    everyone: one visitor's limit would block them all. With `TRUSTED_PROXY_HOPS=N` (nginx
    alone in front: 1) the Nth entry from the right is the address the outermost trusted
    proxy saw; entries further left were sent by the client and could say anything. With 0
    (the default, no proxy) the header is ignored.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.hops = settings.TRUSTED_PROXY_HOPS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.hops:
            forwarded = [
                part.strip()
                for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if part.strip()
            ]
            if len(forwarded) >= self.hops:
                request.META["REMOTE_ADDR"] = forwarded[-self.hops]
        return self.get_response(request)
