"""The events a decider has already read, kept per run so a decision task fetches only what is new.

Without it, every decision task carries the whole history: a run of n activities reads O(n) events n
times. With it, the decider polls with ``startAtPreviousStartedEvent`` (SWF then sends the events from
the previous decision task on) and joins them to the events it kept from that run.

History events are immutable facts numbered densely from 1, so a kept prefix and a new suffix make the
whole history whenever they meet: the kept events reach at least the event before the first new one.
When they do not (the run was never seen here, was evicted, or another decider process took the
decision tasks in between), :meth:`HistoryCache.join` says so and the caller reads the whole history.
An engine that ignores ``startAtPreviousStartedEvent`` sends everything from event 1, which always joins.

Memory is bounded by a number of kept events across runs, the least recently used runs going first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Any

#: Events kept across all runs by default (a few hundred bytes each once parsed).
DEFAULT_MAX_EVENTS = 200_000


class HistoryCache:
    """Per-run event lists, oldest event first, bounded to ``max_events`` in total; thread-safe."""

    def __init__(self, *, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        if max_events < 0:
            raise ValueError(f"max_events must be >= 0, not {max_events}")
        self.max_events = max_events
        self._runs: OrderedDict[Hashable, list[dict[str, Any]]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many runs are kept."""
        return len(self._runs)

    @property
    def size(self) -> int:
        """How many events are kept, across runs."""
        return self._size

    def join(self, run: Hashable, new_events: Sequence[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """The whole history of ``run`` made of the kept events and ``new_events``; None on a gap.

        ``new_events`` are consecutive, oldest first, and may overlap the kept ones. On success the
        result is kept for the next decision task of ``run``; on a gap nothing changes.
        """
        if not new_events:
            return None
        first_new = new_events[0]["eventId"]
        with self._lock:
            kept = self._runs.get(run, [])
        if first_new == 1:
            history = list(new_events)
        elif len(kept) >= first_new - 1 and kept[first_new - 2]["eventId"] == first_new - 1:
            # Event ids are dense from 1, so kept[i] is event i + 1 (checked at the seam).
            history = kept[: first_new - 1] + list(new_events)
        else:
            return None
        self.keep(run, history)
        return history

    def keep(self, run: Hashable, events: list[dict[str, Any]]) -> None:
        """Keep ``events`` (the whole history so far, oldest first) as what is known of ``run``."""
        with self._lock:
            self._drop(run)
            if len(events) > self.max_events:
                return  # larger than the whole budget: keeping it would evict everything else for nothing
            self._runs[run] = events
            self._size += len(events)
            while self._size > self.max_events:
                self._drop(next(iter(self._runs)))

    def forget(self, run: Hashable) -> None:
        """Drop what is kept of ``run`` (it closed, or its events are no longer to be trusted)."""
        with self._lock:
            self._drop(run)

    def _drop(self, run: Hashable) -> None:
        events = self._runs.pop(run, None)
        if events is not None:
            self._size -= len(events)
