"""A byte-bounded cache in front of a payload store, so replays do not download the same payload again.

A decider replays an execution's whole history at every decision task: without a cache, each replay
would fetch every out-of-band input and result again. :class:`CachingStore` keeps recently fetched (and
verified) payloads, keyed by digest, evicting the least recently used once ``max_bytes`` is exceeded. It
also remembers which digests it has stored, so re-encoding the same large input on each replay costs a
hash, not a round trip to the store.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from simpleflow.payload import PayloadReference, PayloadStore, is_jumbo_reference, verify

__all__ = ["CachingStore"]

# How many stored digests to remember (about 100 bytes each): far more than one decider's working set.
_KNOWN_DIGESTS = 100_000
#: How long a digest this cache stored is taken as still stored without asking the store again. Bounded,
#: because ``simpleflow payloads.gc`` (or a lifecycle rule) may delete it meanwhile: a long-lived decider
#: re-sending that payload must write it again rather than hand out a reference to nothing.
STORED_MEMORY_SECONDS = 600.0


class CachingStore:
    """A :class:`~simpleflow.payload.PayloadStore` that caches ``get`` results up to ``max_bytes``.

    Payloads larger than ``max_bytes`` pass through uncached. Thread-safe. ``hits`` and ``misses`` count
    cache lookups (for tests and metrics).
    """

    verifies_digests = True

    def __init__(self, store: PayloadStore, *, max_bytes: int) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self.url: str = getattr(store, "url", repr(store))
        self.hits = 0
        self.misses = 0
        self._cached: OrderedDict[str, bytes] = OrderedDict()
        self._cached_bytes = 0
        self._stored: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def cached_bytes(self) -> int:
        """How many payload bytes the cache holds now."""
        return self._cached_bytes

    def put(self, data: bytes) -> str:
        """Store ``data`` (once per digest for this cache's lifetime) and return its reference."""
        digest = PayloadReference.for_data(data, self.url).digest
        with self._lock:
            known = self._stored.get(digest)
            if known is not None and time.monotonic() - known[1] < STORED_MEMORY_SECONDS:
                self._stored.move_to_end(digest)
                return known[0]
        reference = self.store.put(data)
        with self._lock:
            self._stored[digest] = (reference, time.monotonic())
            self._stored.move_to_end(digest)
            if len(self._stored) > _KNOWN_DIGESTS:
                self._stored.popitem(last=False)
        return reference

    def get(self, reference: str) -> bytes:
        """The verified bytes of ``reference``, from the cache when possible."""
        if is_jumbo_reference(reference):
            # simpleflow 0.x's references carry no digest to cache or verify by.
            return self.store.get(reference)
        parsed = PayloadReference.parse(reference)
        with self._lock:
            data = self._cached.get(parsed.digest)
            if data is not None:
                self._cached.move_to_end(parsed.digest)
                self.hits += 1
                return data
            self.misses += 1
        data = self.store.get(reference)
        if not getattr(self.store, "verifies_digests", False):
            verify(parsed, data)
        if len(data) <= self.max_bytes:
            with self._lock:
                if parsed.digest not in self._cached:
                    self._cached[parsed.digest] = data
                    self._cached_bytes += len(data)
                while self._cached_bytes > self.max_bytes:
                    _, evicted = self._cached.popitem(last=False)
                    self._cached_bytes -= len(evicted)
        return data

    def delete(self, reference: str) -> None:
        """Delete from the store and forget the payload here."""
        digest = PayloadReference.parse(reference).digest
        with self._lock:
            evicted = self._cached.pop(digest, None)
            if evicted is not None:
                self._cached_bytes -= len(evicted)
            self._stored.pop(digest, None)
        self.store.delete(reference)

    def __repr__(self) -> str:
        return f"<CachingStore {self.max_bytes} bytes over {self.store!r}>"
