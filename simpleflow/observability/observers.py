"""simpleflow's own interceptors: what every activity and decision task reports, in one place.

- :class:`ActivityLog` logs each activity's start and end at INFO, with the workflow id, run id,
  activity id, attempt and (at the end) duration, as message text and as ``extra`` fields (which
  ``--log-format json`` writes out);
- :class:`DecisionLog` logs each decision task at INFO with its count of new events and of decisions;
- when metrics are on (``--metrics-port``), :class:`~simpleflow.observability.task_metrics.DecisionMetrics`
  records decision latency, schedule-to-start times, activity timeouts and the run cache's hit rate;
- when tracing is on, :class:`~simpleflow.observability.tracing.TracingObserver` opens a span per
  decision task and per activity attempt.

They come first in every chain built by :mod:`simpleflow.observability.interceptors`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from simpleflow.observability.interceptors import ActivityCall, DecisionCall

__all__ = ["ActivityLog", "DecisionLog", "builtin_observers"]

activity_logger = logging.getLogger("simpleflow.activity")
decision_logger = logging.getLogger("simpleflow.decision")


def _activity_fields(call: ActivityCall) -> dict[str, Any]:
    context = call.context
    return {
        "workflow_id": getattr(context, "workflow_id", ""),
        "run_id": getattr(context, "run_id", ""),
        "activity_id": getattr(context, "activity_id", ""),
        "activity_type": getattr(context, "activity_name", None) or call.activity.name,
        "attempt": getattr(context, "attempt", 1),
    }


def _describe(error: BaseException) -> str:
    """``Type: message``, even for an exception whose ``__str__`` raises (the task's failure is its own)."""
    try:
        return f"{type(error).__name__}: {error}"
    except Exception:
        return f"{type(error).__name__}: <the exception's message could not be rendered>"


class ActivityLog:
    """Logs an activity's start and its end (completed or failed, with the duration) at INFO."""

    def intercept_activity(self, call: ActivityCall, proceed: Callable[[], Any]) -> Any:
        fields = _activity_fields(call)
        where = (
            f"{fields['activity_id']} ({fields['activity_type']}) of {fields['workflow_id']} "
            f"({fields['run_id']}), attempt {fields['attempt']}"
        )
        activity_logger.info("activity %s started", where, extra={**fields, "event": "activity_started"})
        started = time.perf_counter()
        try:
            result = proceed()
        except BaseException as error:
            duration_ms = round((time.perf_counter() - started) * 1000, 3)
            activity_logger.info(
                "activity %s failed in %.1f ms: %s",
                where,
                duration_ms,
                _describe(error),
                extra={**fields, "event": "activity_failed", "duration_ms": duration_ms},
            )
            raise
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        activity_logger.info(
            "activity %s completed in %.1f ms",
            where,
            duration_ms,
            extra={**fields, "event": "activity_completed", "duration_ms": duration_ms},
        )
        return result


class DecisionLog:
    """Logs each decision task: the run, its new events and the decisions it was answered with."""

    def intercept_decision(self, call: DecisionCall, proceed: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        new_events = len(call.new_events)
        replay = proceed()
        decisions = len(getattr(replay, "decisions", ()) or ())
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        decision_logger.info(
            "decision task of %s (%s), %s: %d new event(s), %d decision(s) in %.1f ms",
            call.workflow_id,
            call.run_id,
            call.workflow_type,
            new_events,
            decisions,
            duration_ms,
            extra={
                "event": "decision_task",
                "workflow_id": call.workflow_id,
                "run_id": call.run_id,
                "workflow_type": call.workflow_type,
                "new_events": new_events,
                "decisions": decisions,
                "duration_ms": duration_ms,
            },
        )
        return replay


_LOGGING_OBSERVERS = (ActivityLog(), DecisionLog())


def builtin_observers() -> list[object]:
    """The observers on in this process: logging always; tracing and metrics when they are set up."""
    from simpleflow.observability import task_metrics, tracing

    observers: list[object] = list(_LOGGING_OBSERVERS)
    tracer = tracing.observer()
    if tracer is not None:
        observers.insert(0, tracer)
    if task_metrics.is_enabled():
        observers.append(task_metrics.DECISION_METRICS)
    return observers
