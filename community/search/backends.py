"""Full-text matching, ranking and snippets: PostgreSQL and SQLite FTS5 behind one call."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache, reduce
from operator import or_
from time import monotonic

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import registry
from .models import Document
from .query import ParsedQuery

# Control characters mark the matches inside the database's snippet; the text is escaped
# as HTML first and only then are they turned into <mark> tags (indexing strips them).
START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 30
# Words of context shown before the first match in a snippet.
SNIPPET_LEAD = 6
# How many of the newest matches of each kind relevance order ranks (see _match_postgresql).
# 500 walked 2.5 times as many documents for a common word as 200 (docs/bench-national.md).
RANKED_CANDIDATES = 200
# Posts are found window by window, newest first (see _windowed), when the query's words are
# neither common (the newest documents hold enough matches: walking them is cheapest) nor
# rare (their own index entries are few enough to read them all): windows of the newest
# 1/16, 1/8 and 1/4 of the documents, the first big enough to hold the matches the rarest
# word should have there, then the rest.
WINDOWED_KINDS = ("post",)
WINDOW_SHARES = (1 / 16, 1 / 8, 1 / 4)
# A viewer may read as little as a third of the posts (a visitor: the public spaces).
WINDOW_SLACK = 3
STATISTICS_SECONDS = 600
_statistics: dict[str, object] = {}


@dataclass
class Match:
    kind: str
    object_id: int
    snippet: SafeString


def day_start(day: date) -> datetime:
    """Midnight at the start of the day, local time: where before:/after: draw the line."""
    return timezone.make_aware(datetime.combine(day, time.min))


def clean_text(text: str) -> str:
    return (text or "").replace(START, " ").replace(STOP, " ")


def highlight(raw: str) -> SafeString:
    html = escape(raw).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own tags added


def _plain_snippet(body: str) -> SafeString:
    words = body.split()
    text = " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")
    return highlight(text)


# A stem in a tsquery's text form ('support'), after `!` when excluded; `!(` excludes a group.
_TSQUERY_TOKEN = re.compile(r"!?\(|\)|(!?)'((?:[^']|'')+)'")


@lru_cache(maxsize=256)
def _stem_pattern(tsquery: str) -> re.Pattern | None:
    """A pattern for the words of a text that a tsquery's stems match (those not excluded):
    each stem as the start of a word (the English stemmer's stems nearly always are, or are
    with a final y made i: famili, families, family), with a few letters of ending at most,
    so "time" marks "times" and "timely" but not "timetable"."""
    stems, negated = set(), [False]
    for match in _TSQUERY_TOKEN.finditer(tsquery):
        token = match[0]
        if token.endswith("("):
            negated.append(negated[-1] or token.startswith("!"))
        elif token == ")":
            if len(negated) > 1:
                negated.pop()
        elif not (match[1] or negated[-1]):
            stems.add(match[2].replace("''", "'"))
    if not stems:
        return None
    forms = sorted(
        (re.escape(stem[:-1]) + "[iy]" if stem.endswith("i") else re.escape(stem)) for stem in stems
    )
    return re.compile(rf"\b(?:{'|'.join(forms)})\w{{0,4}}\b", re.IGNORECASE)


def text_snippet(body: str, tsquery: str) -> SafeString:
    """About SNIPPET_WORDS words of the body from just before its first match, the matches
    marked. Cut here rather than by ts_headline, which parsed each hit's whole body again in
    the database (6 ms for a page of library resources, docs/bench-national.md); the body is
    the one the database matched, so only the marking is approximate (a stem's inflections
    as above). A body without a match (the title matched) shows its start."""
    pattern = _stem_pattern(tsquery)
    first = pattern.search(body) if pattern else None
    if first is None:
        return _plain_snippet(body)
    head, tail = body[: first.start()], body[first.start() :]
    before = head.split()
    if before and not head[-1].isspace():  # the match starts inside a word: "(support"
        tail = before.pop() + tail
    lead = before[-SNIPPET_LEAD:]
    # Split only as far as needed: the last item is the rest of the body, if any.
    after = tail.split(None, SNIPPET_WORDS - len(lead))
    shown = " ".join([*lead, *after[: SNIPPET_WORDS - len(lead)]])
    shown = pattern.sub(lambda m: f"{START}{m[0]}{STOP}", shown)
    more = " …" if len(after) > SNIPPET_WORDS - len(lead) else ""
    return highlight(("… " if len(before) > len(lead) else "") + shown + more)


def match(
    *, candidates: dict[str, QuerySet], query: ParsedQuery, offset: int, limit: int
) -> list[Match]:
    """The documents that match the query's words, best or newest first, among each kind's
    candidates (`kind -> values("pk")` queryset of what the viewer may find, or a filter on
    that kind's documents)."""
    if not candidates:
        return []
    if connection.vendor == "postgresql":
        return _match_postgresql(candidates, query, offset, limit)
    docs = Document.objects.filter(
        reduce(or_, (_of_kind(kind, ids) for kind, ids in candidates.items()))
    )
    if not query.has_terms:
        rows = docs.order_by("-created_at", "-id").values_list("kind", "object_id", "body")
        return [Match(k, o, _plain_snippet(b)) for k, o, b in rows[offset : offset + limit]]
    return _match_sqlite(docs, query, offset, limit)


def _of_kind(kind: str, candidates: QuerySet | Q) -> Q:
    """A kind's documents among its candidates: a filter on the documents' own columns, or
    the ids of the objects the provider found."""
    if isinstance(candidates, Q):
        return Q(kind=kind) & candidates
    return Q(kind=kind, object_id__in=candidates)


_TEXT = "websearch_to_tsquery('english'::regconfig, %s)"
_VECTOR = '"search_document"."vector"'
_CREATED = '"search_document"."created_at"'
_NEWEST_FIRST = f' ORDER BY {_CREATED} DESC, "search_document"."id" DESC LIMIT %s'


@dataclass
class _Branch:
    """A kind's documents among its candidates (and on the filters' dates), compiled to SQL
    once per search: each window or form of the text test is this SQL with conditions added
    as text, instead of a queryset cloned and compiled again for each (that was a third of
    a search's Python, docs/bench-national.md)."""

    sql: str  # SELECT id, created_at, doc_vector FROM search_document WHERE ..., no ORDER BY
    params: list
    text: str | None  # the query's words as websearch_to_tsquery takes them, if any

    def select(
        self, count: int, *, walked: bool = False, newer=None, older=None
    ) -> tuple[str, list]:
        """The newest `count` matches, as (sql, params); with `walked`, the text test in a
        form no index answers (the newest documents walked in time order); `newer` and
        `older` bound the documents' time (older <= created_at < newer)."""
        sql, params = self.sql, list(self.params)
        if self.text is not None:
            test = f"coalesce({_VECTOR} @@ {_TEXT}, false)" if walked else f"{_VECTOR} @@ {_TEXT}"
            sql += f" AND {test}"
            params.append(self.text)
        if newer is not None:
            sql += f" AND {_CREATED} < %s"
            params.append(newer)
        if older is not None:
            sql += f" AND {_CREATED} >= %s"
            params.append(older)
        return sql + _NEWEST_FIRST, [*params, count]


def _branch(kind: str, ids, query: ParsedQuery) -> _Branch | None:
    """A kind's documents among its candidates, newest first, as (id, created_at, vector);
    None when its filters can match nothing (such as in:mine signed out)."""
    docs = Document.objects.filter(_of_kind(kind, ids))
    # The date filters again on the document's own date, for kinds whose indexed date is
    # the one the filters test and never changes (a post's writing), so the newest-first
    # index can skip to the range.
    exact = getattr(registry.providers().get(kind), "indexed_date_is_filter_date", False)
    if exact and query.before:
        docs = docs.filter(created_at__lt=day_start(query.before))
    if exact and query.after:
        docs = docs.filter(created_at__gte=day_start(query.after))
    vector = RawSQL(_VECTOR, [], output_field=SearchVectorField())
    compiled = _sql(docs.order_by().values("id", "created_at", doc_vector=vector))
    if compiled is None:
        return None
    sql, params = compiled
    # Conditions are added after the WHERE as text: the compiled query must end with it.
    if " WHERE " not in sql or sql.rstrip().endswith(("LIMIT", "OFFSET")):
        raise ValueError(f"Unexpected SQL for a search branch: {sql[:200]}")
    return _Branch(sql, params, query.websearch() if query.has_terms else None)


def _sql(queryset) -> tuple[str, list] | None:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing, such as in:mine signed out
        return None
    return sql, list(params)


def _read_statistics() -> dict:
    """What PostgreSQL's own statistics say about the index (kept STATISTICS_SECONDS): how many
    documents, the share of documents holding each of the commonest words, and the dates
    that cut the documents into hundredths. Any of it may be stale or missing; it only
    chooses the windows, which give the same results whatever they are."""
    now = monotonic()
    if _statistics and now - _statistics["read_at"] < STATISTICS_SECONDS:
        return _statistics
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT reltuples FROM pg_class WHERE oid = 'search_document'::regclass),"
            " (SELECT most_common_elems::text::text[] FROM pg_stats WHERE tablename ="
            " 'search_document' AND attname = 'vector' AND schemaname = current_schema()),"
            " (SELECT most_common_elem_freqs FROM pg_stats WHERE tablename = 'search_document'"
            " AND attname = 'vector' AND schemaname = current_schema()),"
            " (SELECT histogram_bounds::text::timestamptz[] FROM pg_stats WHERE tablename ="
            " 'search_document' AND attname = 'created_at' AND schemaname = current_schema())"
        )
        total, words, shares, dates = cursor.fetchone()
        # The share of documents in each forum space, by the slug `#space` names.
        cursor.execute(
            "SELECT s.slug, v.share FROM pg_stats p, unnest(p.most_common_vals::text::bigint[],"
            " p.most_common_freqs) AS v(space_id, share) JOIN forum_space s ON s.id = v.space_id"
            " WHERE p.tablename = 'search_document' AND p.attname = 'space_id'"
            " AND p.schemaname = current_schema()"
        )
        spaces = dict(cursor.fetchall())
    words, shares = words or [], shares or []
    _statistics.clear()
    _statistics.update(
        read_at=now,
        total=total or 0,
        shares=dict(zip(words, shares, strict=False)),
        # Below the least common word counted, a word's share is not known: half of it.
        unknown_share=min(shares[: len(words)], default=0) / 2,
        dates=dates or [],
        spaces=spaces,
    )
    return _statistics


def _share_of(word: str, shares: dict[str, float]) -> float | None:
    """The share of documents holding a query word, from the commonest words' shares (None
    when it is not among them). The index stores English stems; a word's stem is nearly
    always a prefix of it (support, peopl, breastfeed, fund) or of it with a final y made i
    (famili): the longest such prefix among the common stems is taken, without asking the
    database to stem each new word."""
    for candidate in (word, word[:-1] + "i" if word.endswith("y") else word):
        for length in range(len(candidate), max(len(candidate) - 4, 2), -1):
            share = shares.get(candidate[:length])
            if share is not None:
                return share
    return None


def window_bounds(query: ParsedQuery, count: int) -> tuple[list[datetime], bool]:
    """The times that cut the posts into windows for this query, newest first (none when
    the words are rare or a filter bounds the work), and whether the first window is walked
    in time order rather than read through the text index (when the words are common)."""
    narrowed = query.username or query.tags or query.in_bookmarks or query.in_mine
    if not query.has_terms or narrowed or query.status or query.before or query.after:
        return [], False  # each of these filters bounds the work by its own index or range
    statistics = _read_statistics()
    # The share of the posts the viewer and the filters keep: a named space's share, or as
    # little as a visitor's (a topic, which is narrower, is left to its own plan).
    reach = 1 / WINDOW_SLACK
    if query.category:
        reach = statistics["spaces"].get(query.category, 0)
        if reach <= 0:
            return [], False
    total, dates = statistics["total"], statistics["dates"]
    words = [*query.words, *(w for phrase in query.phrases for w in phrase)]
    if not words or total <= 0 or len(dates) < 2:
        return [], False
    unknown = statistics["unknown_share"]
    word_shares = [_share_of(word, statistics["shares"]) or unknown for word in words]
    # Every word must match: their shares multiplied, as if they were independent (words
    # that go together make it an underestimate, so windows a little bigger than needed).
    share = math.prod(word_shares)
    if share <= 0:
        return [], False
    # The share of the newest documents that should hold `count` matches of the rarest word.
    needed = count / (share * reach * total)
    last = len(dates) - 1
    # Walking the newest documents reads about as many rows as it takes to find `count`;
    # the text index reads every entry of every word (a row read and tested costs a few
    # times an index entry, which is why the walk gets no discount here).
    walked = count / (share * reach)
    entries = total * sum(word_shares)
    if needed <= WINDOW_SHARES[0] and walked <= entries:
        # Common: the newest 1/16 should hold them, and walking it is the cheaper and
        # bounded way, where a broad filter tempted the planner to AND every one of its
        # documents with the word's entries (a big space's 316,000).
        return [dates[round((1 - WINDOW_SHARES[0]) * last)]], True
    if needed > WINDOW_SHARES[-1]:
        return [], False
    bounds = {dates[round((1 - s) * last)] for s in WINDOW_SHARES if s >= needed}
    return sorted(bounds, reverse=True), False


def _windowed(name: str, branch: _Branch, walk: bool, count: int, bounds: list[datetime]):
    """The newest `count` rows of a branch, found window by window: each window's query runs
    only if the newer windows together found fewer than `count` (a one-time filter on the
    counts of the CTEs before it), so the work stops at the window that completes them,
    and no plan ANDs every document of a broad filter with the word's index entries. The
    windows split the documents by time without gaps or overlaps, so the newest `count`
    are the same whatever the bounds (tests/search/test_windows.py). With `walk`, the first
    window is walked in time order. Returns the CTEs, their parameters and the SELECT of
    the rows."""
    ctes, cte_params, names = [], [], []
    edges = [None, *bounds, None]
    for number, (newer, older) in enumerate(itertools.pairwise(edges)):
        sql, params = branch.select(count, walked=walk and number == 0, newer=newer, older=older)
        cte = f"{name}_{number}"
        if names:
            found = " + ".join(f"(SELECT count(*) FROM {n})" for n in names)
            sql = f"SELECT * FROM ({sql}) w WHERE {found} < %s"
            params = [*params, count]
        ctes.append(f"{cte} AS MATERIALIZED ({sql})")
        cte_params += params
        names.append(cte)
    union = " UNION ALL ".join(f"SELECT * FROM {n}" for n in names)
    select = f"SELECT * FROM ({union}) u ORDER BY created_at DESC, id DESC LIMIT %s"
    return ctes, cte_params, (select, [count])


def _match_postgresql(candidates, query: ParsedQuery, offset: int, limit: int) -> list[Match]:
    # Relevance ranks only the newest RANKED_CANDIDATES matches of each kind (more when
    # paging past them): ts_rank reads every ranked document's vector, so ranking every
    # match of a common word would cost in proportion to the size of the network. Each
    # kind is one branch of a UNION ALL, so each branch's plan starts from its own index;
    # the rank is computed on each branch's kept rows (their vectors carried up, not read
    # again), and only the page's rows are read again for their snippets.
    ranked = query.has_terms and query.order != "latest"
    count = max(RANKED_CANDIDATES, offset + limit) if ranked else offset + limit
    # Ranked after each kind's limit, so only the kept candidates' vectors are read for it.
    if ranked:
        rank = "ts_rank(doc_vector, websearch_to_tsquery('english'::regconfig, %s))"
        rank_params = [query.websearch()]
    else:
        rank, rank_params = "0::real", []
    ctes, cte_params, parts, params = [], [], [], []
    for number, (kind, ids) in enumerate(candidates.items()):
        branch = _branch(kind, ids, query)
        if branch is None:
            continue
        bounds, walk = window_bounds(query, count) if kind in WINDOWED_KINDS else ([], False)
        if bounds:
            kind_ctes, kind_params, select = _windowed(f"k{number}", branch, walk, count, bounds)
            ctes += kind_ctes
            cte_params += kind_params
            sql, select_params = select
        else:
            sql, select_params = branch.select(count)
        parts.append(f"SELECT id, created_at, {rank} AS rank FROM ({sql}) k{number}")
        params += [*rank_params, *select_params]
    if not parts:
        return []
    order = "rank DESC, created_at DESC, id DESC"
    top = (
        f"SELECT c.id, c.rank, c.created_at FROM ({' UNION ALL '.join(parts)}) c"
        f" ORDER BY {order} LIMIT %s OFFSET %s"
    )
    # The page's rows' bodies, for their snippets (text_snippet), with the stems the words
    # became (the same for every row).
    stems, stems_params = (
        ("websearch_to_tsquery('english'::regconfig, %s)::text", [query.websearch()])
        if query.has_terms
        else ("''", [])
    )
    with_ = f"WITH {', '.join(ctes)} " if ctes else ""
    sql = (
        f"{with_}SELECT d.kind, d.object_id, d.body, {stems} FROM ({top}) t"
        " JOIN search_document d ON d.id = t.id ORDER BY t.rank DESC, t.created_at DESC, t.id DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cte_params, *stems_params, *params, limit, offset])
        rows = cursor.fetchall()
    if query.has_terms:
        return [Match(k, o, text_snippet(b or "", t)) for k, o, b, t in rows]
    return [Match(k, o, _plain_snippet(b)) for k, o, b, _t in rows]


def _match_sqlite(docs, query: ParsedQuery, offset: int, limit: int) -> list[Match]:
    try:
        inner_sql, inner_params = docs.values("id").query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing, such as in:mine when signed out
        return []
    if query.order == "latest":
        order = "d.created_at DESC, d.id DESC"
    else:
        # bm25 is lower for better matches; a title match counts ten times a body match.
        order = "bm25(search_document_fts, 10.0, 1.0), d.created_at DESC, d.id DESC"
    sql = (
        "SELECT d.kind, d.object_id,"
        f" snippet(search_document_fts, 1, char(2), char(3), ' … ', {SNIPPET_WORDS})"
        " FROM search_document_fts JOIN search_document d ON d.id = search_document_fts.rowid"
        f" WHERE search_document_fts MATCH %s AND d.id IN ({inner_sql})"
        f" ORDER BY {order} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [query.fts5(), *inner_params, limit, offset])
        rows = cursor.fetchall()
    return [Match(k, o, highlight(s or "")) for k, o, s in rows]
