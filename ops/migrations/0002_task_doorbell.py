"""Ring the workers' doorbell when task rows are written (PostgreSQL only).

A statement-level trigger on django-tasks-db's table sends `NOTIFY fhn_tasks`; PostgreSQL
delivers it when the inserting transaction commits (never for one that rolls back), so a
worker LISTENing (`ops.worker.Doorbell`) claims the task at once instead of at its next poll,
and the poster pays no round trip for it. SQLite has neither: its workers poll.
"""

from django.db import migrations

# ops.worker.DOORBELL_CHANNEL (spelt out: a migration keeps what it did).
DOORBELL_CHANNEL = "fhn_tasks"


def _table(apps) -> str:
    return apps.get_model("django_tasks_database", "DBTaskResult")._meta.db_table


def ring_on_insert(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(_table(apps))
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION fhn_task_doorbell() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{DOORBELL_CHANNEL}', ''); RETURN NULL; END $$"
    )
    schema_editor.execute(
        f"CREATE TRIGGER fhn_task_doorbell AFTER INSERT ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION fhn_task_doorbell()"
    )


def stop_ringing(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(_table(apps))
    schema_editor.execute(f"DROP TRIGGER IF EXISTS fhn_task_doorbell ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS fhn_task_doorbell()")


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_worker_schedule_and_heartbeat"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(ring_on_insert, stop_ringing)]
