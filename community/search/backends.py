"""Full-text matching, ranking and snippets: PostgreSQL and SQLite FTS5 behind one call."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Document
from .query import ParsedQuery

# Control characters mark the matches inside the database's snippet; the text is escaped
# as HTML first and only then are they turned into <mark> tags (indexing strips them).
START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 30


@dataclass
class Match:
    kind: str
    object_id: int
    snippet: SafeString


def clean_text(text: str) -> str:
    return (text or "").replace(START, " ").replace(STOP, " ")


def highlight(raw: str) -> SafeString:
    html = escape(raw).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own tags added


def _plain_snippet(body: str) -> SafeString:
    words = body.split()
    text = " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")
    return highlight(text)


def match(*, docs: QuerySet[Document], query: ParsedQuery, offset: int, limit: int) -> list[Match]:
    """The documents among `docs` that match the query's words, best or newest first."""
    if not query.has_terms:
        rows = docs.order_by("-created_at", "-id").values_list("kind", "object_id", "body")
        return [Match(k, o, _plain_snippet(b)) for k, o, b in rows[offset : offset + limit]]
    if connection.vendor == "postgresql":
        return _match_postgresql(docs, query, offset, limit)
    return _match_sqlite(docs, query, offset, limit)


def _match_postgresql(docs, query: ParsedQuery, offset: int, limit: int) -> list[Match]:
    vector = RawSQL('"search_document"."vector"', [], output_field=SearchVectorField())
    search = SearchQuery(query.websearch(), config="english", search_type="websearch")
    qs = (
        docs.alias(vector=vector)
        .filter(vector=search)
        .annotate(
            snippet=SearchHeadline(
                "body",
                search,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=SNIPPET_WORDS,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
    )
    if query.order == "latest":
        qs = qs.order_by("-created_at", "-id")
    else:
        qs = qs.annotate(rank=SearchRank(vector, search)).order_by("-rank", "-created_at", "-id")
    rows = qs.values_list("kind", "object_id", "snippet")[offset : offset + limit]
    return [Match(k, o, highlight(s)) for k, o, s in rows]


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
