"""Which stored payloads nothing needs any more: the logic behind ``simpleflow payloads.gc``.

A payload is garbage when it is older than the age given (its last write in the store) and no *open*
execution's history references it. Histories are read through :mod:`simpleflow.swf` (Amazon SWF or the
embedded service), every page of every open execution of the domains given, and every string in every
event is searched for reference texts (``simpleflow+payload:sha256:<digest>...``), so that references in
any field (inputs, results, details, signals, markers, child inputs) count.

What this cannot see, and why the age matters:

- executions in domains that were not scanned;
- closed executions (their histories stay readable for the domain's retention period; their
  out-of-band fields then read as missing payloads);
- a payload sent again *while* the scan runs: the store keeps one copy per digest and does not rewrite
  it, so an old payload that a new execution re-sends after its history was scanned could be deleted.
  Keep the age well above your executions' length; an S3 lifecycle rule on the prefix has the same limits.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simpleflow.storage.store import ContentAddressedStore, StoredPayload

__all__ = ["ReferenceScan", "find_garbage", "find_references", "scan_open_executions"]

_REFERENCE = re.compile(r"simpleflow\+payload:sha256:([0-9a-f]{64})")


@dataclass(frozen=True)
class ReferenceScan:
    """What a scan of open executions read, and the payload digests their histories reference."""

    domains: tuple[str, ...]
    executions: int
    events: int
    digests: frozenset[str]

    def __str__(self) -> str:
        domains = ", ".join(self.domains) or "(none)"
        return (
            f"scanned {self.executions} open execution(s), {self.events} event(s), in domain(s) {domains}: "
            f"{len(self.digests)} payload(s) referenced"
        )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def find_references(events: Iterable[Mapping[str, Any]]) -> set[str]:
    """The digests of every payload reference found in any string of ``events``."""
    return {
        match.group(1)
        for event in events
        for text in _strings(event)
        if "simpleflow+payload:" in text
        for match in _REFERENCE.finditer(text)
    }


def scan_open_executions(client: Any, domains: Sequence[str]) -> ReferenceScan:
    """Read the whole history of every open execution of ``domains``; what they reference."""
    from simpleflow.swf.models import ExecutionStatus
    from simpleflow.swf.querysets import WorkflowExecutionQuerySet

    executions = events = 0
    digests: set[str] = set()
    for domain in domains:
        for execution in WorkflowExecutionQuerySet(client, domain).filter(status=ExecutionStatus.OPEN):
            executions += 1
            for page in execution.iter_history_pages():
                events += len(page)
                digests |= find_references(page)
    return ReferenceScan(tuple(domains), executions, events, frozenset(digests))


def find_garbage(
    store: ContentAddressedStore,
    *,
    older_than: datetime.timedelta,
    referenced: frozenset[str] | set[str] = frozenset(),
    now: datetime.datetime | None = None,
) -> list[StoredPayload]:
    """Payloads of ``store`` last written before ``now - older_than``, not ``referenced``; oldest first."""
    cutoff = (now or datetime.datetime.now(datetime.timezone.utc)) - older_than
    found = [
        stored
        for stored in store.iter_payloads()
        if stored.modified < cutoff and stored.digest not in referenced
    ]
    return sorted(found, key=lambda stored: (stored.modified, stored.digest))
