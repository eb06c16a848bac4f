"""Django's Redis cache with one connection pool per process.

Django's RedisCacheClient keeps its pools on the cache object, and under ASGI each request
gets a new cache object (caches are per async context), so every request opened a new Redis
connection (Django ticket #35651). Sharing the pools per process fixes that.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_POOLS: dict = {}


class SharedPoolRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._pools = _POOLS.setdefault((tuple(servers), repr(sorted(options.items()))), {})


class SharedPoolRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient
