"""Rendered HTML fragments shared between requests and members, kept in the shared cache.

Most of a signed-in page renders the same for every member who may see it: a post's author,
body and links, a thread row's title and counts. Rendering them with Django templates was
most of a page's cost (a 20-post thread page took ~85 ms of CPU), so each fragment is
rendered once and cached under a key made from *every value its template reads*, the
viewer's own state included (their reactions, bookmark, what they may do to the post).
Two requests share a fragment only when it would render identically for both; a change to
any input (an edit, a new reaction count, a renamed author, an older relative time, a new
deploy of the template) makes a new key, so nothing is invalidated by hand and nothing
stale is served. Visibility is decided before this runs: only items the selector returned
for this viewer are looked up.

The one per-member value inside a shared fragment is the CSRF token: fragments are
rendered with a placeholder in its place, replaced with this request's token on the way out.
Only the whole hidden input is replaced, and the placeholder is derived from SECRET_KEY:
member-written HTML (sanitised, no <input>) can never carry it, so a post cannot make a
link that picks up the reader's token.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import django
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.template.loader import get_template, render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
# Keys change whenever their inputs do; the timeout only bounds how long unused ones linger.
TIMEOUT_SECONDS = 24 * 60 * 60

_template_digests: dict[str, tuple[str, str]] = {}


@functools.cache
def _code_version() -> str:
    """Django's version and the project's code as deployed (paths, sizes, modification times),
    read once per process: processes of one deploy agree, and a new deploy starts afresh."""
    digest = hashlib.blake2b(django.get_version().encode(), digest_size=8)
    base = Path(settings.BASE_DIR)
    for top in ("community", "notifications", "config", "api", "templates"):
        for path in sorted((base / top).rglob("*")):
            if path.suffix in (".py", ".html"):
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns};".encode()
                )
    return digest.hexdigest()


def _template_digest(template_name: str) -> tuple[Any, str]:
    """The compiled template and a digest of its source, so a deploy that changes it misses."""
    template = get_template(template_name.split("#", 1)[0])
    source = template.template.source
    known = _template_digests.get(template_name)
    if known is None or known[0] is not source:
        known = (source, hashlib.blake2b(source.encode(), digest_size=8).hexdigest())
        _template_digests[template_name] = known
    return get_template(template_name), known[1]


def time_bucket(value: datetime | None, now: datetime) -> tuple | None:
    """A value that changes whenever ``naturaltime(value)`` would, and is cheap to compute.

    naturaltime says seconds under a minute, minutes under an hour, then two units of
    timesince: hours under a week ("2 days, 3 hours"), then weeks and days, months and weeks,
    years and months. Past a week its text changes when a whole day has elapsed from
    ``value`` or when timesince's count of calendar months does (which, for dates late in a
    month, can happen at midnight), so both are counted. Never coarser than the text, and old
    posts get one new key a day rather than one an hour. (Calling naturaltime itself for
    every row was a tenth of a list page's cost.)
    """
    if value is None:
        return None
    elapsed = int((now - value).total_seconds())
    if elapsed < 60:
        return (0, elapsed)
    if elapsed < 3600:
        return (1, elapsed // 60)
    if elapsed < 7 * 86400:
        return (2, elapsed // 3600)
    now = now.astimezone(value.tzinfo)
    # As django.utils.timesince counts months.
    months = (now.year - value.year) * 12 + (now.month - value.month)
    if value.day > now.day or (value.day == now.day and value.time() > now.time()):
        months -= 1
    return (3, elapsed // 86400, months)


def time_bucket_seconds(value: datetime | None, now: datetime) -> int:
    """How long a fragment showing naturaltime(value) can be useful: its bucket's width."""
    if value is None:
        return TIMEOUT_SECONDS
    elapsed = (now - value).total_seconds()
    if elapsed < 3600:
        return 60
    if elapsed < 7 * 86400:
        return 3600
    return TIMEOUT_SECONDS


def fragment_key(kind: str, version: str, parts: tuple) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"fragment:{kind}:{version}:{digest}"


def attach_fragments(
    request: HttpRequest,
    items: Sequence[Any],
    *,
    template_name: str,
    item_name: str,
    key_parts: Callable[[Any], tuple | None],
    context: dict[str, Any],
    lifetime: Callable[[Any], int] | None = None,
    fill_csrf: bool = True,
) -> None:
    """Set ``item.fragment`` (safe HTML) on each item whose ``key_parts`` is not None.

    ``key_parts(item)`` must return every value the template reads for that item and
    viewer; items it returns None for are left to the page template to render.
    ``context`` holds what the fragment template reads besides the item (no request:
    fragments must not depend on anything not in their key). ``lifetime(item)`` says how
    many seconds a fragment can be of use (its key will have moved on after that).
    ``fill_csrf=False`` leaves the CSRF placeholder in, for fragments of a shared page.
    """
    if not settings.FRAGMENT_CACHE_ENABLED or not items:
        return
    template, template_version = _template_digest(template_name)
    placeholder = _csrf_placeholder()
    # The code (labels, URLs, Django) and the placeholder (SECRET_KEY) shape the HTML too.
    version = f"{_code_version()}.{template_version}.{placeholder[-8:]}"
    kind = template_name.replace("/", ".")
    keyed: dict[str, list[Any]] = {}
    for item in items:
        parts = key_parts(item)
        if parts is not None:
            keyed.setdefault(fragment_key(kind, version, parts), []).append(item)
    if not keyed:
        return
    found = cache.get_many(list(keyed))
    missing: dict[int, dict[str, str]] = {}
    for key, group in keyed.items():
        html = found.get(key)
        if html is None:
            html = template.render({**context, item_name: group[0], "csrf_token": placeholder})
            seconds = min(lifetime(group[0]), TIMEOUT_SECONDS) if lifetime else TIMEOUT_SECONDS
            missing.setdefault(seconds, {})[key] = html
        for item in group:
            item.fragment = html
    for seconds, fragments in missing.items():
        cache.set_many(fragments, seconds)
    if not fill_csrf:
        for group in keyed.values():
            for item in group:
                item.fragment = mark_safe(item.fragment)
        return
    _fill_csrf(request, (item for group in keyed.values() for item in group), placeholder)


_CSRF_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def masked_csrf_token(request: HttpRequest) -> str:
    """What django.middleware.csrf.get_token returns (the secret masked afresh, the cookie
    marked as used), with the mask drawn from one os.urandom call: get_token draws its 32
    characters with 32 calls of secrets.choice, a tenth of a millisecond on every page."""
    secret = request.META.get("CSRF_COOKIE")
    if (
        secret is None
        or len(secret) != CSRF_SECRET_LENGTH
        or any(char not in _CSRF_INDEX for char in secret)
    ):
        return get_token(request)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token does: renew the cookie
    mask = _random_csrf_string()
    index, chars, count = _CSRF_INDEX, CSRF_ALLOWED_CHARS, len(CSRF_ALLOWED_CHARS)
    cipher = "".join(
        chars[(index[s] + index[m]) % count] for s, m in zip(secret, mask, strict=True)
    )
    return mask + cipher


def _random_csrf_string() -> str:
    """CSRF_SECRET_LENGTH characters drawn uniformly from CSRF_ALLOWED_CHARS: random bytes
    below the largest multiple of their number, the rest rejected (no bias)."""
    count = len(CSRF_ALLOWED_CHARS)
    limit = 256 - 256 % count
    out: list[str] = []
    while len(out) < CSRF_SECRET_LENGTH:
        out.extend(CSRF_ALLOWED_CHARS[b % count] for b in os.urandom(48) if b < limit)
    return "".join(out[:CSRF_SECRET_LENGTH])


def _csrf_placeholder() -> str:
    return _csrf_placeholder_for(settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _csrf_placeholder_for(secret_key: str) -> str:
    """Worked out once per secret (an HMAC each time was asked three times a page)."""
    return (
        "csrf-"
        + salted_hmac(
            "fhn.fragments", "csrf-placeholder", secret=secret_key, algorithm="sha1"
        ).hexdigest()[:32]
    )


def _fill_csrf(request: HttpRequest, items: Iterable[Any], placeholder: str) -> None:
    marker = CSRF_INPUT.format(placeholder)
    token_input = None
    for item in items:
        html = item.fragment
        if marker in html:
            if token_input is None:
                # Only asked for when a form needs it: asking marks the CSRF cookie as used,
                # which would make an anonymous page uncacheable.
                token_input = CSRF_INPUT.format(get_token(request))
            html = html.replace(marker, token_input)
        item.fragment = mark_safe(html)


# --------------------------------------------------------------------------------------------
# Shared pages with holes
#
# A signed-in page is the page every member of one visibility class sees, rendered once and
# kept in the shared cache, plus the member's own parts ("holes"): their name and bell count,
# what they may do to each post, their reactions and bookmarks, their form tokens. A hole is a
# marker in the shared HTML, filled per request by a registered Python function (string
# assembly: the template engine does not run over the page again). The same functions fill
# the holes when a page is rendered in full, so an assembled page and a full render are the
# same HTML by construction (tests/forum/test_fragments.py compares them for every viewer).
# Markers carry a secret derived from SECRET_KEY inside an HTML comment: member-written HTML
# is escaped or sanitised and cannot carry one.
# --------------------------------------------------------------------------------------------

HoleFiller = Callable[["Holes", str], str]
_hole_fillers: dict[str, HoleFiller] = {}


def register_hole(name: str, filler: HoleFiller) -> None:
    """Register the function that fills holes called ``name``: ``filler(holes, arg)`` returns
    safe HTML for this request's member (``holes.request``, ``holes.state``)."""
    _hole_fillers[name] = filler


@functools.cache
def _hole_secret() -> str:
    return (
        "hole-" + salted_hmac("fhn.fragments", "hole-marker", algorithm="sha256").hexdigest()[:24]
    )


@functools.cache
def _hole_pattern(secret: str) -> re.Pattern:
    return re.compile(r"<!--" + secret + r" ([\w.:-]+) ([\w.:%-]*)-->")


class Holes:
    """One request's holes: in a shared render each becomes a marker, otherwise it is filled.

    ``state`` is whatever the page's selector returned for the member (their reactions,
    bookmarks, what they may do); ``items`` maps keys (such as post ids) to the objects a
    hole's argument names.
    """

    def __init__(self, request: HttpRequest, state: Any = None, items: dict | None = None):
        self.request = request
        self.state = state
        self.items = items or {}
        self.shared = False
        self._csrf_token: str | None = None
        self._csrf_input: str | None = None
        self._language: str | None = None

    def language(self) -> str | None:
        """The request's language, asked once per page (its holes ask per post)."""
        if self._language is None:
            self._language = get_language() or ""
        return self._language or None

    def csrf_token(self) -> str:
        """This request's CSRF token, for a form in a hole."""
        if self._csrf_token is None:
            self._csrf_token = masked_csrf_token(self.request) if self.request is not None else ""
        return self._csrf_token

    def csrf_input(self) -> str:
        """The CSRF hidden input for a form in a hole, with this request's token."""
        if self._csrf_input is None:  # a page's holes ask for it some forty times
            self._csrf_input = CSRF_INPUT.format(self.csrf_token())
        return self._csrf_input

    @contextmanager
    def sharing(self):
        """Inside, the page being rendered is the shared one: each hole is a marker."""
        self.shared = True
        try:
            yield self
        finally:
            self.shared = False

    def render_shared(self, template_name: str, context: dict) -> str:
        """The shared page of a template whose only member parts are holes (and the CSRF
        input, as a placeholder), for ``assembled_page``."""
        with self.sharing():
            return render_to_string(
                template_name,
                {**context, "holes": self, "csrf_token": csrf_placeholder()},
                self.request,
            )

    def hole(self, name: str, arg: Any = "") -> str:
        if self.shared:
            return f"<!--{_hole_secret()} {name} {quote(str(arg), safe=':')}-->"
        return self.fill(name, str(arg))

    def fill(self, name: str, arg: str) -> str:
        return _hole_fillers[name](self, arg)

    def assemble(self, shared_html: str) -> str:
        """The shared page with this member's holes filled (and their CSRF token in)."""
        return self.assemble_pieces(split_page(shared_html)).decode()

    def assemble_pieces(self, pieces: tuple) -> bytes:
        """A split shared page (``split_page``) with this member's holes filled, as the
        response's bytes: the constant parts were encoded once, when the page was split."""
        out = []
        append = out.append
        marker = None
        for piece in pieces:
            if piece.__class__ is bytes:
                append(piece)
            elif piece is _CSRF_PIECE:  # the token this request's holes use: one masking
                append(self.csrf_input().encode())
            else:
                filled = self.fill(*piece)
                if marker is None:
                    marker = CSRF_INPUT.format(_csrf_placeholder())
                if marker in filled:  # a hole that rendered a template with the placeholder
                    filled = filled.replace(marker, self.csrf_input())
                append(filled.encode())
        return b"".join(out)


# The CSRF hidden input's place in a split page.
_CSRF_PIECE = ("", "csrf")


def split_page(shared_html: str) -> tuple:
    """A shared page as its constant parts (UTF-8 bytes), holes (``(name, arg)``) and CSRF
    inputs (``_CSRF_PIECE``), in order: what ``Holes.assemble_pieces`` fills."""
    pieces: list = []
    marker = CSRF_INPUT.format(_csrf_placeholder())
    position = 0
    for match in _hole_pattern(_hole_secret()).finditer(shared_html):
        _split_csrf(shared_html[position : match.start()], marker, pieces)
        pieces.append((match.group(1), unquote(match.group(2))))
        position = match.end()
    _split_csrf(shared_html[position:], marker, pieces)
    return tuple(pieces)


def _split_csrf(text: str, marker: str, pieces: list) -> None:
    parts = text.split(marker)
    for index, part in enumerate(parts):
        if index:
            pieces.append(_CSRF_PIECE)
        if part:
            pieces.append(part.encode())


def csrf_placeholder() -> str:
    """What a shared render passes as ``csrf_token``: `fill_csrf_in` puts the real one in."""
    return _csrf_placeholder()


def fill_csrf_in(request: HttpRequest, html: str) -> str:
    marker = CSRF_INPUT.format(_csrf_placeholder())
    if marker in html:
        html = html.replace(marker, CSRF_INPUT.format(get_token(request)))
    return html


def shared_page_key(kind: str, parts: tuple) -> str:
    """The shared cache's key for the page keyed on ``parts`` (see shared_page)."""
    return fragment_key(kind, f"{_code_version()}.{_csrf_placeholder()[-8:]}", parts)


def shared_page(
    kind: str, parts: tuple, render: Callable[[], str], *, lifetime: int, key: str | None = None
) -> str:
    """The page (or part) keyed on ``parts`` from the shared cache, rendered on a miss.

    ``parts`` must hold every value the page shows besides its holes, and what decided
    which visibility class it is for; the code version and SECRET_KEY are added here.
    ``key``: ``shared_page_key(kind, parts)``, when the caller has it already.
    """
    if not settings.FRAGMENT_CACHE_ENABLED:
        return render()
    key = key or shared_page_key(kind, parts)
    html = cached(key)
    if html is None:
        html = render()
        cache.set(key, html, min(lifetime, TIMEOUT_SECONDS))
    return html


# --------------------------------------------------------------------------------------------
# Shared pages kept in the process too. A shared page's key names every value it shows (and
# the code and the viewer's class), so the HTML under one key never changes: a process can
# keep the pages it served, already split into constant parts and holes, and use them again
# without reading ~100 KB from Redis, unpickling it and scanning it for holes on every request.
# A bounded LRU by size; a page not held here is read from the shared cache as before.
# --------------------------------------------------------------------------------------------

_local_pages: OrderedDict[str, tuple[tuple, int, float | None]] = OrderedDict()
_local_bytes = 0
_local_lock = threading.Lock()


def _local_page(key: str) -> tuple | None:
    global _local_bytes
    with _local_lock:
        held = _local_pages.get(key)
        if held is None:
            return None
        if held[2] is not None and held[2] < time.monotonic():
            # Past its deadline: dropped now, so it takes no room from pages still in use.
            del _local_pages[key]
            _local_bytes -= held[1]
            return None
        _local_pages.move_to_end(key)
        return held[0]


def _keep_local_page(key: str, pieces: tuple, until: float | None = None) -> None:
    global _local_bytes
    size = sum(len(piece) if piece.__class__ is bytes else 64 for piece in pieces)
    limit = settings.SHARED_PAGES_IN_PROCESS_BYTES
    if size > limit:
        return
    with _local_lock:
        held = _local_pages.pop(key, None)
        if held is not None:
            _local_bytes -= held[1]
        _local_pages[key] = (pieces, size, until)
        _local_bytes += size
        while _local_bytes > limit:
            _key, (_pieces, old_size, _until) = _local_pages.popitem(last=False)
            _local_bytes -= old_size


def kept_pieces(key: str) -> tuple | None:
    """The split page this process kept under ``key`` (``keep_pieces``), until its deadline."""
    return _local_page(key)


def keep_pieces(key: str, pieces: tuple, seconds: float) -> None:
    """Keep a split page in this process under a key that does not name everything it shows
    (only what decides it: a write generation, a member's version...), for ``seconds``: what
    the key leaves out (relative times) must not change before then."""
    _keep_local_page(key, pieces, time.monotonic() + seconds)


def seconds_until_times_change(times: Iterable[datetime], now: datetime, at_most: float) -> float:
    """Seconds (at most ``at_most``) until any of ``times``' relative text
    (``naturaltime``, as ``time_bucket`` follows it) changes."""
    seconds = float(at_most)
    midnight = None
    for value in times:
        elapsed = (now - value).total_seconds()
        if elapsed < 60:
            left = 1 - elapsed % 1
        elif elapsed < 3600:
            left = 60 - elapsed % 60
        elif elapsed < 7 * 86400:
            left = 3600 - elapsed % 3600
        else:  # a whole day from the value, or a month count changing at midnight
            if midnight is None:
                local = now.astimezone(value.tzinfo)
                midnight = 86400 - (
                    local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
                )
            left = min(86400 - elapsed % 86400, midnight)
        seconds = min(seconds, left)
    return seconds


def forget_local_pages() -> None:
    """Drop this process's copies of shared pages (tests that clear the cache call it)."""
    global _local_bytes
    with _local_lock:
        _local_pages.clear()
        _local_bytes = 0


def assembled_page(
    kind: str,
    request: HttpRequest,
    subject: Any,
    parts: tuple,
    render: Callable[[], str],
    holes: Holes,
    *,
    lifetime: int,
    keep: Callable[[tuple], None] | None = None,
) -> bytes:
    """The shared page of ``kind`` keyed on ``parts`` with this member's holes filled: from
    the process's copy, else the shared cache, else rendered; the page's registered reads
    (``page_reads``) in one round trip either way. ``keep(pieces)`` is given the split
    shared page (for a caller that keeps it under a key of its own)."""
    if not settings.FRAGMENT_CACHE_ENABLED:
        with page_reads(kind, request, subject):
            return holes.assemble_pieces(split_page(render()))
    key = shared_page_key(kind, parts)
    pieces = _local_page(key)
    with page_reads(kind, request, subject, [] if pieces is not None else [key]):
        if pieces is None:
            pieces = split_page(shared_page(kind, parts, render, lifetime=lifetime, key=key))
            _keep_local_page(key, pieces)
        html = holes.assemble_pieces(pieces)
    if keep is not None:
        keep(pieces)
    return html


# --------------------------------------------------------------------------------------------
# One round trip for a page's cache reads. An assembled page read the shared cache five times
# one after another (the shared page, the bell, the member's level, the thread's library
# links...), each a Redis round trip. Apps say which keys a page kind will read for the
# member (``register_page_reads``); the page reads them together with its own key in one
# ``get_many`` (``page_reads``), and the readers' ``cached()`` answers from that batch.
# Only reads are batched: a key missing from the batch is read (and filled) as before.
# --------------------------------------------------------------------------------------------

PageReads = Callable[[HttpRequest, Any], Iterable[str]]
_page_reads: dict[str, list[PageReads]] = {}
_read_batch: ContextVar[dict | None] = ContextVar("fhn_read_batch", default=None)


def register_page_reads(kind: str, keys: PageReads) -> None:
    """Say which cache keys pages of ``kind`` read for this request: ``keys(request, subject)``
    (``subject``: the thread of a thread page, the space of a space's or region's list, None
    for other lists)."""
    _page_reads.setdefault(kind, []).append(keys)


def cached(key: str) -> Any:
    """``cache.get(key)``, answered from the page's batched read when it holds the key."""
    batch = _read_batch.get()
    if batch is not None and key in batch:
        return batch[key]
    return cache.get(key)


@contextmanager
def answering(found: dict):
    """Answer the block's ``cached()`` reads from ``found`` (values read already, in a round
    trip made for something else) where it holds them."""
    batch = _read_batch.get()
    token = _read_batch.set({**batch, **found} if batch else found)
    try:
        yield
    finally:
        _read_batch.reset(token)


@contextmanager
def page_reads(kind: str, request: HttpRequest, subject: Any = None, keys: Iterable[str] = ()):
    """Read the page's own ``keys`` and every registered key for ``kind`` in one round trip,
    for the ``cached()`` reads made inside the block."""
    wanted = list(keys)
    for keys_for in _page_reads.get(kind, ()):
        wanted.extend(keys_for(request, subject))
    token = _read_batch.set(cache.get_many(wanted) if wanted else {})
    try:
        yield
    finally:
        _read_batch.reset(token)
