"""The reports cache's backend keeps objects, not pickles, and still ages entries out."""

import time

import pytest

from audit.config.caches import ObjectCache


@pytest.fixture
def cache():
    kept = ObjectCache("test-objects", {"OPTIONS": {"MAX_ENTRIES": 3, "CULL_FREQUENCY": 3}})
    kept.clear()
    yield kept
    kept.clear()


def test_the_object_itself_is_returned_not_a_copy(cache):
    value = (object(), "figures")
    cache.set("a", value)
    assert cache.get("a") is value
    assert cache.get_many(["a", "b"]) == {"a": value}
    assert cache.add("a", "other") is False and cache.get("a") is value
    assert cache.add("b", 1) is True and cache.incr("b", 2) == 3 and cache.get("b") == 3


def test_the_least_recently_used_goes_first_when_full(cache):
    for name in "abc":
        cache.set(name, name)
    cache.get("a")  # read: now the most recently used
    cache.set("d", "d")
    assert cache.get("b") is None
    assert {cache.get("a"), cache.get("d")} == {"a", "d"}


def test_expired_entries_are_gone(cache):
    cache.set("a", "figures", timeout=0.01)
    time.sleep(0.02)
    assert cache.get("a", "missing") == "missing"
    with pytest.raises(ValueError):
        cache.incr("a")
