"""What ``schedule.list`` and ``schedule.describe`` show, read from a scheduler's history; no I/O.

The scheduler's input holds the schedule's definition and the state its earlier runs handed on; the
current run's events add the rest: the runs it started (``StartChildWorkflowExecutionInitiated``) and how
they closed, its markers (paused, resumed, skipped, buffered, missed), and the timer it waits on, whose
``control`` is the next fire time.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simpleflow import payload
from simpleflow.history import attributes_key
from simpleflow.schedules.errors import InvalidSchedule
from simpleflow.schedules.naming import MARKER
from simpleflow.schedules.spec import ScheduleSpec, ScheduleState, parse_instant

__all__ = ["RunView", "ScheduleView", "read_schedule"]

#: How many fire times ``describe`` shows ahead.
NEXT_FIRES = 3

_CLOSE_STATUS = {
    "ChildWorkflowExecutionCompleted": "completed",
    "ChildWorkflowExecutionFailed": "failed",
    "ChildWorkflowExecutionTimedOut": "timed out",
    "ChildWorkflowExecutionCanceled": "canceled",
    "ChildWorkflowExecutionTerminated": "terminated",
    "StartChildWorkflowExecutionFailed": "not started",
}


@dataclass(frozen=True)
class RunView:
    """One run a schedule started: its workflow id and what became of it (``"running"`` while open).

    Runs started by an earlier scheduler run have the status ``"earlier"``: their closes went to it.
    """

    workflow_id: str
    status: str


@dataclass(frozen=True)
class ScheduleView:
    """A schedule as its scheduler's history shows it."""

    name: str
    spec: ScheduleSpec
    paused: bool
    next_fires: tuple[datetime, ...]
    started: int
    skipped: int
    missed: int
    runs: tuple[RunView, ...]
    buffered: str | None
    #: The run id of the scheduler execution now open.
    scheduler_run_id: str | None = None


def _attributes(event: Mapping[str, Any]) -> dict[str, Any]:
    return dict(event.get(attributes_key(event["eventType"])) or {})


def _input_of(start: Mapping[str, Any]) -> tuple[ScheduleSpec, ScheduleState]:
    text = _attributes(start).get("input")
    try:
        args, _ = payload.parse_input(payload.decode(text, field="schedule input"))
    except Exception as error:  # a foreign input: not a schedule
        raise InvalidSchedule("input", f"the scheduler's input cannot be read ({error})") from error
    if not args:
        raise InvalidSchedule("input", "the scheduler was started without a schedule")
    return ScheduleSpec.from_dict(args[0]), ScheduleState.from_dict(args[1] if len(args) > 1 else None)


def read_schedule(
    name: str, events: Iterable[Mapping[str, Any]], *, run_id: str | None = None
) -> ScheduleView:
    """The :class:`ScheduleView` of the scheduler run whose history is ``events`` (oldest first)."""
    iterator = iter(events)
    start = next(iterator, None)
    if start is None or start["eventType"] != "WorkflowExecutionStarted":
        raise InvalidSchedule("history", f"{name}'s history does not start with its start event")
    spec, state = _input_of(start)
    paused, skipped, missed, buffered = state.paused, state.skipped, state.missed, state.buffered
    runs: dict[str, str] = {run: "earlier" for run in state.recent}
    started = state.started
    timers: dict[str, str | None] = {}  # open fire timers -> their fire time
    armed = False  # whether this run started a fire timer yet
    for event in iterator:
        event_type, attrs = event["eventType"], _attributes(event)
        if event_type == "StartChildWorkflowExecutionInitiated":
            runs.pop(attrs["workflowId"], None)
            runs[attrs["workflowId"]] = "running"
            started += 1
            if buffered == attrs["workflowId"]:
                buffered = None
        elif event_type in _CLOSE_STATUS:
            workflow_id = attrs.get("workflowId") or (attrs.get("workflowExecution") or {}).get("workflowId")
            if workflow_id in runs:
                runs[workflow_id] = _CLOSE_STATUS[event_type]
        elif event_type == "TimerStarted" and attrs.get("timerId", "").startswith("fire-"):
            timers[attrs["timerId"]] = attrs.get("control")
            armed = True
        elif event_type in ("TimerFired", "TimerCanceled"):
            timers.pop(attrs.get("timerId", ""), None)
        elif event_type == "MarkerRecorded" and attrs.get("markerName") == MARKER:
            try:
                details = json.loads(attrs.get("details") or "{}")
            except ValueError:
                continue
            kind = details.get("event")
            if kind in ("paused", "resumed"):
                paused = kind == "paused"
            elif kind == "skipped":
                skipped += 1
            elif kind == "missed":
                missed += int(details.get("count") or 0)
            elif kind == "buffered":
                buffered = details.get("workflow_id")
            elif kind in ("started", "not started") and details.get("workflow_id"):
                # An independent run: the scheduler saw it start (or fail to), never close.
                runs.pop(details["workflow_id"], None)
                runs[details["workflow_id"]] = "started independently" if kind == "started" else kind
                started += kind == "started"
    next_fires: tuple[datetime, ...] = ()
    pending = [control for control in timers.values() if control]
    at_limit = spec.limit is not None and started >= spec.limit
    if pending and not paused:
        first = parse_instant(pending[-1])
        later = itertools.islice(spec.cadence.fires_after(first), NEXT_FIRES - 1)
        next_fires = (first, *later)
    elif not armed and not paused and not at_limit:
        # No decider handled this run yet: the fire times after where it will start from.
        since = parse_instant(state.last_slot) if state.last_slot else start.get("eventTimestamp")
        if isinstance(since, datetime):
            next_fires = tuple(itertools.islice(spec.cadence.fires_after(since), NEXT_FIRES))
    recent = [RunView(workflow_id, status) for workflow_id, status in runs.items()]
    return ScheduleView(
        name=name,
        spec=spec,
        paused=paused,
        next_fires=next_fires,
        started=started,
        skipped=skipped,
        missed=missed,
        runs=tuple(recent[-ScheduleState.RECENT :]),
        buffered=buffered,
        scheduler_run_id=run_id,
    )
