"""Filtering on a long list of ids with one bound value instead of one per id.

`Model.objects.filter(pk__in=ids)` binds each id separately: for the 5,000 watchers of a busy
thread that is 5,000 placeholders for Django to prepare and psycopg to splice into the SQL
text, about a fifth of the worker's fan-out CPU (docs/bench-national.md). On PostgreSQL,
`among("pk", ids)` is `pk = ANY(%s)` with the ids as one array; on other databases it is the
plain `__in` filter.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import F, Lookup, Q


class _AnyOfList(Lookup):
    """``lhs = ANY(%s)`` with a Python list of integers bound as one array (PostgreSQL)."""

    lookup_name = "any_of_list"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, self.rhs)


def among(field: str, ids: Iterable[int]) -> Q | Lookup:
    """A filter for `field` being one of `ids` (integers): one array parameter on PostgreSQL."""
    values = [int(i) for i in ids]
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    return _AnyOfList(F(field), values)
