"""Django's PostgreSQL backend, sending the transaction's `write_with_commit` statements
in the COMMIT's round trip (see the package)."""

from __future__ import annotations

from django.db.backends.postgresql import base

from . import WriteWithCommit


class DatabaseWrapper(base.DatabaseWrapper):
    writes_with_commit = True

    def _commit(self):
        writes = [
            callback
            for _savepoints, callback, _robust in self.run_on_commit
            if callback.__class__ is WriteWithCommit
        ]
        if not writes or self.connection is None:
            return super()._commit()
        # One query string, so one round trip: Django's cursors bind parameters on the client
        # and send it by the simple protocol, which runs statements in order and stops at the
        # first error (COMMIT is then never run, and the error is raised here, before the
        # transaction counts as committed). psycopg's pipeline mode would cost a second
        # round trip to leave it.
        sql = ";\n".join([*(write.sql for write in writes), "COMMIT"])
        params = [value for write in writes for value in write.params]
        with self.wrap_database_errors, self.cursor() as cursor:
            cursor.execute(sql, params)
