"""The byte-bounded cache in front of a store: replays fetch a payload once, memory stays bounded."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simpleflow import payload
from simpleflow.exceptions import PayloadDigestMismatch
from simpleflow.storage import CachingStore, MemoryStore
from simpleflow.storage import cache as cache_module


class UnverifiedStore:
    """A third-party store that returns whatever it holds, without checking digests."""

    url = "custom://unverified"

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.gets = 0

    def put(self, data: bytes) -> str:
        reference = payload.PayloadReference.for_data(data, self.url)
        self.objects[reference.digest] = data
        return reference.text

    def get(self, reference: str) -> bytes:
        self.gets += 1
        return self.objects[payload.PayloadReference.parse(reference).digest]

    def delete(self, reference: str) -> None:
        self.objects.pop(payload.PayloadReference.parse(reference).digest, None)


def test_replays_fetch_each_payload_once() -> None:
    inner = UnverifiedStore()
    cache = CachingStore(inner, max_bytes=1_000_000)
    reference = payload.encode_field("result", "r" * 50_000, store=cache)
    for _ in range(10):
        assert payload.decode(reference, store=cache) == "r" * 50_000
    assert inner.gets == 1
    assert (cache.hits, cache.misses) == (9, 1)


def test_the_cache_is_bounded_by_bytes_least_recently_used_first() -> None:
    inner = MemoryStore("cache-bound")
    cache = CachingStore(inner, max_bytes=250)
    first, second, third = (inner.put(bytes([n]) * 100) for n in range(3))
    cache.get(first)
    cache.get(second)
    cache.get(first)  # first is now the most recently used
    cache.get(third)  # 300 bytes: evicts second
    assert cache.cached_bytes == 200
    misses = cache.misses
    cache.get(first)
    cache.get(third)
    assert cache.misses == misses
    cache.get(second)
    assert cache.misses == misses + 1
    assert cache.cached_bytes <= 250


def test_payloads_larger_than_the_cache_pass_through() -> None:
    inner = MemoryStore("cache-oversized")
    cache = CachingStore(inner, max_bytes=10)
    reference = inner.put(b"x" * 100)
    assert cache.get(reference) == b"x" * 100
    assert cache.get(reference) == b"x" * 100
    assert (cache.cached_bytes, cache.misses) == (0, 2)


def test_put_remembers_what_it_stored() -> None:
    inner = MemoryStore("cache-put")
    cache = CachingStore(inner, max_bytes=0)
    references = {cache.put(b"same payload") for _ in range(1000)}
    assert len(references) == 1
    assert inner.writes == 1


def test_put_asks_the_store_again_after_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    """A payload deleted behind the cache's back (payloads.gc, a lifecycle rule) is written again."""
    inner = MemoryStore("cache-put-expiry")
    cache = CachingStore(inner, max_bytes=0)
    reference = cache.put(b"payload")
    inner.delete(reference)
    assert cache.put(b"payload") == reference and inner.writes == 1  # remembered: no round trip
    later = time.monotonic() + cache_module.STORED_MEMORY_SECONDS + 1
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: later)
    assert cache.put(b"payload") == reference
    assert inner.writes == 2 and inner.get(reference) == b"payload"


def test_delete_forgets() -> None:
    inner = MemoryStore("cache-delete")
    cache = CachingStore(inner, max_bytes=1000)
    reference = cache.put(b"payload")
    cache.get(reference)
    cache.delete(reference)
    assert cache.cached_bytes == 0
    assert inner.objects == {}
    cache.put(b"payload")
    assert inner.writes == 2


def test_unverified_stores_are_verified_before_caching() -> None:
    inner = UnverifiedStore()
    cache = CachingStore(inner, max_bytes=1000)
    reference = inner.put(b"good")
    inner.objects[payload.PayloadReference.parse(reference).digest] = b"evil"
    with pytest.raises(PayloadDigestMismatch):
        cache.get(reference)
    assert cache.cached_bytes == 0


def test_resolve_verifies_stores_that_do_not() -> None:
    inner = UnverifiedStore()
    reference = payload.encode_field("result", "v" * 40_000, store=inner)
    inner.objects[payload.PayloadReference.parse(reference).digest] = payload.encode("w" * 40_000).encode()
    with pytest.raises(PayloadDigestMismatch, match="do not match"):
        payload.decode(reference, store=inner)


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=120), min_size=1, max_size=12),
    reads=st.lists(st.integers(min_value=0, max_value=11), max_size=40),
    max_bytes=st.integers(min_value=0, max_value=300),
)
def test_any_sequence_of_reads_stays_within_the_bound(
    sizes: list[int], reads: list[int], max_bytes: int
) -> None:
    inner = MemoryStore("cache-property")
    cache = CachingStore(inner, max_bytes=max_bytes)
    payloads = [bytes([n]) * size for n, size in enumerate(sizes)]
    references = [inner.put(data) for data in payloads]
    for index in reads:
        chosen = index % len(payloads)
        assert cache.get(references[chosen]) == payloads[chosen]
        assert cache.cached_bytes <= max_bytes


@given(st.binary(max_size=2000), st.sampled_from(["file:///p", "s3://b/p", "memory://m"]))
def test_references_round_trip(data: bytes, location: str) -> None:
    reference = payload.PayloadReference.for_data(data, location)
    assert payload.PayloadReference.parse(reference.text) == reference
    payload.verify(reference.text, data)
