"""A real HTTP receiver on loopback that records each delivery (the webhook and browser tests)."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    # Status codes to answer, in order; 200 once they run out.
    statuses: list[int] = field(default_factory=list)

    def events(self) -> list[str]:
        return [r.headers["X-Discourse-Event"] for r in self.received]

    def named(self, event: str) -> Received:
        matches = [r for r in self.received if r.headers["X-Discourse-Event"] == event]
        assert len(matches) == 1, f"{event}: {len(matches)} deliveries ({self.events()})"
        return matches[0]


@contextmanager
def running_receiver():
    """Serve on a free loopback port until the block ends."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.received.append(Received(headers=dict(self.headers.items()), body=body))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 400 else b"receiver is down")

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with running_receiver() as state:
        yield state
