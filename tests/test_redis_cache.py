"""The project's Redis cache backend against a real Redis: every kind of value the pages keep comes
back as it went in (integers stay integers, for incr), and any key Redis takes is taken."""

import secrets

import pytest
import redis

from summit.redis_cache import RedisCache

URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def backend():
    try:
        with redis.Redis.from_url(URL) as client:
            client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    cache = RedisCache(URL, {"KEY_PREFIX": f"test-{secrets.token_hex(4)}"})
    yield cache
    cache.clear()
    for pool in cache._cache._pools.values():
        pool.disconnect()


def test_values_come_back_as_they_went_in(backend):
    values = {
        "int": 7,
        "negative": -12,
        "big": 2**70,
        "text": "version 19a3f",
        "digits as text": "12",
        "bytes": b"\x80\x05 not a pickle",
        "page": ((("v1", "v2"), {"Content-Type": "text/html"}, b"<p>x</p>", '"etag"', {}, {}),),
        "none inside": (None, 0, False),
        "bool": True,
    }
    backend.set_many(values)
    assert backend.get_many(list(values)) == values
    assert type(backend.get("bool")) is bool and type(backend.get("int")) is int
    assert backend.incr("int") == 8


def test_keys_beyond_memcacheds_limits_are_taken(backend):
    key = "page:" + "ü x" * 200  # spaces, non-ASCII and over 250 characters
    backend.set(key, "kept")
    assert backend.get(key) == "kept"
