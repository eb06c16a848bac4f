"""Prometheus metrics (prometheus-client): requests, latency, tasks, sockets, notifications.

Each process counts its own; with `PROMETHEUS_MULTIPROC_DIR` set (the same directory for the
web, socket and worker processes on a host) `/metrics` adds them up, as prometheus-client's
multiprocess mode does for gunicorn. Queue depth and failed tasks are read from the database
when scraped, so they are right whichever process answers.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("fhn_http_requests_total", "HTTP requests", ["view", "method", "status"])
LATENCY = Histogram(
    "fhn_http_request_seconds",
    "HTTP request duration",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASKS = Counter("fhn_tasks_total", "Task attempts by outcome", ["task", "outcome"])
QUEUE_SECONDS = Gauge("fhn_worker_last_queue_check", "When the worker last looked at its queue")


def observe_queue() -> None:
    import time

    QUEUE_SECONDS.set(time.time())


class QueueCollector:
    """Queue depth, running and failed tasks, and live workers, read at scrape time."""

    def collect(self):
        from datetime import timedelta

        from django.conf import settings
        from django.db.models import Count
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from .models import WorkerHeartbeat

        by_status = dict(
            DBTaskResult.objects.values_list("status").annotate(n=Count("id")).order_by()
        )
        family = GaugeMetricFamily("fhn_tasks", "Tasks in the queue by status", labels=["status"])
        for status in ("READY", "RUNNING", "FAILED"):
            family.add_metric([status.lower()], by_status.get(status, 0))
        yield family
        stale = timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)
        yield GaugeMetricFamily(
            "fhn_workers_alive",
            "Workers with a recent heartbeat",
            value=WorkerHeartbeat.objects.filter(seen_at__gte=stale).count(),
        )


def render() -> tuple[bytes, str]:
    """The exposition text for this host's processes, and its content type."""
    from django.conf import settings

    # Metrics defined where they are counted; import them so every family is exposed.
    import notifications.push  # noqa: F401
    import realtime.consumers  # noqa: F401

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
        body = generate_latest(registry)
        if "django_tasks_db" in settings.INSTALLED_APPS:
            extra = CollectorRegistry()
            extra.register(QueueCollector())
            body += generate_latest(extra)
        return body, CONTENT_TYPE_LATEST
    registry.register(QueueCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
