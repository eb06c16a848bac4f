"""Run the network's task worker: queued tasks, retries, and the scheduled jobs."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from ops.worker import NetworkWorker


class Command(BaseCommand):
    help = "Run background tasks and the scheduled jobs (run several: each period runs once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=settings.WORKER_POLL_SECONDS)
        parser.add_argument("--queue-name", default="*", help="comma-separated, or * for all")
        parser.add_argument("--no-schedule", action="store_true", help="only run queued tasks")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--worker-id", default="")
        parser.add_argument("--backend", default="default")

    def handle(self, *args, **options) -> None:
        worker = NetworkWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=False,
            backend_name=options["backend"],
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"] or get_random_string(32),
            excluded_queue_names=[],
            schedule=not options["no_schedule"],
        )
        worker.configure_signals()
        worker.run()
