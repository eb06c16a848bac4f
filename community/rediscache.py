"""Django's Redis cache with one connection pool and one client per process.

Django's RedisCacheClient keeps its pools on the cache object, and under ASGI each request
gets a new cache object (caches are per async context), so every request opened a new Redis
connection (Django ticket #35651). It also builds a new redis-py client for every cache
call, and each one copies redis-py's table of ~500 response callbacks: about a third of a
millisecond per call, several calls per page. redis-py clients are safe to share between
threads (they take a connection from the pool per command), so the whole cache client is
kept per process.
"""

from functools import cached_property

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_CLIENTS: dict = {}


class SharedRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._redis_clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._redis_clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._redis_clients.setdefault(index, self._client(connection_pool=pool))
        return client

    def count(self, key, timeout, start=0):
        """Add one to the counter at `key`, starting it at `start` with `timeout` if missing.

        One round trip (SET NX and INCR in one MULTI), where Django's `add` then `incr` is three
        (its `incr` asks EXISTS first).
        """
        return self.count_and_read(key, timeout, start)[0]

    def count_and_read(self, key, timeout, start=0, read=()):
        """`count`, and the values at the keys `read` (a dict of those found), in the same
        round trip."""
        pipe = self.get_client(key, write=True).pipeline(transaction=True)
        pipe.set(key, self._serializer.dumps(start), ex=timeout, nx=True)
        pipe.incr(key)
        if read:
            pipe.mget(read)
        results = pipe.execute()
        found = {}
        if read:
            found = {
                k: self._serializer.loads(v)
                for k, v in zip(read, results[2], strict=True)
                if v is not None
            }
        return results[1], found

    def _get_connection_pool_index(self, write):
        # One server here (REDIS_URL); with several, Django picks a read replica at random,
        # which would not match the cached client's index.
        return 0


class SharedPoolRedisCache(RedisCache):
    def validate_key(self, key) -> None:
        """Redis takes any key. Django's check warns about keys memcached would refuse, one
        generator per key: a tenth of the worker's CPU when a busy thread's post forgets
        5,000 members' bell counts, and a little on every page's batch read."""

    def count(self, key, timeout: int | None, start: int = 0, version=None) -> int:
        """Add one to the counter at `key` and return it; a missing counter starts at `start`,
        kept `timeout` seconds (None: for ever)."""
        key = self.make_and_validate_key(key, version=version)
        return self._cache.count(key, timeout, start)

    def count_and_read(
        self, key, timeout: int | None, read, start: int = 0, version=None
    ) -> tuple[int, dict]:
        """`count`, and `get_many(read)`, in one round trip."""
        key = self.make_and_validate_key(key, version=version)
        made = {self.make_and_validate_key(k, version=version): k for k in read}
        count, found = self._cache.count_and_read(key, timeout, start, list(made))
        return count, {made[k]: v for k, v in found.items()}

    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        client = _CLIENTS.get(key)
        if client is None:
            client = _CLIENTS.setdefault(
                key, SharedRedisCacheClient(self._servers, **self._options)
            )
        return client
