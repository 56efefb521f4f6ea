"""The live runs a decider keeps between decision tasks, least recently used first out.

A decision task whose run is here, parked where its last decision task left it, costs what is new
(a *hit*); any other (a new run, one evicted, one another decider handled meanwhile, one that
diverged) starts a fresh live run against the whole history (a *miss*), through the same mechanism.
A run is taken for a hit only when the task follows the one it last decided: the task's
``previousStartedEventId`` is the ``startedEventId`` the run last answered.

The cache owns each kept run's folded history too (through its live run): :meth:`RunCache.history_of`
folds only the events a decision task adds to the ones its run last decided.

Bounds: at most ``max_runs`` runs, and at most ``max_bytes`` by estimate (a fixed cost per run, for its
parked thread and workflow state, plus each event's strings and a fixed overhead, counted once when it
arrives); past either, the least recently decided runs are evicted and their parked threads unwound.
Hits, misses, divergences and evictions are logged (``simpleflow.runtime.cache``) and counted
(:meth:`RunCache.stats`).

``verify=True`` (or ``SIMPLEFLOW_VERIFY_LIVE_RUNS=1`` in the environment) checks every hit against a
fresh run of the whole history, and raises :class:`LiveRunMismatch` when the decisions or the execution
context differ. The test suite runs with it on, so every workflow it runs is a differential test of the
live run; it doubles the decider's work, so it is off by default.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from simpleflow.history import History
from simpleflow.runtime.answer import Replay
from simpleflow.runtime.bounds import DEFAULT_MAX_BYTES, DEFAULT_MAX_RUNS
from simpleflow.runtime.live_run import Diverged, LiveRun, RunSettings

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_RUNS", "LiveRunMismatch", "RunCache", "estimate_bytes"]

logger = logging.getLogger(__name__)

#: What an event costs beyond its strings: the dict, its keys, its timestamp, the folded records, and the
#: history cache's copy of the page it came in. Measured as the slope of RSS against the events kept, with
#: benchmarks/bench_decider_memory.py at 40 runs of 25 and of 100 steps (+16.0 and +51.5 MiB for 6,120
#: and 24,120 events): 2,068 bytes an event, about 40 of them strings.
EVENT_OVERHEAD_BYTES = 2030
#: What a kept run costs besides its events: its parked thread (stack pages, thread state), the workflow
#: instance, its futures and tasks. The intercept of the same measure: about 100 KiB a run.
RUN_OVERHEAD_BYTES = 100 * 1024


def estimate_bytes(events: Iterable[Mapping[str, Any]]) -> int:
    """A cheap estimate of what ``events`` hold in memory once folded: their strings plus overhead."""
    total = 0
    for event in events:
        total += EVENT_OVERHEAD_BYTES
        for value in event.values():
            if isinstance(value, dict):
                for item in value.values():
                    if isinstance(item, str):
                        total += len(item)
    return total


#: Set to 1 to check every cache hit against a fresh run (see the module documentation).
VERIFY_VARIABLE = "SIMPLEFLOW_VERIFY_LIVE_RUNS"


class LiveRunMismatch(AssertionError):
    """A live run decided otherwise than a fresh run of the whole history would: a simpleflow bug."""

    def __init__(self, label: str, live: Replay, fresh: Replay) -> None:
        super().__init__(
            f"the live run of {label} decided otherwise than a fresh run:\n"
            f"  live:  {live.decisions!r} {live.execution_context}\n"
            f"  fresh: {fresh.decisions!r} {fresh.execution_context}"
        )
        self.live, self.fresh = live, fresh


@dataclass
class _Entry:
    run: LiveRun
    events: int
    bytes: int


class RunCache:
    """Live runs by execution, bounded by count and by estimated memory; thread-safe."""

    def __init__(
        self,
        *,
        max_runs: int = DEFAULT_MAX_RUNS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        verify: bool | None = None,
    ) -> None:
        if max_runs < 0 or max_bytes < 0:
            raise ValueError(
                f"cache bounds must be 0 or more, not max_runs={max_runs}, max_bytes={max_bytes}"
            )
        self.max_runs = max_runs
        self.max_bytes = max_bytes
        self.verify = os.environ.get(VERIFY_VARIABLE, "") not in ("", "0") if verify is None else verify
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.divergences = 0
        self.evictions = 0

    def stats(self) -> dict[str, int]:
        """``runs``, ``bytes`` (estimated), ``hits``, ``misses``, ``divergences`` and ``evictions`` so far."""
        with self._lock:
            return {
                "runs": len(self._entries),
                "bytes": self._bytes,
                "hits": self.hits,
                "misses": self.misses,
                "divergences": self.divergences,
                "evictions": self.evictions,
            }

    def __len__(self) -> int:
        return len(self._entries)

    def history_of(self, decision_task: Mapping[str, Any]) -> History:
        """The folded history of ``decision_task``'s whole ``events``, folding each event once per run.

        When the task's run is kept and the events begin with exactly the ones it last decided (the same
        last event at the same place; event ids are dense), its history is extended by the new events;
        otherwise (a run not kept, a history read again from the start) the events are folded anew.
        """
        events = decision_task["events"]
        with self._lock:
            entry = self._entries.get(_key_of(decision_task))
        kept = None if entry is None else entry.run.history
        if (
            kept is not None
            and 0 < len(kept) <= len(events)
            and _same_event(events[len(kept) - 1], kept.events[-1])
        ):
            return kept.extended(events[len(kept) :])
        return History(events)

    def decide(self, settings: RunSettings, decision_task: Mapping[str, Any], history: History) -> Replay:
        """The answer to ``decision_task``: from its cached live run when it follows on, else a fresh one.

        ``settings`` are the executor's (:attr:`simpleflow.executor.Executor.settings`).
        """
        key = _key_of(decision_task)
        label = f"{key[0]} ({key[1]})"
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is not None:
                self._bytes -= entry.bytes
        run: LiveRun | None = None
        replay: Replay | None = None
        if entry is not None and self._follows(entry, decision_task, settings):
            run = entry.run
            try:
                replay = run.decide(decision_task, history)
            except Diverged as why:
                self.divergences += 1
                logger.info("run cache: %s diverged, deciding it afresh: %s", label, why)
                run.close()
                run = None
            except BaseException:
                run.close()
                raise
            else:
                self.hits += 1
                logger.debug("run cache: hit %s", label)
                if self.verify:
                    try:
                        self._check(settings, decision_task, label, replay)
                    except BaseException:
                        run.close()  # a mismatch ends this run: its parked thread must not outlive it
                        raise
        elif entry is not None:
            logger.info("run cache: %s was decided elsewhere meanwhile, deciding it afresh", label)
            entry.run.close()
            entry = None
        if run is None:
            self.misses += 1
            if entry is None:
                logger.info("run cache: miss %s", label)
            run = LiveRun(settings, decision_task, history)
            try:
                replay = run.decide(decision_task, history)
            except BaseException:
                run.close()
                raise
            entry = None
        assert replay is not None
        self._keep(key, run, history, entry)
        return replay

    @staticmethod
    def _check(settings: RunSettings, decision_task: Mapping[str, Any], label: str, live: Replay) -> None:
        history = History(decision_task["events"])
        run = LiveRun(settings, decision_task, history)
        try:
            fresh = run.decide(decision_task, history)
        finally:
            run.close()
        if (live.decisions, live.execution_context) != (fresh.decisions, fresh.execution_context):
            raise LiveRunMismatch(label, live, fresh)

    @staticmethod
    def _follows(entry: _Entry, decision_task: Mapping[str, Any], settings: RunSettings) -> bool:
        run = entry.run
        return (
            run.resumable
            and run.started_event_id is not None
            and run.started_event_id == decision_task.get("previousStartedEventId")
            and run.settings.workflow_cls is settings.workflow_cls
            and run.settings.activity_task_list == settings.activity_task_list
        )

    def _keep(self, key: tuple[str, str], run: LiveRun, history: History, entry: _Entry | None) -> None:
        if not run.resumable or self.max_runs == 0:
            run.close()
            return
        if entry is not None and entry.events <= len(history):
            size = entry.bytes + estimate_bytes(history.events[entry.events :])
        else:
            size = RUN_OVERHEAD_BYTES + estimate_bytes(history.events)
        evicted: list[tuple[tuple[str, str], _Entry]] = []
        with self._lock:
            self._entries[key] = _Entry(run, len(history), size)
            self._bytes += size
            while self._entries and (len(self._entries) > self.max_runs or self._bytes > self.max_bytes):
                old_key, old = self._entries.popitem(last=False)
                self._bytes -= old.bytes
                evicted.append((old_key, old))
            self.evictions += len(evicted)
        for old_key, old in evicted:
            logger.info("run cache: evicted %s (%s)", f"{old_key[0]} ({old_key[1]})", self._bounds())
            old.run.close()

    def _bounds(self) -> str:
        return f"{len(self._entries)}/{self.max_runs} runs, {self._bytes}/{self.max_bytes} bytes"

    def close(self) -> None:
        """Evict every run, unwinding their threads."""
        with self._lock:
            entries = list(self._entries.values())
            self._entries.clear()
            self._bytes = 0
        for entry in entries:
            entry.run.close()


def _key_of(decision_task: Mapping[str, Any]) -> tuple[str, str]:
    execution = decision_task.get("workflowExecution") or {}
    return (execution.get("workflowId", ""), execution.get("runId", ""))


def _same_event(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    return left is right or left.get("eventId") == right.get("eventId")
