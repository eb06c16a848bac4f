"""Parse a search box's text into words and Discourse-style filters."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

STATUSES = ("open", "closed", "archived", "solved", "unsolved")
ORDERS = ("relevance", "latest")
# Each tag is one more join in the search query: a few narrow a search, dozens only cost.
MAX_TAGS = 5

# PostgreSQL's 'english' configuration drops these words; SQLite FTS5 does not. Dropping
# them here too gives both backends the same results for the same query.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can did do does doing don down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other our
    ours ourselves out over own s same she should so some such t than that the their theirs
    them themselves then there these they this those through to too under until up very was
    we were what when where which while who whom why will with you your yours yourself
    yourselves""".split()
)
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class ParsedQuery:
    text: str
    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    username: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    in_bookmarks: bool = False
    in_mine: bool = False
    status: str | None = None
    before: date | None = None
    after: date | None = None
    order: str = "relevance"
    problems: list[str] = field(default_factory=list)
    # What `#category` names, asked once per search whichever kinds ask (see `named`).
    _named: dict = field(default_factory=dict, repr=False, compare=False)

    def named(self, model) -> int | None:
        """The id of the row of `model` (a topic, a region) whose slug `#category` is, or None;
        read once per search, where each kind asking again cost a query each (two kinds
        asked the same two questions of every `#space` search)."""
        if model not in self._named:
            rows = model.objects.filter(slug=self.category).values_list("pk", flat=True)
            self._named[model] = rows.first() if self.category else None
        return self._named[model]

    @property
    def has_terms(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.username or self.category or self.tags or self.in_bookmarks or self.in_mine
            or self.status or self.before or self.after
        )  # fmt: skip

    def websearch(self) -> str:
        """The words for PostgreSQL's websearch_to_tsquery."""
        parts = list(self.words)
        parts += ['"' + " ".join(p) + '"' for p in self.phrases]
        parts += ["-" + w for w in self.excluded]
        return " ".join(parts)

    def fts5(self) -> str:
        """The same query in FTS5's syntax, every word quoted so none is an operator."""
        positive = [f'"{w}"' for w in self.words] + ['"' + " ".join(p) + '"' for p in self.phrases]
        expression = " AND ".join(positive)
        for word in self.excluded:
            expression += f' NOT "{word}"'
        return expression


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text.lower()) if w not in STOP_WORDS]


def _date(value: str, name: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(
            _("%(name)s: needs a date written as YYYY-MM-DD, like 2026-01-31.") % {"name": name}
        )
        return None


def too_many_tags_message() -> str:
    return _("tags: search for at most %(count)d tags at a time.") % {"count": MAX_TAGS}


def parse(text: str) -> ParsedQuery:
    """Split the text into words, "phrases", -exclusions and filters; note any problem."""
    text = (text or "").strip()[:500]
    query = ParsedQuery(text=text)
    try:
        tokens = shlex.split(text, posix=True)
    except ValueError:  # an unclosed quote: read the text as plain words
        tokens = text.replace('"', " ").split()
    quoted = set(re.findall(r'"([^"]+)"', text))
    for token in tokens:
        lower = token.lower()
        if token in quoted and " " in token:
            words = _words(token)
            if len(words) > 1:
                query.phrases.append(words)
            else:
                query.words += words
        elif lower.startswith("@") and len(token) > 1:
            query.username = token[1:]
        elif lower.startswith("#") and len(token) > 1:
            query.category = lower[1:]
        elif lower.startswith("tags:") or lower.startswith("tag:"):
            value = lower.split(":", 1)[1]
            query.tags += [t for t in re.split(r"[,+]", value) if t]
        elif lower in ("in:bookmarks", "in:bookmarked"):
            query.in_bookmarks = True
        elif lower in ("in:mine", "in:posted"):
            query.in_mine = True
        elif lower.startswith("status:"):
            value = lower.split(":", 1)[1]
            if value in STATUSES:
                query.status = value
            else:
                query.problems.append(
                    _("status: can be open, closed, archived, solved or unsolved.")
                )
        elif lower.startswith("before:"):
            query.before = _date(lower.split(":", 1)[1], "before", query.problems)
        elif lower.startswith("after:"):
            query.after = _date(lower.split(":", 1)[1], "after", query.problems)
        elif lower.startswith("order:"):
            value = lower.split(":", 1)[1]
            if value in ORDERS:
                query.order = value
            else:
                query.problems.append(_("order: can be latest or relevance."))
        elif lower.startswith("-") and len(lower) > 1:
            query.excluded += _words(lower[1:])
        else:
            query.words += _words(token)
    query.tags = list(dict.fromkeys(query.tags))
    if len(query.tags) > MAX_TAGS:
        query.problems.append(too_many_tags_message())
    if not query.has_terms and query.excluded:
        query.problems.append(
            _("Add at least one word to look for, as well as words to leave out.")
        )
    if not query.has_terms and not query.has_filters and not query.problems:
        if text:
            query.problems.append(_("Those words are too common to search for: try others."))
    return query


def compose(
    *,
    words: str = "",
    username: str = "",
    category: str = "",
    tags: str = "",
    in_: str = "",
    status: str = "",
    before: str = "",
    after: str = "",
    order: str = "",
) -> str:
    """Write the advanced search form's fields as the query text the search box takes."""
    parts = [words.strip()] if words.strip() else []
    if username.strip():
        parts.append("@" + username.strip().lstrip("@"))
    if category.strip():
        parts.append("#" + category.strip().lstrip("#"))
    tag_list = [t.strip() for t in tags.replace(" ", ",").split(",") if t.strip()]
    if tag_list:
        parts.append("tags:" + ",".join(tag_list))
    if in_:
        parts.append("in:" + in_)
    if status:
        parts.append("status:" + status)
    if before:
        parts.append("before:" + before)
    if after:
        parts.append("after:" + after)
    if order and order != "relevance":
        parts.append("order:" + order)
    return " ".join(parts)
