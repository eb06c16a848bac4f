"""What moderation checks in a post before it is written: personal data, watched words, trust."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from community.forum.screening import Submission, Verdict
from community.fragments import cached

SCREENED_ROLES = {"parent_carer", "young_person"}

EMAIL_RE = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
# UK numbers: +44 or 0, then 9 or 10 more digits (spaces allowed). Short helplines like
# 0800 1111 or 116 123 are too short to match.
PHONE_RE = re.compile(r"(?<![\d+])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d[\s\-)]?){9,10}(?!\d)")
POSTCODE_RE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
NHS_RE = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
DATE_RE = re.compile(
    rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)?\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})[a-z]*\s+(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
BIRTH_WORDS_RE = re.compile(r"\b(?:born|d\.?o\.?b\.?|date of birth|birthday)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    kind: str
    text: str


def _nhs_checksum_ok(digits: str) -> bool:
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def find_personal_data(text: str) -> list[Match]:
    """UK phone numbers, email addresses, postcodes, NHS numbers and dates of birth in text."""
    found: list[Match] = []
    nhs_spans = []
    for m in NHS_RE.finditer(text):
        digits = "".join(m.groups())
        if _nhs_checksum_ok(digits):
            found.append(Match("NHS number", m.group(0)))
            nhs_spans.append(m.span())
    for m in PHONE_RE.finditer(text):
        if not any(a <= m.start() < b for a, b in nhs_spans):
            found.append(Match("phone number", m.group(0).strip()))
    found += [Match("email address", m.group(0)) for m in EMAIL_RE.finditer(text)]
    found += [Match("postcode", m.group(0)) for m in POSTCODE_RE.finditer(text)]
    for m in DATE_RE.finditer(text):
        window = text[max(0, m.start() - 40) : m.end() + 40]
        if BIRTH_WORDS_RE.search(window):
            found.append(Match("date of birth", m.group(0)))
    return found


def screen_personal_data(submission: Submission, verdict: Verdict) -> None:
    author = submission.author
    if author.is_moderator or author.role not in SCREENED_ROLES:
        return
    matches = find_personal_data(submission.source)
    if matches:
        kinds = sorted({m.kind for m in matches})
        verdict.held_reasons.append(
            _(
                "It looks like it contains personal details (%(kinds)s). A moderator will check it before it appears."
            )
            % {"kinds": ", ".join(kinds)}
        )
        verdict.matches += [(m.kind, m.text) for m in matches]


def compile_watched(word) -> re.Pattern:
    if word.is_regex:
        return re.compile(word.pattern, re.IGNORECASE)
    return re.compile(rf"(?<!\w){re.escape(word.pattern)}(?!\w)", re.IGNORECASE)


# The watched words, in the shared cache: every post is screened against them and they change
# rarely (a query per post was a round trip the readers' event waited behind). A change drops
# the list at once and again when it commits; a post screened in between may put the old list
# back, so it is kept only a minute.
WATCHED_WORDS_KEY = "moderation:watched-words"
WATCHED_WORDS_SECONDS = 60


def watched_words() -> list:
    """Every watched word (unsaved `WatchedWord`s: pattern, is_regex, action), in their order."""
    from django.core.cache import cache

    from .models import WatchedWord

    rows = cached(WATCHED_WORDS_KEY)
    if rows is None:
        rows = list(WatchedWord.objects.values_list("pattern", "is_regex", "action"))
        cache.set(WATCHED_WORDS_KEY, rows, WATCHED_WORDS_SECONDS)
    return [WatchedWord(pattern=p, is_regex=r, action=a) for p, r, a in rows]


def watched_words_reads() -> list[str]:
    """The poster's action reads the list with its rate-limit count (forum.screening)."""
    return [WATCHED_WORDS_KEY]


def forget_watched_words(**_kwargs) -> None:
    """A watched word was added, changed or removed: screen with the new list from now on."""
    from django.core.cache import cache
    from django.db import transaction

    cache.delete(WATCHED_WORDS_KEY)
    transaction.on_commit(lambda: cache.delete(WATCHED_WORDS_KEY))


def screen_watched_words(submission: Submission, verdict: Verdict) -> None:
    from .models import WatchedWord

    if submission.author.is_moderator:
        return
    source = submission.source
    for word in watched_words():
        try:
            pattern = compile_watched(word)
        except re.error:
            continue  # saved patterns are tested; a broken one must not stop posting
        found = pattern.findall(source)
        if not found:
            continue
        text = found[0] if isinstance(found[0], str) else found[0][0]
        if word.action == WatchedWord.Action.BLOCK:
            verdict.blocked = _(
                "Your post contains “%(text)s”, which is not allowed here. Please rephrase it."
            ) % {"text": text}
            return
        if word.action == WatchedWord.Action.REQUIRE_APPROVAL:
            verdict.held_reasons.append(_("It contains a word that moderators check first."))
            verdict.matches.append(("watched word", text))
        elif word.action == WatchedWord.Action.FLAG:
            verdict.flag_reasons.append(_("Watched word: %(text)s") % {"text": text})
            verdict.matches.append(("watched word", text))
        elif word.action == WatchedWord.Action.CENSOR:
            source = pattern.sub("■■■", source)
            verdict.censored_source = source


POSTS_PER_DAY = {0: 10, 1: 30}
# Links out of the site (protocol-relative ones too) and images from anywhere but the
# member's own uploads (which new members may attach, and so may show in the text).
LINK_RE = re.compile(r'<a href="(?:https?:)?//|<img\b(?![^>]*\ssrc="/uploads/\d)')


def screen_trust(submission: Submission, verdict: Verdict) -> None:
    from community.forum.models import Post

    author = submission.author
    if author.is_moderator or submission.is_edit and author.trust_level > 0:
        return
    if author.trust_level == 0 and LINK_RE.search(submission.html):
        verdict.blocked = _(
            "New members can't post links or images yet. Describe the resource instead; "
            "links unlock once you have taken part for a little while."
        )
        return
    if submission.is_new_thread and author.trust_level < submission.space.min_trust_level_to_start:
        verdict.blocked = _(
            "Starting threads in %(space)s opens up once you have taken part a little more."
        ) % {"space": submission.space.name}
        return
    if submission.is_edit:
        return
    limit = POSTS_PER_DAY.get(author.trust_level)
    since = timezone.now() - timedelta(days=1)
    recent = (
        Post.objects.filter(author=author, created_at__gte=since, kind="post").count()
        if limit
        else 0
    )
    if limit and recent >= limit:
        verdict.blocked = _(
            "You have reached today's limit of %(limit)d posts for new members. You can post again tomorrow."
        ) % {"limit": limit}
        return
    held_first = settings.NEW_MEMBER_POSTS_HELD
    if held_first and author.trust_level == 0:
        published = Post.objects.filter(author=author, status="published", kind="post").count()
        if published < held_first:
            verdict.held_reasons.append(
                _("A new member's first post is checked by a moderator before it appears.")
            )
