"""The kinds of thing search can find. Each app registers a provider for its kinds.

Forum posts are registered by this app; the library (resources) and training (events)
register their own providers from their apps' `ready()`. A provider names the events
after which an object of its kind is indexed again (`reindex_on`); this app never
imports the apps it searches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from django.db.models import Q, QuerySet
    from django.db.models.expressions import RawSQL

    from .query import ParsedQuery


@dataclass
class IndexEntry:
    """What the index stores for one object."""

    object_id: int
    title: str
    body: str
    created_at: datetime
    # Copies of what the kind's visibility rule and filters test, by column (models.ATTRIBUTES).
    attributes: dict = field(default_factory=dict)


@dataclass
class Hit:
    """One search result, ready for a page or the API."""

    kind: str
    object_id: int
    title: str
    url: str
    created_at: datetime  # the date shown with the hit (an event's start)
    label: str = ""  # what kind of thing it is, in words: "Post", "Library resource"...
    date_label: str = ""  # words before the date, when it is not simply when it was written
    author_name: str = ""
    context: str = ""
    snippet: str = ""  # safe HTML: escaped text with <mark> around matches
    obj: object = None
    extra: dict = field(default_factory=dict)


def choice_label(choices, value) -> str:
    """A choice's label, as a model's get_FOO_display gives it, for a provider's hits: that
    rebuilds and hashes every choice's lazy label on each call (0.15-0.3 ms, several times
    per hit on a page of results)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Provider(Protocol):
    kind: str
    # Event type -> the key in the event holding the id of the object to index again.
    reindex_on: Mapping[str, str]

    def candidates(self, viewer, query: ParsedQuery) -> QuerySet | Q | None:
        """The objects this viewer may read that pass the query's filters: ids (a
        `values("pk")` queryset), or a filter on the kind's documents (a Q over their
        copied columns, models.ATTRIBUTES); None when the filters cannot apply to this kind."""

    def load(self, viewer, ids: Iterable[int]) -> dict[int, Hit]:
        """The hits for these ids, in a fixed number of queries."""

    def entries(self, ids: Iterable[int] | None = None) -> Iterable[IndexEntry]:
        """What to index for these ids (all objects when None). Objects that no longer
        exist or should not be indexed are simply left out."""


def pk_among(model, ids: int | str) -> RawSQL:
    """A filter `pk IN ids` with the ids as one comma-separated text parameter ("3,5,8"),
    for a page of hits read by a compiled query (community/compiled.py): one SQL text
    whatever their number, so it is built once per process, not through the ORM per search
    (a third of a search's Python, docs/bench-national.md). The compiled query's builder
    passes a stand-in number, as text like the real value."""
    from django.db import connection
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)}"
    if connection.vendor == "postgresql":
        sql = f"{column} = ANY(string_to_array(%s::text, ',')::bigint[])"
    else:
        sql = f"{column} IN (SELECT value FROM json_each('[' || %s || ']'))"
    return RawSQL(sql, (str(ids),), output_field=BooleanField())


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    _providers[provider.kind] = provider
    return provider


def providers() -> dict[str, Provider]:
    return dict(_providers)


def get(kind: str) -> Provider:
    return _providers[kind]
