"""The events a decider has already read, kept per run so a decision task fetches only what is new.

Without it, every decision task carries the whole history: a run of n activities reads O(n) events n
times. With it, the decider polls with ``startAtPreviousStartedEvent`` (SWF then sends the events from
the previous decision task on) and joins them to the events it kept from that run.

History events are immutable facts numbered densely from 1, so a kept prefix and a new suffix make the
whole history whenever they meet: the kept events reach at least the event before the first new one.
When they do not (the run was never seen here, was evicted, or another decider process took the
decision tasks in between), :meth:`HistoryCache.join` says so and the caller reads the whole history.
An engine that ignores ``startAtPreviousStartedEvent`` sends everything from event 1, which always joins.

Memory is bounded by an estimate of what the kept events take (:func:`event_bytes`), the least recently
used runs going first: a decider lives long, and an event's inputs and results may each be 32 KB.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

#: What the kept events may take in all, by default (several typical runs, or a few of 25,000 events).
DEFAULT_MAX_BYTES = 128 * 1024 * 1024
#: What a parsed event takes besides its strings: its dictionaries, timestamp and numbers (measured: ~1.3 KB).
EVENT_OVERHEAD_BYTES = 1_300


def event_bytes(event: dict[str, Any]) -> int:
    """About what ``event`` takes in memory: a fixed overhead plus its attributes' strings."""
    size = EVENT_OVERHEAD_BYTES
    for value in event.values():
        if isinstance(value, dict):  # the ``*EventAttributes``: strings, and one level of nesting at most
            for item in value.values():
                if isinstance(item, str):
                    size += len(item)
                elif isinstance(item, dict):
                    size += sum(len(inner) for inner in item.values() if isinstance(inner, str))
    return size


def _total_bytes(events: Iterable[dict[str, Any]]) -> int:
    return sum(event_bytes(event) for event in events)


class HistoryCache:
    """Per-run event lists, oldest event first, within about ``max_bytes`` in all; thread-safe."""

    def __init__(self, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, not {max_bytes}")
        self.max_bytes = max_bytes
        self._runs: OrderedDict[Hashable, tuple[list[dict[str, Any]], int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many runs are kept."""
        return len(self._runs)

    @property
    def size(self) -> int:
        """About how many bytes the kept events take, across runs."""
        return self._bytes

    def join(self, run: Hashable, new_events: Sequence[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """The whole history of ``run`` made of the kept events and ``new_events``; None on a gap.

        ``new_events`` are consecutive, oldest first, and may overlap the kept ones. On success the
        result is kept for the next decision task of ``run``; on a gap nothing changes.
        """
        if not new_events:
            return None
        first_new = new_events[0]["eventId"]
        with self._lock:
            kept, kept_bytes = self._runs.get(run, ([], 0))
        if first_new == 1:
            history, size = list(new_events), _total_bytes(new_events)
        elif len(kept) >= first_new - 1 and kept[first_new - 2]["eventId"] == first_new - 1:
            # Event ids are dense from 1, so kept[i] is event i + 1 (checked at the seam).
            prefix = kept[: first_new - 1]
            # What the overlap drops is the tail: subtract it rather than count the whole prefix again.
            prefix_bytes = kept_bytes - _total_bytes(kept[first_new - 1 :])
            history, size = prefix + list(new_events), prefix_bytes + _total_bytes(new_events)
        else:
            return None
        self._keep(run, history, size)
        return history

    def keep(self, run: Hashable, events: list[dict[str, Any]]) -> None:
        """Keep ``events`` (the whole history so far, oldest first) as what is known of ``run``."""
        self._keep(run, events, _total_bytes(events))

    def _keep(self, run: Hashable, events: list[dict[str, Any]], size: int) -> None:
        with self._lock:
            self._drop(run)
            if size > self.max_bytes:
                return  # larger than the whole budget: keeping it would evict everything else for nothing
            self._runs[run] = (events, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._runs)))

    def forget(self, run: Hashable) -> None:
        """Let go of ``run``'s events now (it closed: no decision task of it will need them)."""
        with self._lock:
            self._drop(run)

    def _drop(self, run: Hashable) -> None:
        kept = self._runs.pop(run, None)
        if kept is not None:
            self._bytes -= kept[1]
