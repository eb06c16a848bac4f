"""A quicker end to a transactional test on PostgreSQL than Django's flush, same result.

Django's TransactionTestCase ends each test with `flush`: TRUNCATE of every table (about a
hundred here, each given new files on disk), then the post_migrate signal, which writes the
content types and permissions again; the suite's fixtures then load the regions, local
authorities, topics and spaces again. That came to about 4 s a test on a busy machine, most of
a browser test's cost.

Here only the tables a test wrote to are emptied (DELETE, in one transaction: every foreign key
Django makes on PostgreSQL is deferred, so the order does not matter). The rows a fresh flush
would put back anyway, the content types and permissions post_migrate makes and the network's
structure, are kept when they are exactly as they were before the test; otherwise they are
emptied too and made again as before (so a test that edits a space leaves nothing behind).
Sequences go on counting, as they do after Django's flush (reset_sequences=False).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

# Rows post_migrate makes after a flush: kept if untouched, otherwise Django's own flush runs.
POST_MIGRATE_TABLES = ("django_content_type", "auth_permission")
# Rows the suite's fixtures load at the start of a test (the data migrations' rows).
STRUCTURE_TABLES = ("accounts_region", "accounts_localauthority", "forum_topic", "forum_space")

_baseline: dict[str, str] = {}


def _fingerprints(tables: tuple[str, ...]) -> dict[str, str]:
    """Each table's whole content, as one md5 (these tables hold a few hundred rows)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT %s, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f"FROM {qn(table)} t"
                for table in tables
            ),
            list(tables),
        )
        return dict(cursor.fetchall())


def remember_baseline() -> None:
    """Note the kept tables as a fresh database has them (call once they are loaded); on
    PostgreSQL only, the one database `reset_database` resets this way (the fingerprints'
    SQL is PostgreSQL's)."""
    _baseline.clear()
    if connection.vendor != "postgresql":
        return
    _baseline.update(_fingerprints(POST_MIGRATE_TABLES + STRUCTURE_TABLES))


def has_baseline() -> bool:
    return bool(_baseline)


def _tables_with_rows() -> list[str]:
    qn = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"(SELECT %s FROM {qn(table)} LIMIT 1)" for table in tables),
            tables,
        )
        return [row[0] for row in cursor.fetchall()]


def reset_database(django_flush: Callable[[], None]) -> None:
    """Leave the database as `django_flush` plus the structure fixtures would, only sooner."""
    if connection.vendor != "postgresql" or not _baseline:
        django_flush()
        _baseline.clear()
        return
    now = _fingerprints(POST_MIGRATE_TABLES + STRUCTURE_TABLES)
    if any(now[table] != _baseline[table] for table in POST_MIGRATE_TABLES):
        django_flush()
        _baseline.clear()
        return
    keep = set(POST_MIGRATE_TABLES)
    if all(now[table] == _baseline[table] for table in STRUCTURE_TABLES):
        keep.update(STRUCTURE_TABLES)
    else:
        _baseline.clear()  # loaded again by the next test's fixture, which notes it again
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in _tables_with_rows():
            if table not in keep:
                cursor.execute(f"DELETE FROM {qn(table)}")
