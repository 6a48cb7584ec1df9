"""reader/cache_backends.py: Django's Redis cache with one redis-py client per pool."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.core.cache.backends.redis import RedisCacheClient

from reader.cache_backends import RedisCache


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache():
    if not redis_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    cache = RedisCache("redis://127.0.0.1:6379/13", {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many(["a", "b", "c"])


def test_each_call_uses_the_same_client_and_pool(redis_cache):
    first, second = redis_cache._cache.get_client(), redis_cache._cache.get_client(write=True)
    assert first is second
    assert first.connection_pool is second.connection_pool
    # Django's own client makes a new one every time: what this backend is for.
    theirs = RedisCacheClient(["redis://127.0.0.1:6379/13"])
    assert theirs.get_client() is not theirs.get_client()


def test_it_stores_and_reads_as_djangos_does(redis_cache):
    redis_cache.set("a", {"page": b"\x00bytes"}, timeout=30)
    assert redis_cache.add("b", 2) and not redis_cache.add("b", 3)
    assert redis_cache.get("a") == {"page": b"\x00bytes"}
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": {"page": b"\x00bytes"}, "b": 2}
    assert redis_cache.delete("a") and redis_cache.get("a") is None
