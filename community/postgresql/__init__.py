"""Writes that travel with the COMMIT: the PostgreSQL backend of `base.py` sends them in the
same round trip as the transaction's COMMIT.

What a write needs no answer from, and nothing in its transaction reads back (the worker's
task rows for an event), need not cost the writer a round trip of its own before the
commit: on a busy machine each one was 0.5-1.5 ms that the readers' live event, sent after
the commit, waited behind (docs/bench-live.md, eighth pass).

`write_with_commit` records the statement as a no-op on-commit callback, so Django drops it
with the transaction or savepoint that rolls back, exactly as it drops on-commit work; the
backend's commit finds those callbacks and sends their statements and COMMIT as one query. Elsewhere
(SQLite, autocommit, a test's transaction, which never commits) the statement runs at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections


class WriteWithCommit:
    """A statement to send with the COMMIT (and nothing to run after it)."""

    __slots__ = ("params", "sql")

    def __init__(self, sql: str, params: Sequence) -> None:
        self.sql = sql
        self.params = params

    def __call__(self) -> None:
        pass


def write_with_commit(sql: str, params: Sequence, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Run ``sql`` in the current transaction: in the COMMIT's round trip where the backend
    can, else now."""
    connection = connections[using]
    if getattr(connection, "writes_with_commit", False) and _in_committing_transaction(connection):
        connection.on_commit(WriteWithCommit(sql, params))
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _in_committing_transaction(connection) -> bool:
    """Inside a transaction that will commit: not autocommit, and not a test's transaction
    (Django's TestCase marks its atomic blocks; what runs in them never commits, and the
    test reads what was written)."""
    if not connection.in_atomic_block:
        return False
    return not getattr(connection.atomic_blocks[0], "_from_testcase", False)
