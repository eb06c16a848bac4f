"""A Redis outage degrades, it does not break writes: our own redis-server on loopback is
stopped while a member posts, flags and a visitor registers, then started again."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from django.core.cache import cache

from community.forum.models import Post
from tests.accounts.test_signup import _signup_data
from tests.factories import make_thread, make_user
from tests.servers import free_port, wait_until

pytestmark = pytest.mark.django_db


class OwnRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)

        def answers() -> bool:
            try:
                return client.ping()
            except redis.exceptions.ConnectionError:
                return False

        wait_until(answers, timeout=20, what="our redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(settings):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = OwnRedis()
    server.start()
    url = f"redis://127.0.0.1:{server.port}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "outage-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": url, "socket_timeout": None}], "prefix": "outage"},
        }
    }
    yield server
    server.stop()


def test_posting_flagging_and_registering_carry_on_while_redis_is_down(
    own_redis, client, committed, caplog
):
    author, reader = make_user(), make_user()
    thread = make_thread(author=author, title="Written during an outage")
    cache.set("before", "ok")
    assert cache.get("before") == "ok"
    client.force_login(reader)
    own_redis.stop()

    started = time.monotonic()
    with committed():
        reply = client.post(
            f"/t/{thread.pk}/reply/",
            {"source": "Words that must not be lost", "reply_to": thread.posts.get(number=1).pk},
        )
    assert reply.status_code == 302, reply.content[:500]
    assert Post.objects.filter(thread=thread, text__contains="must not be lost").exists()
    flagged = client.post(
        f"/p/{thread.posts.get(number=1).pk}/flag/", {"reason": "spam", "note": ""}
    )
    assert flagged.status_code in (200, 302) and flagged.status_code < 400
    client.logout()
    signup = client.post("/accounts/signup/", _signup_data(email="outage@example.org"))
    assert signup.status_code == 302
    assert time.monotonic() - started < 30  # failed fast, not held on timeouts
    assert "cache unreachable" in caplog.text

    own_redis.start()  # same port: everything picks up again by itself
    cache.set("after", "back")
    assert cache.get("after") == "back"
    page = client.get(f"/t/{thread.pk}/", follow=True)
    assert page.status_code == 200 and "Words that must not be lost" in page.content.decode()
