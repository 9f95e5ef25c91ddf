"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django builds a new ``redis.Redis`` client for every cache call; redis-py fills ~170 response
callbacks in each one, which cost a cached page about a fifth of its time. A client is
thread-safe and stateless beyond its pool, so one per pool serves every call. Keys are not
checked against memcached's limits, which Redis does not have, and values are told apart by their
first byte rather than by a failed int().
"""

import pickle

from django.core.cache.backends import redis


class _Serializer(redis.RedisSerializer):
    """Django's: integers as they are (for incr), everything else pickled."""

    def loads(self, data):
        # A pickle starts with its protocol's marker; Django's loads tries int() on every value
        # first, and the ValueError cost a page of forty seat boxes a tenth of its time.
        if data[:1] == pickle.PROTO:
            return pickle.loads(data)  # noqa: S301 - our own cache's values, as Django's loads
        return int(data)


class _ReusingClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._serializer = _Serializer()

    def get_client(self, key=None, *, write=False):
        # Django's own (private) pool and client class, as its get_client uses them.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient

    def validate_key(self, key):
        # Redis takes any key. Django's check of each key against memcached's limits cost a page
        # with forty seat boxes a tenth of its time.
        return
