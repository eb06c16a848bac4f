"""Hot queries whose shape never changes, compiled to SQL once per process and thread.

Each request for a signed-in thread page built the same querysets again and Django compiled
them to the same SQL: cloning querysets, resolving lookups and compiling expressions was
about 40% of the page's selectors (docs/bench.md). A ``CompiledQuery`` builds its queryset
once per *shape* from stand-in values (sentinels), compiles it, remembers which of the
query's parameters are those stand-ins, and for later calls runs the same SQL with the
real values, building model instances exactly as Django's own iteration does.

The queryset is still built by the same code as the uncompiled path, so a visibility rule
stays in one place (``forum/permissions.py``); the *shape* key passed by the caller must
name everything that changes the SQL's text (for posts: moderator, member or visitor).
``tests/test_compiled.py`` checks compiled and uncompiled results agree for every viewer.

Compiled queries are kept per thread: a compiler holds its thread's database connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable

# Stand-in values: integers near the top of a 32-bit column's range, which no real id, post
# number or count reaches (negative ones are refused by positive fields' lookups).
SENTINELS = tuple(2_147_480_000 + i for i in range(1, 9))
TEXT_SENTINELS = tuple(str(sentinel) for sentinel in SENTINELS)
# Shapes kept per thread at most (a list's page number is part of its shape).
MAX_SHAPES = 200


class _FrozenQuery:
    """What ModelIterable asks of a queryset's query: only its compiler."""

    def __init__(self, compiler):
        self._compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler


class _Compiled:
    def __init__(self, queryset: QuerySet, names: tuple[str, ...]):
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        self.sql, self.params = sql, tuple(params)
        # Where each stand-in went, and the type it went as: on PostgreSQL some integers are
        # wrapped in psycopg's Int4 (an int subclass) to fix their SQL type.
        # A text value (a tag's slug) goes in as the stand-in's digits.
        self.positions: list[tuple[int, str, type]] = []
        for index, value in enumerate(self.params):
            if isinstance(value, int) and not isinstance(value, bool) and value in SENTINELS:
                self.positions.append((index, names[SENTINELS.index(value)], type(value)))
            elif isinstance(value, str) and value in TEXT_SENTINELS:
                self.positions.append((index, names[TEXT_SENTINELS.index(value)], str))
        if any(str(sentinel) in sql for sentinel in SENTINELS):
            # Inlined into the text (a LIMIT, say): it cannot vary per call, so it is shape.
            raise ValueError("A compiled query's value reached its SQL text, not a parameter.")
        # Which values need converting depends on the columns only: work it out once.
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        compiler.get_converters = lambda fields: converters
        self.compiler = compiler
        self.model = queryset.model
        self.db = queryset.db

    def run(self, values: dict[str, Any], *, rows: bool) -> list:
        params = list(self.params)
        for index, name, kind in self.positions:
            params[index] = kind(values[name])
        frozen_params = tuple(params)
        compiler = self.compiler
        compiler.as_sql = lambda *args, **kwargs: (self.sql, frozen_params)
        if rows:
            return list(compiler.results_iter(tuple_expected=True))
        queryset = QuerySet(model=self.model, query=_FrozenQuery(compiler), using=self.db)
        return list(ModelIterable(queryset))


class CompiledQuery:
    """``build(shape, **stand_ins)`` returns the queryset; calling runs it for real values.

    ``names`` are the keyword arguments that vary per call; each must reach the SQL only as
    a parameter (an id, a number), never change its text: that is what ``shape`` is for.
    A stand-in is an integer; where the value is text, the builder passes ``str(stand_in)``.
    """

    def __init__(self, build: Callable[..., QuerySet], *names: str, rows: bool = False):
        if len(names) > len(SENTINELS):
            raise ValueError("Too many parameters for one compiled query.")
        self._build = build
        self._names = names
        self._rows = rows  # tuples of the selected values instead of model instances
        self._local = threading.local()

    def __call__(self, shape: Hashable, **values: Any) -> list:
        cache = getattr(self._local, "compiled", None)
        if cache is None:
            cache = self._local.compiled = {}
        key = (shape, id(connections[DEFAULT_DB_ALIAS]))
        compiled = cache.get(key)
        if compiled is None:
            stand_ins = dict(zip(self._names, SENTINELS, strict=False))
            queryset = self._build(shape, **stand_ins)
            if len(cache) >= MAX_SHAPES:
                del cache[next(iter(cache))]  # the oldest shape
            compiled = cache[key] = _Compiled(queryset, self._names)
        return compiled.run(values, rows=self._rows)
