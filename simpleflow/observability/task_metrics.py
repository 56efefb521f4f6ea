"""What the decider and the worker record when metrics are on (see :mod:`simpleflow.observability.metrics`).

Each hook is one call at its site and does nothing more than call through when metrics are off:

- :func:`observe_activity_task` around a worker's handling of one activity task;
- :func:`observe_poll` around one long poll;
- :func:`heartbeat_failed` where a heartbeat was not taken;
- :data:`DECISION_METRICS`, a decision interceptor the chain includes by itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from simpleflow.observability.interceptors import DecisionCall
from simpleflow.observability.metrics import families, is_enabled

__all__ = [
    "DECISION_METRICS",
    "DecisionMetrics",
    "heartbeat_failed",
    "is_enabled",
    "observe_activity_task",
    "observe_poll",
]

T = TypeVar("T")


def observe_activity_task(task: Mapping[str, Any], handle: Callable[[], T]) -> T:
    """``handle()`` (the worker's handling of ``task``), counted by type and by what it answered."""
    if not is_enabled():
        return handle()
    metrics = families()
    activity_type = str((task.get("activityType") or {}).get("name", ""))
    metrics.activity_tasks.labels(activity_type, "started").inc()
    started = time.perf_counter()
    try:
        result = handle()
    except BaseException:
        metrics.activity_tasks.labels(activity_type, "killed").inc()
        raise
    finally:
        metrics.activity_run_seconds.labels(activity_type).observe(time.perf_counter() - started)
    metrics.activity_tasks.labels(activity_type, str(getattr(result, "value", result))).inc()
    return result


def observe_poll(kind: str, poll: Callable[[], T]) -> T:
    """``poll()`` (one long poll for a ``kind`` task), its wait recorded by whether it brought a task."""
    if not is_enabled():
        return poll()
    started = time.perf_counter()
    outcome = "error"
    try:
        task = poll()
        outcome = "task" if task else "empty"
        return task
    finally:
        families().poll_wait_seconds.labels(kind, outcome).observe(time.perf_counter() - started)


def heartbeat_failed() -> None:
    """Count a heartbeat SWF did not take."""
    if is_enabled():
        families().heartbeat_failures.inc()


def _seconds_between(earlier: Any, later: Any) -> float | None:
    if isinstance(earlier, datetime) and isinstance(later, datetime):
        return (later - earlier).total_seconds()
    if isinstance(earlier, (int, float)) and isinstance(later, (int, float)):
        return float(later) - float(earlier)
    return None


def _event(events: Sequence[Mapping[str, Any]], event_id: int) -> Mapping[str, Any] | None:
    # Event ids are dense from 1, so an id is its place in a whole history.
    if 0 < event_id <= len(events) and events[event_id - 1].get("eventId") == event_id:
        return events[event_id - 1]
    return next((event for event in events if event.get("eventId") == event_id), None)


def _scheduled_type(scheduled: Mapping[str, Any] | None) -> str:
    attributes = (scheduled or {}).get("activityTaskScheduledEventAttributes") or {}
    return str((attributes.get("activityType") or {}).get("name", ""))


class DecisionMetrics:
    """Records each decision task: its latency and sizes, and what its new events tell of activities."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache_seen = (0, 0)  # (hits, misses) of the run cache already counted

    def intercept_decision(self, call: DecisionCall, proceed: Callable[[], Any]) -> Any:
        metrics = families()
        started = time.perf_counter()
        try:
            replay = proceed()
        except BaseException:
            metrics.decision_tasks.labels(call.workflow_type, "replay_failed").inc()
            raise
        finally:
            metrics.decision_seconds.labels(call.workflow_type).observe(time.perf_counter() - started)
        new_events = call.new_events
        metrics.decision_tasks.labels(call.workflow_type, "decided").inc()
        metrics.decision_new_events.observe(len(new_events))
        metrics.decision_decisions.observe(len(getattr(replay, "decisions", ()) or ()))
        self._record_activities(call.task.get("events") or [], new_events)
        self._record_cache(call.run_cache)
        return replay

    def _record_activities(
        self, events: Sequence[Mapping[str, Any]], new_events: Sequence[Mapping[str, Any]]
    ) -> None:
        metrics = families()
        for event in new_events:
            kind = event.get("eventType")
            if kind == "ActivityTaskStarted":
                attributes = event.get("activityTaskStartedEventAttributes") or {}
                scheduled = _event(events, int(attributes.get("scheduledEventId") or 0))
                waited = _seconds_between(
                    (scheduled or {}).get("eventTimestamp"), event.get("eventTimestamp")
                )
                if waited is not None:
                    metrics.schedule_to_start_seconds.labels(_scheduled_type(scheduled)).observe(
                        max(0.0, waited)
                    )
            elif kind == "ActivityTaskTimedOut":
                attributes = event.get("activityTaskTimedOutEventAttributes") or {}
                scheduled = _event(events, int(attributes.get("scheduledEventId") or 0))
                metrics.activity_tasks.labels(_scheduled_type(scheduled), "timed_out").inc()

    def _record_cache(self, run_cache: Any) -> None:
        if run_cache is None or not hasattr(run_cache, "stats"):
            return
        stats = run_cache.stats()
        hits, misses = int(stats.get("hits", 0)), int(stats.get("misses", 0))
        metrics = families()
        with self._lock:
            seen_hits, seen_misses = self._cache_seen
            self._cache_seen = (hits, misses)
        if hits > seen_hits:
            metrics.run_cache_lookups.labels("hit").inc(hits - seen_hits)
        if misses > seen_misses:
            metrics.run_cache_lookups.labels("miss").inc(misses - seen_misses)
        if hits + misses:
            metrics.run_cache_hit_ratio.set(hits / (hits + misses))


DECISION_METRICS = DecisionMetrics()
