"""Test-only instruments shared by several test modules."""

from __future__ import annotations

from unittest import mock

from django.core.cache import caches

from ops.worker import NetworkWorker


def recorded_cache_reads(client, url: str):
    """GET `url` and record the shared cache's reads: (response, single gets, get_many batches)."""
    backend = caches["default"]
    gets, batches, in_batch = [], [], []
    real_get, real_get_many = backend.get, backend.get_many

    def get(key, *args, **kwargs):
        if not in_batch:  # the local-memory backend's get_many reads key by key
            gets.append(key)
        return real_get(key, *args, **kwargs)

    def get_many(keys, *args, **kwargs):
        batches.append(list(keys))
        in_batch.append(True)
        try:
            return real_get_many(keys, *args, **kwargs)
        finally:
            in_batch.pop()

    with mock.patch.object(backend, "get", get), mock.patch.object(backend, "get_many", get_many):
        response = client.get(url)
    return response, gets, batches


def in_test_worker() -> NetworkWorker:
    """A worker that claims and runs tasks when the test says, without the scheduler."""
    return NetworkWorker(
        queue_names=["*"], interval=0, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="in-test", excluded_queue_names=[],
        schedule=False,
    )  # fmt: skip
