"""Full-text matching, ranking and snippets: PostgreSQL and SQLite FTS5 behind one call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchVectorField
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
HEADLINE_OPTIONS = (
    f"StartSel='{START}', StopSel='{STOP}', MaxWords={SNIPPET_WORDS}, MinWords=12,"
    " MaxFragments=2, FragmentDelimiter=' … '"
)
# How many of the newest matches relevance order ranks (see _match_postgresql).
RANKED_CANDIDATES = 500


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


def _newest_ids_sql(candidates, query: ParsedQuery, count: int) -> tuple[str, list]:
    """SQL for the ids of the newest `count` matching documents of each kind, one branch per
    kind joined by UNION ALL, so that each branch's plan can start from its own best index."""
    vector = RawSQL('"search_document"."vector"', [], output_field=SearchVectorField())
    search = SearchQuery(query.websearch(), config="english", search_type="websearch")
    parts, params = [], []
    for kind, ids in candidates.items():
        docs = Document.objects.filter(_of_kind(kind, ids))
        # The date filters again on the document's own date, for kinds whose indexed date is
        # the one the filters test and never changes (a post's writing), so the newest-first
        # index can skip to the range.
        exact = getattr(registry.providers().get(kind), "indexed_date_is_filter_date", False)
        if exact and query.before:
            docs = docs.filter(created_at__lt=day_start(query.before))
        if exact and query.after:
            docs = docs.filter(created_at__gte=day_start(query.after))
        if query.has_terms:
            docs = docs.alias(vector=vector).filter(vector=search)
        newest = docs.order_by("-created_at", "-id").values("id")[:count]
        try:
            sql, branch_params = newest.query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing, such as in:mine signed out
            continue
        parts.append(f"({sql})")
        params += branch_params
    return " UNION ALL ".join(parts), params


def _match_postgresql(candidates, query: ParsedQuery, offset: int, limit: int) -> list[Match]:
    # Relevance ranks only the newest RANKED_CANDIDATES matches (more when paging past
    # them): ts_rank reads every ranked document's vector, so ranking every match of a
    # common word would cost in proportion to the size of the network.
    ranked = query.has_terms and query.order != "latest"
    count = max(RANKED_CANDIDATES, offset + limit) if ranked else offset + limit
    newest, params = _newest_ids_sql(candidates, query, count)
    if not newest:
        return []
    if ranked:
        rank = "ts_rank(d.vector, websearch_to_tsquery('english'::regconfig, %s))"
        rank_params = [query.websearch()]
    else:
        rank, rank_params = "0", []
    order = "rank DESC, created_at DESC, id DESC"
    page = (
        f"SELECT d.id, d.kind, d.object_id, d.body, d.created_at, {rank} AS rank"
        f" FROM search_document d WHERE d.id IN ({newest}) ORDER BY {order} LIMIT %s OFFSET %s"
    )
    page_params = [*rank_params, *params, limit, offset]
    if query.has_terms:
        # Snippets for the page's rows only, after ranking and paging.
        sql = (
            "SELECT p.kind, p.object_id, ts_headline('english'::regconfig, p.body,"
            " websearch_to_tsquery('english'::regconfig, %s), %s)"
            f" FROM ({page}) p ORDER BY {order}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [query.websearch(), HEADLINE_OPTIONS, *page_params])
            return [Match(k, o, highlight(s or "")) for k, o, s in cursor.fetchall()]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.kind, p.object_id, p.body FROM ({page}) p ORDER BY {order}",
                       page_params)  # fmt: skip
        return [Match(k, o, _plain_snippet(b)) for k, o, b in cursor.fetchall()]


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
