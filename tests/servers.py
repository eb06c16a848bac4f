"""Real daphne processes for end-to-end tests, sharing the test database (and Redis, if set)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    """The URL of the database the tests are using, for a server process to open."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@contextmanager
def daphne(*, port: int | None = None, **extra_env: str):
    """Start daphne on `port` (a free one by default); yield its base URL; stop it hard if it
    will not stop. The same port again starts a "restarted" server at the same address."""
    port = port or free_port()
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra_env)
    # The server's log, kept where a failing test's reader can find it.
    log_path = ROOT / "var" / f"daphne-test-{port}.log"
    log_path.parent.mkdir(exist_ok=True)
    log = open(log_path, "wb")  # noqa: SIM115  (closed in finally)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # A loaded machine (8 helpers on 2 cores) has been seen taking 40 s to start daphne.
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(url + "/topics/", timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"daphne did not start: {log_path.read_text()[-2000:]}"
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()  # daphne has been seen ignoring SIGTERM
            process.wait(timeout=5)
        log.close()


def session_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@contextmanager
def worker(*, wait_for_heartbeat: bool = True, **extra_env: str):
    """Start `manage.py run_worker` on the test database; yield the process; stop it hard.

    The test database's task queue (django-tasks-db) is what it works on; with
    `wait_for_heartbeat` the block starts once the worker has beaten in the database.
    """
    from ops.models import WorkerHeartbeat

    worker_id = f"test-{free_port()}"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TASKS_BACKEND": "db",
        "WORKER_POLL_SECONDS": "0.05",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra_env)
    log_path = ROOT / "var" / f"worker-test-{worker_id}.log"
    log_path.parent.mkdir(exist_ok=True)
    log = open(log_path, "wb")  # noqa: SIM115  (closed in finally)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--worker-id", worker_id],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.worker_id = worker_id
    process.log_path = log_path
    try:
        if wait_for_heartbeat:
            wait_until(
                lambda: (
                    WorkerHeartbeat.objects.filter(worker_id=worker_id).exists()
                    or process.poll() is not None
                ),
                timeout=90,
                what="the worker's first heartbeat",
            )
            if process.poll() is not None:
                raise RuntimeError(f"worker stopped: {log_path.read_text()[-2000:]}")
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        log.close()


def wait_until(condition, *, timeout: float = 30, what: str = "the condition") -> None:
    """Poll `condition()` until it is true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
