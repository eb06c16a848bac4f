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
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable
from django.db.models.query_utils import DeferredAttribute

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
            elif isinstance(value, list) and len(value) == 1 and value[0] in SENTINELS:
                # A list of ids bound as one array (community/sqlarrays.py, PostgreSQL).
                self.positions.append((index, names[SENTINELS.index(value[0])], list))
        if any(str(sentinel) in sql for sentinel in SENTINELS):
            # Inlined into the text (a LIMIT, say): it cannot vary per call, so it is shape.
            raise ValueError("A compiled query's value reached its SQL text, not a parameter.")
        # Which values need converting depends on the columns only: work it out once.
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        compiler.get_converters = lambda fields: converters
        # Likewise whether any column is a composite key's (asked per run, for each column).
        composite = compiler.has_composite_fields(fields)
        compiler.has_composite_fields = lambda fields: composite
        self.compiler = compiler
        self.model = queryset.model
        self.db = queryset.db
        self.queryset = queryset
        self._build: _Builder | None | bool = False  # worked out on the first model read

    def run(self, values: dict[str, Any], *, rows: bool) -> list:
        params = list(self.params)
        for index, name, kind in self.positions:
            params[index] = kind(values[name])
        frozen_params = tuple(params)
        compiler = self.compiler
        compiler.as_sql = lambda *args, **kwargs: (self.sql, frozen_params)
        fetched = _run_prepared(self.db, self.sql, frozen_params)
        if fetched is not None:
            compiler.execute_sql = lambda *args, **kwargs: [fetched]
        if rows:
            return list(compiler.results_iter(tuple_expected=True))
        if self._build is False:
            self._build = _builder(compiler, self.queryset)
        build = self._build
        if build is not None and not _has_init_listeners(build.models):
            return build(compiler.results_iter(tuple_expected=True))
        queryset = QuerySet(model=self.model, query=_FrozenQuery(compiler), using=self.db)
        return list(ModelIterable(queryset))


def _run_prepared(alias: str, sql: str, params: tuple) -> list | None:
    """The query's rows, run as a prepared statement (PostgreSQL with psycopg 3), else None.

    Planning was most of what PostgreSQL spent on these queries: 1-2 ms for a list page's
    query against 1-2 ms running it, 0.4-0.9 ms against 0.1-0.3 ms for each of the thread
    page's (docs/bench.md, fourth pass), paid on every request since Django binds parameters
    on the client. A compiled query's SQL text never changes, so each connection prepares it
    once (psycopg names and keeps it; Django leaves prepared statements off by default only
    for poolers such as PgBouncer in transaction mode, which this project does not use: its
    pool is psycopg's, in the process). The statement runs through Django's cursor wrapper,
    so query logging, execute wrappers and the tests' query counts see it as before.
    """
    connection = connections[alias]
    cursor_class = _preparing_cursor_class(connection)
    if cursor_class is None:
        return None
    connection.ensure_connection()
    if getattr(connection.connection, "prepare_threshold", None) is None:
        return None  # prepared statements turned off (settings.py: "prepare_threshold")
    with connection._prepare_cursor(cursor_class(connection.connection)) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_PREPARING_CURSOR: list = []


def _preparing_cursor_class(connection):
    if connection.vendor != "postgresql":
        return None
    if not _PREPARING_CURSOR:
        from django.db.backends.postgresql import base

        binding = getattr(base, "ServerBindingCursor", None)  # psycopg 3 only
        if binding is None:
            _PREPARING_CURSOR.append(None)
        else:

            class PreparingCursor(binding):
                """Server-side binding, and every statement prepared on first use."""

                def execute(self, query, params=None, *, prepare=None, binary=None):
                    super().execute(query, params, prepare=True, binary=binary)
                    # psycopg keeps no query text for a prepared statement; Django's query
                    # log reads it from here, so it gets the SQL it would log unprepared.
                    self._query = _LoggedQuery(self.connection, query, params)
                    return self

            _PREPARING_CURSOR.append(PreparingCursor)
    return _PREPARING_CURSOR[0]


class _LoggedQuery:
    """The SQL Django's query log shows for a prepared statement, composed when it asks."""

    def __init__(self, connection, sql: str, params):
        self._connection, self._sql, self._params = connection, sql, params

    @property
    def query(self) -> bytes:
        from psycopg import ClientCursor

        with ClientCursor(self._connection) as cursor:
            return cursor.mogrify(self._sql, self._params).encode()


# Descriptors whose assignment on a new instance only stores the value in its __dict__: for
# models whose fields all have one of these, an instance is built by filling __dict__ directly.
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor)
_FROM_DB = Model.from_db.__func__


def _has_init_listeners(models) -> bool:
    return any(
        signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
        for model in models
    )


class _Builder:
    """Model instances (with their select_related objects and annotations) straight from rows.

    What ModelIterable and Model.from_db do for these rows, without Model.__init__'s generic
    path (its signals, per-field setattr and argument checks): that was most of the cost of
    reading a page's posts and thread rows (docs/bench.md). Built only for plain models (see
    ``_builder``); the instances are indistinguishable from the ORM's.
    """

    def __init__(self, klass_info, select, annotation_col_map, db, fetch_mode):
        self.db, self.fetch_mode = db, fetch_mode
        self.root = self._node(klass_info, select)
        self.annotations = tuple((annotation_col_map or {}).items())
        self.models = tuple(self._models(self.root))

    def _node(self, klass_info, select) -> tuple:
        if klass_info.get("from_parent"):
            raise _Unsupported
        model = klass_info["model"]
        if model.__init__ is not Model.__init__ or model.from_db.__func__ is not _FROM_DB:
            raise _Unsupported  # the model builds its instances its own way
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        attnames = tuple(column[0].target.attname for column in select[start:end])
        for attname in attnames:
            if type(model.__dict__.get(attname)) not in _PLAIN_DESCRIPTORS:
                raise _Unsupported
        if model._meta.pk.attname not in attnames:
            raise _Unsupported
        pk_index = attnames.index(model._meta.pk.attname)
        related = tuple(
            (self._node(info, select), info["local_setter"], info["remote_setter"])
            for info in klass_info.get("related_klass_infos", [])
        )
        return (model, attnames, start, end, pk_index, related)

    def _models(self, node):
        yield node[0]
        for child, _local, _remote in node[5]:
            yield from self._models(child)

    def _make(self, node, row):
        model, attnames, start, end, pk_index, related = node
        values = row[start:end]
        if values[pk_index] is None:
            return None
        obj = model.__new__(model)
        state = ModelState()
        state.adding, state.db, state.fetch_mode = False, self.db, self.fetch_mode
        attributes = obj.__dict__
        attributes["_state"] = state
        attributes.update(zip(attnames, values, strict=True))
        for child, local_setter, remote_setter in related:
            related_obj = self._make(child, row)
            local_setter(obj, related_obj)
            if related_obj is not None:
                remote_setter(related_obj, obj)
        return obj

    def __call__(self, rows) -> list:
        make, root, annotations = self._make, self.root, self.annotations
        out = []
        for row in rows:
            obj = make(root, row)
            for name, position in annotations:
                setattr(obj, name, row[position])
            out.append(obj)
        return out


class _Unsupported(Exception):
    pass


def _builder(compiler, queryset: QuerySet) -> _Builder | None:
    """A fast builder for the query's rows, or None where ModelIterable must do it (a model
    with an unusual field descriptor, a parent link, related objects known in advance, a fetch
    mode that tracks peers)."""
    fetch_mode = queryset._fetch_mode
    if queryset._known_related_objects or fetch_mode.track_peers or compiler.klass_info is None:
        return None
    try:
        return _Builder(
            compiler.klass_info,
            compiler.select,
            compiler.annotation_col_map,
            queryset.db,
            fetch_mode,
        )
    except _Unsupported:
        return None


def _beyond_64_bits(value: Any) -> bool:
    """An integer no database column here can hold (a URL's /t/99999999999999999999/)."""
    return isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63


class CompiledQuery:
    """``build(shape, **stand_ins)`` returns the queryset; calling runs it for real values.

    ``names`` are the keyword arguments that vary per call; each must reach the SQL only as
    a parameter (an id, a number), never change its text: that is what ``shape`` is for.
    A stand-in is an integer; where the value is text, the builder passes ``str(stand_in)``.
    ``lists`` name the parameters that are lists of ids: their stand-in is ``[stand_in]``,
    and the builder must filter on them with ``sqlarrays.among`` (one array parameter on
    PostgreSQL). Other databases bind one parameter per id, so a list's length changes the
    SQL: there the query is built for each call, not compiled.
    """

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *names: str,
        rows: bool = False,
        lists: tuple[str, ...] = (),
    ):
        if len(names) + len(lists) > len(SENTINELS):
            raise ValueError("Too many parameters for one compiled query.")
        self._build = build
        self._names = (*names, *lists)
        self._lists = frozenset(lists)
        self._rows = rows  # tuples of the selected values instead of model instances
        self._local = threading.local()

    def __call__(self, shape: Hashable, **values: Any) -> list:
        if (self._lists and connections[DEFAULT_DB_ALIAS].vendor != "postgresql") or any(
            _beyond_64_bits(value) for value in values.values()
        ):
            # Django's own lookups know what an id past any column's range matches (nothing,
            # for an exact lookup); bound as it is, SQLite's driver raises OverflowError.
            return list(self._build(shape, **values))
        cache = getattr(self._local, "compiled", None)
        if cache is None:
            cache = self._local.compiled = {}
        key = (shape, id(connections[DEFAULT_DB_ALIAS]))
        compiled = cache.get(key)
        if compiled is None:
            stand_ins = {
                name: [sentinel] if name in self._lists else sentinel
                for name, sentinel in zip(self._names, SENTINELS, strict=False)
            }
            queryset = self._build(shape, **stand_ins)
            if len(cache) >= MAX_SHAPES:
                del cache[next(iter(cache))]  # the oldest shape
            compiled = cache[key] = _Compiled(queryset, self._names)
        return compiled.run(values, rows=self._rows)
