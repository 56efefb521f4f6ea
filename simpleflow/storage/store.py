"""What every payload store shares: content addressing, references, listing, and the errors they raise.

A store keeps bytes under the sha256 of those bytes, so the same payload sent by a thousand tasks of a
fan-out is stored once, and a fetched payload can be checked against its reference. Concrete stores
(:mod:`~simpleflow.storage.filesystem`, :mod:`~simpleflow.storage.s3`, :mod:`~simpleflow.storage.memory`)
only say how to read, write, remove and list objects by key; :class:`ContentAddressedStore` does the rest.

A reference names the store that took the payload (its ``location``), but a store fetches by digest
alone: since the key is the content's hash, any store holding that digest returns the right bytes (and
they are verified). That lets a worker and a decider configured with different URLs for one bucket (or
a copied directory) still agree.
"""

from __future__ import annotations

import abc
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from simpleflow.exceptions import PayloadNotFound
from simpleflow.payload import PayloadReference, PayloadStore, verify

__all__ = ["ContentAddressedStore", "PayloadStore", "StoredPayload"]


@dataclass(frozen=True)
class StoredPayload:
    """One payload a store holds, as listed for clean-up (``simpleflow payloads.gc``)."""

    reference: str
    digest: str
    size: int
    modified: datetime.datetime


class ContentAddressedStore(abc.ABC):
    """A :class:`~simpleflow.payload.PayloadStore` keeping each payload under its sha256 digest.

    Subclasses give ``url`` and implement the five object operations. ``get`` verifies the bytes against
    the reference before returning them (:class:`~simpleflow.exceptions.PayloadDigestMismatch`), so
    callers may rely on ``verifies_digests``.
    """

    #: The store's URL, carried in references as their location.
    url: str
    #: :func:`simpleflow.payload.resolve` need not hash again what this store returns.
    verifies_digests = True

    def put(self, data: bytes) -> str:
        """Store ``data`` once under its digest; return its reference text."""
        reference = PayloadReference.for_data(data, self.url)
        if not self._exists(reference.digest, reference=reference.text):
            self._write(reference.digest, data, reference=reference.text)
        return reference.text

    def get(self, reference: str) -> bytes:
        """The verified bytes of ``reference`` (PayloadNotFound, PayloadStoreUnavailable otherwise)."""
        parsed = PayloadReference.parse(reference)
        data = self._read(parsed.digest, reference=parsed.text)
        if data is None:
            elsewhere = "" if parsed.location == self.url else f" (the reference names {parsed.location})"
            raise PayloadNotFound(parsed.text, f"no such payload in {self.url}{elsewhere}")
        verify(parsed, data)
        return data

    def delete(self, reference: str) -> None:
        """Remove the payload of ``reference``; a missing one is not an error."""
        self._remove(PayloadReference.parse(reference).digest, reference=reference)

    def iter_payloads(self) -> Iterator[StoredPayload]:
        """Every payload the store holds, in no particular order."""
        for digest, size, modified in self._scan():
            reference = PayloadReference(digest=digest, size=size, location=self.url)
            yield StoredPayload(reference=reference.text, digest=digest, size=size, modified=modified)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url}>"

    # -- what a concrete store provides; ``reference`` is only there to name it in errors --------------

    @abc.abstractmethod
    def _exists(self, digest: str, *, reference: str) -> bool:
        """Whether an object is stored under ``digest``."""

    @abc.abstractmethod
    def _write(self, digest: str, data: bytes, *, reference: str) -> None:
        """Store ``data`` under ``digest`` (readers must never see a partial object)."""

    @abc.abstractmethod
    def _read(self, digest: str, *, reference: str) -> bytes | None:
        """The bytes stored under ``digest``, or ``None`` when there are none."""

    @abc.abstractmethod
    def _remove(self, digest: str, *, reference: str) -> None:
        """Remove the object under ``digest`` if there is one."""

    @abc.abstractmethod
    def _scan(self) -> Iterator[tuple[str, int, datetime.datetime]]:
        """``(digest, size, modified)`` of every stored object."""


# Concrete stores must satisfy the protocol the codec uses; checked once here rather than in each.
_check: type[PayloadStore] = ContentAddressedStore  # type: ignore[type-abstract]
