"""The production services, when configured: PostgreSQL for data, Redis for cache and channel layer."""

import os
import uuid

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection

from tests.conftest import require_service


@pytest.mark.django_db
def test_database_is_postgresql_when_database_url_says_so():
    require_service(
        "PostgreSQL (DATABASE_URL)", os.environ.get("DATABASE_URL", "").startswith("postgres")
    )
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


def test_cache_is_shared_redis():
    require_service("Redis (REDIS_URL)", bool(os.environ.get("REDIS_URL")))
    import redis
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    key = f"probe-{uuid.uuid4()}"
    cache.set(key, "shared", 30)
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert any(key in k.decode() for k in client.scan_iter(match=f"*{key}*"))


def test_channel_layer_round_trips_through_redis():
    require_service("Redis (REDIS_URL)", bool(os.environ.get("REDIS_URL")))
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    assert type(layer).__module__.startswith("channels_redis")

    async def round_trip():
        channel = await layer.new_channel()
        await layer.group_add("probe", channel)
        await layer.group_send("probe", {"type": "probe.message", "text": "hello"})
        message = await layer.receive(channel)
        await layer.group_discard("probe", channel)
        return message

    assert async_to_sync(round_trip)()["text"] == "hello"
