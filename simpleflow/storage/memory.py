"""A payload store in this process's memory: ``memory://name``. For tests and single-process runs only."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator

from simpleflow.storage.store import ContentAddressedStore

__all__ = ["MemoryStore"]


class MemoryStore(ContentAddressedStore):
    """Payloads in a dict. Other processes cannot see them: use the filesystem store across processes."""

    def __init__(self, name: str = "default") -> None:
        self.url = f"memory://{name}"
        self.objects: dict[str, tuple[bytes, datetime.datetime]] = {}
        self.writes = 0
        self._lock = threading.Lock()

    def _exists(self, digest: str, *, reference: str) -> bool:
        return digest in self.objects

    def _write(self, digest: str, data: bytes, *, reference: str) -> None:
        with self._lock:
            self.writes += 1
            self.objects[digest] = (bytes(data), datetime.datetime.now(datetime.timezone.utc))

    def _read(self, digest: str, *, reference: str) -> bytes | None:
        stored = self.objects.get(digest)
        return None if stored is None else stored[0]

    def _remove(self, digest: str, *, reference: str) -> None:
        with self._lock:
            self.objects.pop(digest, None)

    def _scan(self) -> Iterator[tuple[str, int, datetime.datetime]]:
        for digest, (data, modified) in list(self.objects.items()):
            yield digest, len(data), modified
