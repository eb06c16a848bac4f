"""The one reader of page numbers and offsets from a request, for every list, feed and search.

A page number is a whole number from 1 to `MAX_PAGE`. Anything else (`abc`, `0`, `-1`,
`99999999999999999999`, 5,000 digits) names no page, so the answer is 404, the same on
every page. A number within range past the end of a list shows an empty page (lists) or the
last page (a thread, a conversation), as each page already does.

Parsing here, before anything reaches the database, is what keeps huge numbers out of
OFFSET clauses (which PostgreSQL and SQLite refuse with an error, not an empty page).
"""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

# No list here comes near this many pages; it keeps any offset within a 64-bit integer.
MAX_PAGE = 10_000
_DIGITS = re.compile(r"[0-9]{1,9}")


def whole_number(raw: str | None, *, maximum: int) -> int | None:
    """`raw` as a whole number from 0 to `maximum`, or None when it is anything else."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    number = int(raw)
    return number if number <= maximum else None


def page_number[T](request: HttpRequest, *, name: str = "page", default: T = 1) -> int | T:
    """The page the query string asks for; `default` when it asks for none.

    Raise Http404 when the value is not a page number.
    """
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    number = whole_number(raw, maximum=MAX_PAGE)
    if number is None or number < 1:
        raise Http404(_("There is no such page."))
    return number
