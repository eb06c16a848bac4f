"""Live delivery over Channels: the Redis channel layer and running daphne processes.

Usage: python bench/live.py [--posts 500] [--clients 200] [--watchers 1000]
                            [--fanout-runs 3] [--servers 2] [--only latency|fanout]
                            [--layer-fix] [--send-concurrency N]   (what-ifs, off by default)
                            [--lean-client]   (the socket process reads frames itself)
                            [--arrival-stamps]   (and stamps them with the kernel's arrival time)

(a) Post-to-socket latency: `--clients` members hold a WebSocket each, subscribed to one
    thread; one of them also watches it. The bench process posts `--posts` replies one at a
    time through `community.forum.actions.create_post` (so the push goes through Redis to the
    daphne processes) and times, from just before the call, each client's receipt of the
    `post.created` thread event and the watcher's receipt of the notification.
(b) Fan-out: `--watchers` members watch another thread (Subscription level 3) and hold a
    WebSocket each; one reply is posted and timed from the call until the last socket has
    its notification (rows written in one bulk insert, one group send per member), and
    separately the time inside the action. Repeated `--fanout-runs` times.

Everything is its own: a PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/fhn_bench_live, created if missing and migrated), Redis
database 3 with the prefix `benchlive` (BENCH_REDIS_URL), daphne processes on free loopback
ports with DEBUG off. Sockets are opened by a second process (asyncio + websockets) so the
posting process never stalls the receivers; both stamp times with CLOCK_MONOTONIC, which is
one clock for the whole machine. Every wait has a timeout; daphne is killed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _livesetup import watched_thread  # noqa: E402  (after the path: run as a script)

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fhn_bench_live")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
PREFIX = "benchlive"
WARMUP_POSTS = 10
POST_TIMEOUT = 15.0  # seconds to wait for one post to reach every socket
URL_NUMBER = re.compile(r"/(\d+)/(\d+)/?$")  # .../t/<slug>/<thread id>/<number>


def now() -> float:
    """Seconds on CLOCK_MONOTONIC: the same clock in every process on the machine."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


# --- The socket process: no Django, only asyncio and websockets. ---------------------------


def _keys_of(message: dict) -> list[tuple]:
    kind = message.get("type")
    if kind == "post.created":
        return [("ev", message["post_id"])]
    if kind == "notifications":
        keys = []
        for item in message.get("notifications", []):
            match = URL_NUMBER.search(item.get("url", ""))
            if match:
                keys.append(("n", int(match.group(1)), int(match.group(2))))
        return keys
    return []


class _LeanReader(asyncio.Protocol):
    """`--lean-client`: a socket's bytes read straight off its transport once it is open and
    subscribed, instead of through websockets' parser, message queue and a reader task per
    socket. It handles what daphne sends an open socket: unfragmented text frames (stamped
    when their bytes arrive), pings (answered) and a close. The clients stand in for 200
    browsers on other machines; on this 2-core machine their CPU is taken from daphne."""

    def __init__(self, transport, on_text, closed: asyncio.Future) -> None:
        self.transport, self.on_text, self.closed = transport, on_text, closed
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self._frames(data, now())

    def _frames(self, data: bytes, t: float) -> None:
        buffer = self.buffer
        buffer += data
        while len(buffer) >= 2:
            length, start = buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                return
            opcode, payload = buffer[0] & 0x0F, bytes(buffer[start : start + length])
            del buffer[: start + length]
            if opcode == 0x1:
                self.on_text(payload, t)
            elif opcode == 0x9:  # ping: a masked pong with the same payload (a zero mask)
                self._write(bytes([0x8A, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)
            elif opcode == 0x8:
                self.close()

    def _write(self, data: bytes) -> None:
        raw = getattr(self, "raw", None)
        if raw is None:
            self.transport.write(data)
        else:
            try:
                raw.send(data)
            except OSError:
                pass

    def close(self) -> None:
        """A clean close (code 1000), so the consumer leaves its groups."""
        if not self.transport.is_closing():
            self.transport.write(bytes([0x88, 0x82]) + b"\0\0\0\0" + (1000).to_bytes(2, "big"))
            self.transport.close()

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


# Linux's SO_TIMESTAMPNS (asm-generic/socket.h; Python's socket module does not name it):
# a struct timespec of CLOCK_REALTIME with each read, as two native 64-bit integers.
SO_TIMESTAMPNS = 35


class _ArrivalReader(_LeanReader):
    """`--arrival-stamps`: as `--lean-client`, but each frame is stamped with the time its
    bytes reached the client's socket (the kernel's receive timestamp, SO_TIMESTAMPNS), not
    the time this one thread got round to reading it. 200 sockets read by one Python thread
    at ~30 µs each put ~3 ms of the client's own queueing into the median socket's stamp;
    the 200 browsers it stands in for each read their own socket."""

    def __init__(self, ws, on_text, closed: asyncio.Future) -> None:
        import socket

        transport = ws.transport
        super().__init__(transport, on_text, closed)
        self.sock = transport.get_extra_info("socket")
        self.fd = self.sock.fileno()
        self.socket_module = socket
        # Take the socket from the transport's reading: read here, with the ancillary data.
        transport.set_protocol(self)
        transport.pause_reading()
        raw = socket.socket(fileno=os.dup(self.fd))
        raw.setblocking(False)
        raw.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self.raw = raw
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(raw.fileno(), self._ready)
        self.cmsg_space = socket.CMSG_SPACE(16)

    def _ready(self) -> None:
        socket = self.socket_module
        try:
            data, ancillary, _flags, _address = self.raw.recvmsg(262144, self.cmsg_space)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, ancillary = b"", []
        if not data:
            self.loop.remove_reader(self.raw.fileno())
            self.raw.close()
            self.transport.close()
            self.connection_lost(None)
            return
        stamp = None
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                seconds = int.from_bytes(value[0:8], "little", signed=True)
                nanoseconds = int.from_bytes(value[8:16], "little", signed=True)
                # The kernel stamps CLOCK_REALTIME; moved onto CLOCK_MONOTONIC as it reads now.
                offset = time.clock_gettime(time.CLOCK_REALTIME) - now()
                stamp = seconds + nanoseconds / 1e9 - offset
        self._frames(data, stamp if stamp is not None else now())

    def close(self) -> None:
        if self.raw.fileno() >= 0:
            self.loop.remove_reader(self.raw.fileno())
            try:
                self.raw.send(bytes([0x88, 0x82]) + b"\0\0\0\0" + (1000).to_bytes(2, "big"))
            except OSError:
                pass
            self.raw.close()
        self.transport.close()


async def _sockets(conn) -> None:
    import websockets

    lean_client = os.environ.get("BENCH_LEAN_CLIENT") == "1"
    arrival_stamps = os.environ.get("BENCH_ARRIVAL_STAMPS") == "1"
    lean: dict[object, _LeanReader] = {}

    received: dict[tuple, list[float]] = defaultdict(list)
    waiters: dict[tuple, tuple[int, asyncio.Event]] = {}
    open_sockets: list = []
    readers: list[asyncio.Task] = []
    state = {"closing": False, "server_closed": 0}

    def take(raw, t: float) -> None:
        for key in _keys_of(json.loads(raw)):
            times = received[key]
            times.append(t)
            waiter = waiters.get(key)
            if waiter and len(times) >= waiter[0]:
                waiter[1].set()

    async def read(ws) -> None:
        if arrival_stamps:
            closed = asyncio.get_running_loop().create_future()
            lean[ws] = _ArrivalReader(ws, take, closed)
            await closed
        elif lean_client:
            closed = asyncio.get_running_loop().create_future()
            reader = lean[ws] = _LeanReader(ws.transport, take, closed)
            ws.transport.set_protocol(reader)
            await closed
        else:
            try:
                async for raw in ws:
                    take(raw, now())
            except websockets.ConnectionClosed:
                pass
        if not state["closing"]:
            state["server_closed"] += 1  # daphne closed it: the consumer failed

    async def open_one(spec: dict, gate: asyncio.Semaphore):
        async with gate:
            ws = await websockets.connect(
                spec["url"],
                additional_headers={
                    "Origin": spec["origin"],
                    "Cookie": f"sessionid={spec['cookie']}",
                },
                open_timeout=30,
                ping_interval=None,  # daphne pings; the client only answers
                max_queue=None,
            )
            try:
                hello = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if hello.get("type") != "hello" or hello.get("user") != spec["user"]:
                    raise RuntimeError(f"bad hello {hello} for user {spec['user']}")
                if spec.get("thread"):
                    await ws.send(json.dumps({"type": "subscribe", "thread": spec["thread"]}))
                    while True:
                        reply = json.loads(await asyncio.wait_for(ws.recv(), 30))
                        if reply.get("type") == "subscribed":
                            break
                        if reply.get("type") == "error":
                            raise RuntimeError(f"subscribe refused: {reply}")
            except BaseException:
                await ws.close()
                raise
            return ws

    async def _close(ws) -> None:
        if ws in lean:
            lean[ws].close()
        else:
            await ws.close()

    # The restart test's clients: reconnect whenever their socket closes, resume after the last
    # notification id they saw, and count every notification id that arrives.
    tallies: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    resuming: list[asyncio.Task] = []
    resume_state = {"stop": False, "reconnects": 0}

    async def resuming_client(spec: dict) -> None:
        last_id = 0
        attempt = 0
        while not resume_state["stop"]:
            url = spec["urls"][attempt % len(spec["urls"])]
            attempt += 1
            try:
                async with websockets.connect(
                    url,
                    additional_headers={
                        "Origin": spec["origin"],
                        "Cookie": f"sessionid={spec['cookie']}",
                    },
                    open_timeout=30,
                    ping_interval=None,
                    max_queue=None,
                ) as ws:
                    held = sorted(tallies[spec["user"]])[-200:]  # the highest 200, as live.js keeps
                    await ws.send(json.dumps({"type": "resume", "after": last_id, "seen": held}))

                    async def pinging(ws=ws) -> None:
                        # As live.js does (every 30 s there; faster here, for a short test).
                        while True:
                            await asyncio.sleep(5)
                            await ws.send(json.dumps({"type": "ping"}))

                    pinger = asyncio.create_task(pinging())
                    try:
                        async for raw in ws:
                            message = json.loads(raw)
                            if message.get("type") == "notifications":
                                for item in message.get("notifications", []):
                                    tallies[spec["user"]][item["id"]] += 1
                                    last_id = max(last_id, item["id"])
                    finally:
                        pinger.cancel()
            except Exception:
                pass
            if not resume_state["stop"]:
                resume_state["reconnects"] += 1
                await asyncio.sleep(0.2 + random.random() * 0.8)

    while True:
        try:
            command = await asyncio.to_thread(conn.recv)
        except EOFError:
            break
        op = command[0]
        if op == "resuming":
            for spec in command[1]:
                resuming.append(asyncio.create_task(resuming_client(spec)))
            conn.send(("resuming", len(resuming)))
            continue
        if op == "tally":
            conn.send(
                ("tally", {u: dict(c) for u, c in tallies.items()}, resume_state["reconnects"])
            )
            continue
        if op == "stop_resuming":
            resume_state["stop"] = True
            for task in resuming:
                task.cancel()
            await asyncio.gather(*resuming, return_exceptions=True)
            conn.send(("stopped_resuming",))
            continue
        if op == "connect":
            specs, parallel = command[1], command[2]
            gate = asyncio.Semaphore(parallel)
            started = now()
            results = await asyncio.gather(
                *(open_one(spec, gate) for spec in specs), return_exceptions=True
            )
            errors = [repr(r) for r in results if isinstance(r, BaseException)]
            for ws in results:
                if not isinstance(ws, BaseException):
                    open_sockets.append(ws)
                    readers.append(asyncio.create_task(read(ws)))
            conn.send(("connected", len(open_sockets), errors[:5], len(errors), now() - started))
        elif op == "wait":
            wanted, timeout = command[1], command[2]
            events = []
            for key, count in wanted:
                event = asyncio.Event()
                waiters[key] = (count, event)
                if len(received[key]) >= count:
                    event.set()
                events.append(event)
            try:
                await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), timeout)
            except TimeoutError:
                pass
            answer = {key: received.pop(key, []) for key, _count in wanted}
            for key, _count in wanted:
                waiters.pop(key, None)
            conn.send(("times", answer, state["server_closed"]))
        elif op == "close":
            # Close cleanly, so the consumers leave their groups in Redis; a few at a time, as
            # a thousand at once exhausts daphne's Redis connection pool (see the docs).
            state["closing"] = True
            for start in range(0, len(open_sockets), 50):
                await asyncio.gather(
                    *(asyncio.wait_for(_close(ws), 10) for ws in open_sockets[start : start + 50]),
                    return_exceptions=True,
                )
                await asyncio.sleep(0.2)
            for task in readers:
                task.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
            count = len(open_sockets)
            lean.clear()
            open_sockets.clear()
            readers.clear()
            received.clear()
            state.update(closing=False, server_closed=0)
            conn.send(("closed", count))
        elif op == "stop":
            conn.send(("stopped",))
            break


def socket_process(conn) -> None:
    asyncio.run(_sockets(conn))


def ask(conn, command: tuple, timeout: float):
    conn.send(command)
    if not conn.poll(timeout):
        raise RuntimeError(f"the socket process did not answer {command[0]!r} in {timeout:.0f} s")
    return conn.recv()


# --- Setting up: database, users, sessions, daphne. ----------------------------------------


def ensure_database() -> None:
    import psycopg

    parsed = urlparse(DB_URL)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def configure_environment() -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": DB_URL,
            "REDIS_URL": REDIS_URL,
            "CACHE_PREFIX": PREFIX,
            "DEBUG": "0",
            "SECRET_KEY": "bench-live-not-secret-0f3c9a7e5b1d4c2a8e6f",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            # The bench author posts hundreds of times a minute and is no new member.
            "POSTS_PER_MINUTE": "1000000",
            "NEW_MEMBER_POSTS_HELD": "0",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),  # INFO shows drops
            # Production layout: the request enqueues, the worker fans out (run_worker).
            "TASKS_BACKEND": "db",
            "WORKER_POLL_SECONDS": os.environ.get("BENCH_WORKER_POLL", "0.01"),
            "TASK_LOG_LEVEL": "INFO",  # the worker log shows each fan-out task's duration
        }
    )
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def raise_fd_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def clear_stale_groups() -> int:
    """Groups left in Redis by daphne processes killed in an earlier run (ours only)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{PREFIX}:group:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)


def seed_members(count: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    author, _ = User.objects.get_or_create(
        username="benchlive-author",
        defaults={
            "email": "benchlive-author@example.org",
            "display_name": "Bench author",
            "role": "practitioner",
            "age_band": "26+",
            "trust_level": 2,  # no daily post limit
            "password": make_password(None),
        },
    )
    have = set(
        User.objects.filter(username__startswith="benchlive-u").values_list("username", flat=True)
    )
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"benchlive-u{i}",
                email=f"benchlive-u{i}@example.org",
                display_name=f"Watcher {i}",
                role="practitioner",
                age_band="26+",
                trust_level=1,
                password=unusable,
            )
            for i in range(count)
            if f"benchlive-u{i}" not in have
        ],
        batch_size=500,
    )
    members = list(User.objects.filter(username__startswith="benchlive-u"))
    members.sort(key=lambda u: int(u.username.removeprefix("benchlive-u")))
    return author, members[:count]


def sign_in(users) -> dict[int, str]:
    """One session per member, written in bulk (what `login()` would store)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    Session.objects.all().delete()  # the bench database's own sessions from earlier runs
    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    cookies, rows = {}, []
    for user in users:
        key = get_random_string(32, VALID_KEY_CHARS)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "community.accounts.backends.MemberBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        cookies[user.pk] = key
    Session.objects.bulk_create(rows, batch_size=500)
    return cookies


class OwnRedis:
    """A redis-server of the bench's own on a free loopback port, no persistence."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        time.sleep(1)  # a real restart takes a moment; posts go on meanwhile
        self.start()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_daphne(
    log_dir: Path, layer_fix: bool, port: int | None = None
) -> tuple[subprocess.Popen, str, Path]:
    port = port or free_port()
    log = log_dir / f"daphne-{port}-{int(time.time())}.log"
    if layer_fix:  # the same daphne, with the channel layer settings patched first
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", str(port)]
    else:
        command = [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            # On a loaded shared machine the first handshakes can take over daphne's 5 s.
            "--websocket_connect_timeout",
            "30",
            "config.asgi:application",
        ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )  # fmt: skip
    return process, f"127.0.0.1:{port}", log


def start_worker(log_dir: Path) -> subprocess.Popen:
    """The task worker (no schedule: only the fan-out and emails the posts cause)."""
    log = log_dir / "worker.log"
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--no-schedule", "--worker-id", "bench"],
        cwd=ROOT,
        # README's unit runs the worker at Nice=10: background work yields the CPU to the
        # processes a member is waiting on (BENCH_WORKER_NICE=0 to compare).
        preexec_fn=lambda: os.nice(int(os.environ.get("BENCH_WORKER_NICE", "10"))),
        env=dict(os.environ),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_listening(process: subprocess.Popen, address: str, log: Path, timeout: float = 60) -> None:
    host, port = address.split(":")
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"daphne did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.2)


def stop_daphne(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=3)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # daphne has been seen ignoring SIGTERM
        process.wait(timeout=5)
    except ProcessLookupError:
        pass


# --- What-if switches (off by default: the bench measures the application as it is). ------


def patch_layer_settings() -> None:
    """--layer-fix: what config/settings.py would say to suit redis-py 8 (whose 5 s default
    socket timeout races channels_redis's 5 s BZPOPMIN), a burst of group operations (its
    pool of 100 connections raises instead of waiting) and a burst of messages to one daphne
    process (channels_redis drops beyond `capacity`, 100). Call before django.setup()."""
    from config import settings

    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    config["hosts"] = [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 1000}]
    # Each daphne process has one Redis list for all its sockets: 100 queued is too few.
    config["capacity"] = 5000


def serve(port: str) -> None:
    """Run daphne in this process after patch_layer_settings() (used by --layer-fix)."""
    os.chdir(ROOT)
    patch_layer_settings()
    from daphne.cli import CommandLineInterface

    CommandLineInterface().run(["-b", "127.0.0.1", "-p", port, "config.asgi:application"])


def patch_concurrent_sends(limit: int) -> None:
    """--send-concurrency N: what notifications/push.py's _send_all would do if it sent up to N
    group messages at once on one event loop instead of one after another."""
    import logging

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from notifications import push

    def _send_all(messages: list[tuple[str, dict]]) -> None:
        layer = get_channel_layer()
        if layer is None or not messages:
            return

        async def send() -> None:
            gate = asyncio.Semaphore(limit)

            async def one(group: str, message: dict) -> None:
                async with gate:
                    await layer.group_send(group, message)

            await asyncio.gather(*(one(group, message) for group, message in messages))

        try:
            async_to_sync(send)()
        except Exception:
            logging.getLogger(__name__).exception("channel layer send failed")

    push._send_all = _send_all


# --- Timing what the application does inside one call. ------------------------------------


class Probe:
    """Wraps the steps of a post's path to time them: the bulk notification write, the
    after-commit push of notifications, the other after-commit subscribers, group sends."""

    def __init__(self) -> None:
        self.spans: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self.started = now()

    def reset(self) -> None:
        """Called just before each timed create_post: marks are taken from here."""
        self.spans.clear()
        self.counts.clear()
        self.started = now()

    def mark(self, label: str) -> None:
        """Record the time since the call started (the first time only, per call)."""
        if label not in self.spans:
            self.spans[label] = now() - self.started

    def wrap(self, module, name: str, label: str, count=None) -> None:
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started = now()
            try:
                return original(*args, **kwargs)
            finally:
                key = label(*args) if callable(label) else label
                self.spans[key] += now() - started
                self.counts[key] += count(*args) if count else 1

        setattr(module, name, timed)

    def install(self) -> None:
        from community import events
        from notifications import push
        from notifications.handlers import forum as forum_handlers

        self.wrap(forum_handlers, "notify", "notify (bulk insert)")
        self.wrap(push, "deliver", "push.deliver")
        self.wrap(events, "_deliver", "other after-commit subscribers")

        def group_kind(messages, *rest) -> str:
            first = messages[0][0] if messages else ""
            return "group sends: " + ("user-*" if first.startswith("user-") else "thread-*")

        self.wrap(push, "_send_all", group_kind, count=lambda messages, *rest: len(messages))
        send_all = push._send_all

        def marked(messages, *rest):
            try:
                return send_all(messages, *rest)
            finally:
                if messages and messages[0][0].startswith("thread-"):
                    # When the readers' event has been handed to Redis, from the call's start:
                    # the poster's share of post-to-socket latency.
                    self.mark("thread event sent, from the call's start")

        push._send_all = marked


# --- The two measurements. ----------------------------------------------------------------

WATCHED_PIDS: dict[str, list[int]] = {"daphne": [], "sockets": [], "worker": []}


def cpu_seconds() -> dict[str, float]:
    """User + system CPU used so far by the daphne processes, the socket process and the
    task worker (which shares the two cores with them)."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = {}
    for name, pids in WATCHED_PIDS.items():
        total = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                pass
        totals[name] = total
    return totals


def rss_mib(pids: list[int]) -> float:
    """Resident memory of these processes and their children, in MiB (Linux /proc)."""
    total, seen, todo = 0, set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmRSS:")), 0)  # fmt: skip
        todo += [int(c) for c in children]
    return total / 1024


def connect(conn, specs: list[dict], parallel: int = 25) -> float:
    _op, opened, errors, failed, seconds = ask(conn, ("connect", specs, parallel), 600)
    if failed:
        raise RuntimeError(f"{failed} of {len(specs)} sockets failed to open, e.g. {errors}")
    return seconds


def specs_for(users, cookies, servers: list[str], thread_id: int | None) -> list[dict]:
    return [
        {
            "url": f"ws://{servers[i % len(servers)]}/ws/",
            "origin": f"http://{servers[i % len(servers)]}",
            "cookie": cookies[user.pk],
            "user": user.pk,
            "thread": thread_id,
        }
        for i, user in enumerate(users)
    ]


def measure_latency(conn, author, readers, cookies, servers, space, topic, posts, probe):
    from community.forum.actions import create_post

    watcher = readers[0]
    thread = watched_thread(
        author=author, space=space, topic=topic, title="Bench live latency",
        source="The thread everyone has open.", watchers=[watcher],
    )  # fmt: skip
    seconds = connect(conn, specs_for(readers, cookies, servers, thread.pk))
    print(
        f"(a) {len(readers)} sockets open and subscribed to thread {thread.pk} in {seconds:.1f} s"
    )

    every, last, notified, action, action_cpu = [], [], [], [], []
    spans: dict[str, list[float]] = defaultdict(list)
    missing = dropped = 0
    for i in range(WARMUP_POSTS + posts):
        if i == WARMUP_POSTS:
            cpu_before, wall_before = cpu_seconds(), now()
        probe.reset()
        started, cpu_started = now(), time.process_time()
        post = create_post(author=author, thread=thread, source=f"Live reply {i} for the bench.")
        returned, cpu_returned = now(), time.process_time()
        wanted = [(("ev", post.pk), len(readers)), (("n", thread.pk, post.number), 1)]
        _op, times, sockets_closed = ask(conn, ("wait", wanted, POST_TIMEOUT), POST_TIMEOUT + 30)
        events, notes = times[("ev", post.pk)], times[("n", thread.pk, post.number)]
        if i < WARMUP_POSTS:
            continue
        missing += len(readers) - len(events) + (1 - len(notes))
        every.extend((t - started) * 1000 for t in events)
        if len(events) == len(readers):
            last.append((max(events) - started) * 1000)
        notified.extend((t - started) * 1000 for t in notes)
        action.append((returned - started) * 1000)
        action_cpu.append((cpu_returned - cpu_started) * 1000)
        dropped = sockets_closed
        for key, value in probe.spans.items():
            spans[key].append(value * 1000)
    cpu_after, wall = cpu_seconds(), now() - wall_before
    ask(conn, ("close",), 60)
    return {
        "thread": thread.pk,
        "action_cpu": action_cpu,
        "cpu_per_post": {k: (cpu_after[k] - cpu_before[k]) * 1000 / posts for k in cpu_after},
        "wall": wall,
        "dropped": dropped,
        "every": every,
        "last": last,
        "notified": notified,
        "action": action,
        "spans": spans,
        "missing": missing,
    }


def measure_fanout(conn, author, watchers, cookies, servers, space, topic, runs, probe):
    from community.forum.actions import create_post, start_thread

    stamp = int(time.time())
    thread = watched_thread(
        author=author, space=space, topic=topic, title="Bench live fan-out",
        source="The thread a thousand members watch.", watchers=watchers,
    )  # fmt: skip
    rss_before = rss_mib(WATCHED_PIDS.get("daphne", []))
    seconds = connect(conn, specs_for(watchers, cookies, servers, None))
    time.sleep(2)
    rss_after = rss_mib(WATCHED_PIDS.get("daphne", []))
    per_socket = (rss_after - rss_before) * 1024 / max(len(watchers), 1)
    print(
        f"(b) {len(watchers)} sockets open (members watching thread {thread.pk}) in {seconds:.1f} s;"
        f" daphne resident memory {rss_before:.0f} -> {rss_after:.0f} MiB,"
        f" {per_socket:.1f} KiB per socket"
    )
    # The poster's time with nobody watching, for comparison (same author, same space).
    quiet = start_thread(
        author=author, space=space, topic=topic,
        title=f"Bench live quiet {stamp}", source="A thread nobody watches.",
    )  # fmt: skip
    baseline = []
    for i in range(max(runs, 5)):
        time.sleep(0.5)
        started = now()
        create_post(author=author, thread=quiet, source=f"Quiet reply {i} for the bench.")
        baseline.append((now() - started) * 1000)

    results = []
    for i in range(runs):
        time.sleep(1)  # let the previous run's traffic settle
        probe.reset()
        cpu_before = cpu_seconds()
        started, cpu_started = now(), time.process_time()
        post = create_post(author=author, thread=thread, source=f"Fan-out reply {i} for the bench.")
        returned, cpu_returned = now(), time.process_time()
        key = ("n", thread.pk, post.number)
        _op, times, dropped = ask(conn, ("wait", [(key, len(watchers))], 30), 60)
        cpu_after = cpu_seconds()
        got = sorted((t - started) * 1000 for t in times[key])
        results.append(
            {
                "action": (returned - started) * 1000,
                "action_cpu": (cpu_returned - cpu_started) * 1000,
                "cpu": {k: (cpu_after[k] - cpu_before[k]) * 1000 for k in cpu_after},
                "open": len(watchers) - dropped,
                "received": len(got),
                "first": got[0] if got else math.nan,
                "median": statistics.median(got) if got else math.nan,
                "last": got[-1] if got else math.nan,
                "spans": {k: v * 1000 for k, v in probe.spans.items()},
                "counts": dict(probe.counts),
            }
        )
    ask(conn, ("close",), 120)
    return {"thread": thread.pk, "runs": results, "baseline": baseline}


def measure_restart(conn, author, watchers, cookies, servers, space, topic, posts, restart):
    """Posts arrive while a daphne process is killed and restarted and Redis is restarted;
    every client must end with each of its notifications exactly once."""
    from community.forum.actions import create_post
    from notifications.models import Notification

    thread = watched_thread(
        author=author, space=space, topic=topic, title="Bench live restart",
        source="Watched through two restarts.", watchers=watchers,
    )  # fmt: skip
    specs = [
        {
            # Each client prefers one server and falls back to the others while it is down.
            "urls": [f"ws://{servers[(i + k) % len(servers)]}/ws/" for k in range(len(servers))],
            "origin": f"http://{servers[i % len(servers)]}",
            "cookie": cookies[user.pk],
            "user": user.pk,
        }
        for i, user in enumerate(watchers)
    ]
    ask(conn, ("resuming", specs), 30)
    time.sleep(3)
    import threading

    events = []
    restarts = []
    for i in range(posts):
        # Restarts run beside the posting, so posts keep coming while the part is down.
        if i == posts // 3:
            events.append(f"post {i}: killed daphne {servers[0]} (SIGKILL) and started it again")
            restarts.append(threading.Thread(target=restart["daphne"]))
            restarts[-1].start()
        if i == 2 * posts // 3:
            events.append(f"post {i}: Redis server killed, started again 1 s later")
            restarts.append(threading.Thread(target=restart["redis"]))
            restarts[-1].start()
        try:
            create_post(author=author, thread=thread, source=f"Restart reply {i} for the bench.")
        except Exception as error:  # a post must not fail; count it if it does
            events.append(f"post {i} FAILED: {error!r}")
        time.sleep(0.25)
    for thread_ in restarts:
        thread_.join(timeout=120)
    expected = {
        user.pk: set(
            Notification.objects.filter(user=user, thread=thread).values_list("pk", flat=True)
        )
        for user in watchers
    }
    deadline = time.monotonic() + 90
    while True:
        _op, tally, reconnects = ask(conn, ("tally",), 30)
        received = {u: set(tally.get(u, {})) for u in expected}
        if all(received[u] >= expected[u] for u in expected) or time.monotonic() > deadline:
            break
        time.sleep(1)
    ask(conn, ("stop_resuming",), 60)
    lost = sum(len(expected[u] - received[u]) for u in expected)
    if lost:  # which, to diagnose: member → ids never received
        missing = {
            u: sorted(expected[u] - received[u]) for u in expected if expected[u] - received[u]
        }
        print(f"lost notifications by member: {missing}", flush=True)
    duplicated = sum(n - 1 for u in expected for n in tally.get(u, {}).values() if n > 1)
    return {
        "expected": sum(len(v) for v in expected.values()),
        "received": sum(len(received[u] & expected[u]) for u in expected),
        "lost": lost,
        "duplicated": duplicated,
        "reconnects": reconnects,
        "events": events,
        "posts": posts,
        "watchers": len(watchers),
    }


# --- Report. -------------------------------------------------------------------------------


def row(name: str, values: list[float]) -> str:
    if not values:
        return f"| {name} | 0 | - | - | - |"
    return (
        f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
        f"{pct(values, 99):.1f} | {max(values):.1f} |"
    )


def report(a: dict | None, b: dict | None, args) -> None:
    servers = f"{args.servers} daphne process{'es' if args.servers > 1 else ''}"
    what_if = [
        label
        for on, label in (
            (args.layer_fix, "layer settings patched (--layer-fix)"),
            (args.send_concurrency, f"{args.send_concurrency} concurrent group sends"),
        )
        if on
    ]
    setup = f"{servers}, Redis layer" + (f"; WHAT-IF: {', '.join(what_if)}" if what_if else "")
    if a:
        print(
            f"\n(a) Post-to-socket latency: {args.posts} posts (after {WARMUP_POSTS} warm-up), "
            f"{args.clients} sockets on thread-{a['thread']}, one of them watching it; {setup}"
        )
        print("| measure | n | p50 ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- |")
        print(row("thread event, every socket", a["every"]))
        print(row(f"thread event, last of {args.clients} sockets per post", a["last"]))
        print(row("notification to the watching member", a["notified"]))
        print(row("create_post call (incl. after-commit work)", a["action"]))
        for key in sorted(a["spans"]):
            mark = key.endswith("from the call's start")  # a moment, not a part of the call
            print(row(key if mark else f"  of which {key}", a["spans"][key]))
        print(row("create_post CPU time (bench process)", a["action_cpu"]))
        cpu = a["cpu_per_post"]
        print(
            f"CPU per post: daphne {cpu['daphne']:.1f} ms (all processes), socket client "
            f"{cpu['sockets']:.1f} ms, task worker {cpu.get('worker', 0):.1f} ms (its tasks and "
            f"its polling); {args.posts} posts took {a['wall']:.0f} s"
        )
        if a["dropped"]:
            print(f"SOCKETS CLOSED BY THE SERVER during (a): {a['dropped']}")
        if a["missing"]:
            print(
                f"MISSING: {a['missing']} expected receipts never arrived within {POST_TIMEOUT} s"
            )
        p99 = pct(a["every"], 99) if a["every"] else math.inf
        print(f"Goal p99 < 50 ms: {'met' if p99 < 50 else 'MISSED'} ({p99:.1f} ms)")
    if b:
        print(
            f"\n(b) Fan-out of one post to {args.watchers} watchers, each with one socket; "
            f"{setup} (ms from the call)"
        )
        print(
            "| run | received / open at end | inside action (CPU) | bulk insert | push.deliver "
            "| user group sends | other after-commit | first socket | median socket "
            "| last socket | daphne CPU |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        )
        for n, r in enumerate(b["runs"], 1):
            s = r["spans"]
            sends = s.get("group sends: user-*", math.nan)
            print(
                f"| {n} | {r['received']} / {r['open']} | {r['action']:.0f} ({r['action_cpu']:.0f}) | "
                f"{s.get('notify (bulk insert)', math.nan):.0f} | {s.get('push.deliver', math.nan):.0f} | "
                f"{sends:.0f} ({r['counts'].get('group sends: user-*', 0)}) | "
                f"{s.get('other after-commit subscribers', math.nan):.0f} | "
                f"{r['first']:.0f} | {r['median']:.0f} | {r['last']:.0f} | {r['cpu']['daphne']:.0f} |"
            )  # fmt: skip
        watched = statistics.median(r["action"] for r in b["runs"])
        quiet = statistics.median(b["baseline"])
        ratio = watched / quiet if quiet else math.inf
        print(
            f"Poster's create_post: {watched:.1f} ms with {args.watchers} watchers (median of "
            f"{len(b['runs'])}), {quiet:.1f} ms with none (median of {len(b['baseline'])}): "
            f"{(ratio - 1) * 100:+.0f}%; goal within 20%: {'met' if ratio <= 1.2 else 'MISSED'}"
        )
        complete = [r for r in b["runs"] if r["received"] == args.watchers]
        worst = max((r["last"] for r in b["runs"]), default=math.inf)
        if len(complete) < len(b["runs"]):
            print(
                f"MISSING: {len(b['runs']) - len(complete)} run(s) did not reach every watcher "
                f"(sockets closed by the server: {args.watchers - b['runs'][-1]['open']})"
            )
        verdict = "met" if worst < 1000 and len(complete) == len(b["runs"]) else "MISSED"
        print(
            f"Goal fan-out to {args.watchers} < 1 s: {verdict} (worst last socket {worst:.0f} ms)"
        )


def _exit_on_sigterm(signum, _frame) -> None:
    """`timeout` and process managers stop the bench with SIGTERM: exit through main's
    `finally`, which stops the daphne processes and the worker it started (killed outright,
    they were left running and skewed the next run)."""
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--fanout-runs", type=int, default=3)
    parser.add_argument("--servers", type=int, default=2, choices=(1, 2, 3, 4))
    parser.add_argument("--only", choices=("latency", "fanout", "restart"))
    parser.add_argument("--restart-watchers", type=int, default=50)
    parser.add_argument("--restart-posts", type=int, default=60)
    parser.add_argument(
        "--layer-fix",
        action="store_true",
        help="what-if: layer hosts with socket_timeout=None, max_connections=1000; capacity 5000",
    )
    parser.add_argument(
        "--send-concurrency",
        type=int,
        default=0,
        metavar="N",
        help="what-if: the bench process sends up to N group messages at once",
    )
    parser.add_argument(
        "--lean-client",
        action="store_true",
        help="the socket process reads open sockets' frames itself, not through websockets "
        "(less of the 2 cores taken from daphne by the 200 stand-in browsers)",
    )
    parser.add_argument(
        "--arrival-stamps",
        action="store_true",
        help="as --lean-client, stamping each frame with the kernel's time of arrival at the "
        "client's socket (SO_TIMESTAMPNS) rather than when the one client thread read it",
    )
    args = parser.parse_args()
    if args.lean_client:
        os.environ["BENCH_LEAN_CLIENT"] = "1"  # read by the socket process (spawned)
    if args.arrival_stamps:
        os.environ["BENCH_ARRIVAL_STAMPS"] = "1"

    own_redis = None
    if args.only == "restart":
        # The restart test kills Redis: it gets a redis-server of its own, never a shared one.
        global REDIS_URL
        own_redis = OwnRedis()
        own_redis.start()
        REDIS_URL = f"redis://127.0.0.1:{own_redis.port}/0"
    ensure_database()
    configure_environment()
    raise_fd_limit(max(4096, 2 * (args.watchers + args.clients) + 256))
    os.chdir(ROOT)
    if args.layer_fix:
        patch_layer_settings()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from community.forum.models import Space, Topic

    call_command("migrate", verbosity=0)
    stale = clear_stale_groups()
    author, members = seed_members(max(args.watchers, args.clients))
    cookies = sign_in(members)
    space = Space.objects.get(slug="national")
    topic = Topic.objects.order_by("slug").first()
    if args.send_concurrency:
        patch_concurrent_sends(args.send_concurrency)
    probe = Probe()
    probe.install()
    print(
        f"PostgreSQL {connection.pg_version}, Redis {REDIS_URL} (prefix {PREFIX}, "
        f"{stale} stale group keys cleared), {len(members)} members signed in, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )

    log_dir = Path(tempfile.mkdtemp(prefix="bench-live-"))
    servers: list[tuple[subprocess.Popen, str, Path]] = []
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    sockets = context.Process(target=socket_process, args=(theirs,), daemon=True)
    a = b = c = None
    worker = None
    try:
        servers = [start_daphne(log_dir, args.layer_fix) for _ in range(args.servers)]
        from ops.models import WorkerHeartbeat

        WorkerHeartbeat.objects.filter(worker_id="bench").delete()
        worker = start_worker(log_dir)
        for process, address, log in servers:
            wait_listening(process, address, log)
        deadline = time.monotonic() + 120
        while not WorkerHeartbeat.objects.filter(worker_id="bench").exists():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker did not start: see worker.log in " + str(log_dir))
            time.sleep(0.2)
        addresses = [address for _p, address, _l in servers]
        print(f"daphne on {', '.join(addresses)} (logs in {log_dir})")
        sockets.start()
        WATCHED_PIDS.update(
            daphne=[p.pid for p, _a, _l in servers], sockets=[sockets.pid], worker=[worker.pid]
        )
        if args.only in (None, "latency"):
            a = measure_latency(
                ours, author, members[: args.clients], cookies, addresses, space, topic,
                args.posts, probe,
            )  # fmt: skip
        if args.only == "restart":

            def restart_daphne() -> None:
                process, address, log = servers[0]
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
                again = start_daphne(log_dir, args.layer_fix, port=int(address.split(":")[1]))
                servers[0] = again
                wait_listening(*again)

            c = measure_restart(
                ours, author, members[: args.restart_watchers], cookies, addresses, space,
                topic, args.restart_posts, {"daphne": restart_daphne, "redis": own_redis.restart},
            )  # fmt: skip
        if args.only in (None, "fanout"):
            b = measure_fanout(
                ours, author, members[: args.watchers], cookies, addresses, space, topic,
                args.fanout_runs, probe,
            )  # fmt: skip
        ask(ours, ("stop",), 30)
        time.sleep(2)  # let the consumers leave their groups before daphne goes
    finally:
        for process, _address, _log in servers:
            stop_daphne(process)
        if worker is not None:
            stop_daphne(worker)
        if own_redis is not None:
            own_redis.stop()
        if sockets.is_alive():
            sockets.kill()
        sockets.join(timeout=5)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    report(a, b, args)
    if c:
        print(
            f"\n(c) Restarts under load: {c['watchers']} watchers, {c['posts']} posts, one every "
            f"0.25 s; 2 daphne processes, own redis-server"
        )
        for line in c["events"]:
            print(f"- {line}")
        print(
            f"notifications expected {c['expected']}, received {c['received']} distinct; "
            f"lost {c['lost']}, duplicated {c['duplicated']}; client reconnects {c['reconnects']}"
        )
        verdict = "met" if c["lost"] == 0 and c["duplicated"] == 0 else "MISSED"
        print(f"Goal 0 lost, 0 duplicated: {verdict}")
    for _process, _address, log in servers:
        lines = log.read_text().splitlines()
        failures = [line for line in lines if line.startswith("Exception inside application")]
        if failures:
            kinds = defaultdict(int)
            for line in failures:
                kinds[line.removeprefix("Exception inside application: ")[:80]] += 1
            summary = "; ".join(f"{n} x {kind}" for kind, n in kinds.items())
            print(f"{log.name}: consumers failed: {summary}")
        over = [line for line in lines if "over capacity" in line]
        if over:
            print(f"{log.name}: {len(over)} group sends dropped over capacity, e.g. {over[0]}")


if __name__ == "__main__":
    main()
