"""The shared Redis cache, degrading to "no cache" while Redis is down.

Everything in the cache can be recomputed (sessions are backed by the database, fragments and
pages are re-rendered, presence and rate-limit counts restart), so an outage must not turn
into error pages: every operation that cannot reach Redis behaves as a miss (reads) or does
nothing (writes), with one warning per process every few seconds. When Redis returns, the
next operation simply succeeds.
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from community.rediscache import SharedPoolRedisCache

logger = logging.getLogger("config.cache")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)
_last_warning = 0.0


def _warn(operation: str, error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 10:
        _last_warning = now
        logger.warning("cache unreachable (%s: %s); carrying on without it", operation, error)


class DegradingRedisCache(SharedPoolRedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            _warn("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as error:
            _warn("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNREACHABLE as error:
            _warn("has_key", error)
            return False

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            _warn("add", error)
            return True  # as if it were stored: callers go on as on a first write

    def set(self, key, value, timeout=None, version=None):
        try:
            return super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            _warn("set", error)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            _warn("set_many", error)
            return list(data)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as error:
            _warn("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            _warn("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except UNREACHABLE as error:
            _warn("delete_many", error)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            _warn("incr", error)
            return delta

    def count(self, key, timeout, start=0, version=None):
        try:
            return super().count(key, timeout, start, version)
        except UNREACHABLE as error:
            _warn("count", error)
            return start + 1

    def count_and_read(self, key, timeout, read, start=0, version=None):
        try:
            return super().count_and_read(key, timeout, read, start, version)
        except UNREACHABLE as error:
            _warn("count_and_read", error)
            return start + 1, {}

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE as error:
            _warn("clear", error)
