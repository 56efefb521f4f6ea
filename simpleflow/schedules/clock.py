"""The scheduler's clock: when the events that woke it happened, read from its own history.

A workflow must not read ``time.time()``: a replay would see another time and decide otherwise. The
scheduler takes its time from the history instead. Each thing it waits for (a timer, a signal, a run
closing) is finished by one event; the scheduler handles it in the decision task that started after
that event, so "now" for that wake-up is the timestamp of the first ``DecisionTaskStarted`` after it.
Those events are in the past of every later replay, so every replay computes the same times, and the
decision task's own start is when its timers start (a timer computed from it never fires early).

Several things may be done by the time a replay looks (a timer fired, then a signal came, before the
decider polled again); handling them in the order of the events that finished them gives a replay the
same path as the live run that saw them one at a time. This module says which event finished what.
No I/O: it reads the events the decider was given.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from simpleflow.history import attributes_key

__all__ = ["EventClock"]

_CHILD_CLOSES = frozenset(
    {
        "ChildWorkflowExecutionCompleted",
        "ChildWorkflowExecutionFailed",
        "ChildWorkflowExecutionTimedOut",
        "ChildWorkflowExecutionCanceled",
        "ChildWorkflowExecutionTerminated",
        "StartChildWorkflowExecutionFailed",
    }
)
_ACTIVITY_CLOSES = frozenset(
    {"ActivityTaskCompleted", "ActivityTaskFailed", "ActivityTaskTimedOut", "ActivityTaskCanceled"}
)


class EventClock:
    """Event ids and times of one history's events that finish what a scheduler waits for."""

    def __init__(self, events: Sequence[Mapping[str, Any]]) -> None:
        self.size = len(events)
        self._times: dict[int, datetime] = {}
        self._decision_starts: list[int] = []
        self._timers: dict[str, int] = {}
        self._signals: dict[str, list[int]] = defaultdict(list)
        self._child_closes: dict[str, int] = {}
        self._activity_closes: dict[int, int] = {}
        self._activity_ids: dict[int, str] = {}
        self._activity_done: dict[str, int] = {}
        for event in events:
            event_id, event_type = event["eventId"], event["eventType"]
            self._times[event_id] = event["eventTimestamp"]
            attrs = event.get(attributes_key(event_type)) or {}
            if event_type == "DecisionTaskStarted":
                self._decision_starts.append(event_id)
            elif event_type in ("TimerFired", "StartTimerFailed"):
                # A refused timer fails its future (unless the refusal is retried, and it fires later).
                self._timers[attrs["timerId"]] = event_id
            elif event_type == "WorkflowExecutionSignaled":
                self._signals[attrs["signalName"]].append(event_id)
            elif event_type in _CHILD_CLOSES:
                workflow_id = attrs.get("workflowId") or (attrs.get("workflowExecution") or {}).get(
                    "workflowId"
                )
                if workflow_id:
                    self._child_closes[workflow_id] = event_id
            elif event_type == "ActivityTaskScheduled":
                self._activity_ids[event_id] = attrs["activityId"]
            elif event_type == "ScheduleActivityTaskFailed":
                self._activity_done[attrs["activityId"]] = event_id
            elif event_type in _ACTIVITY_CLOSES:
                activity_id = self._activity_ids.get(attrs.get("scheduledEventId", 0))
                if activity_id is not None:
                    self._activity_done[activity_id] = event_id

    def timer_fired(self, timer_id: str) -> int | None:
        """The id of the ``TimerFired`` (or ``StartTimerFailed``) of ``timer_id``, if any."""
        return self._timers.get(timer_id)

    def signal(self, name: str, rank: int) -> int | None:
        """The id of the ``rank``-th (from 1) signal ``name`` received, if it came."""
        received = self._signals.get(name, [])
        return received[rank - 1] if len(received) >= rank else None

    def child_closed(self, workflow_id: str) -> int | None:
        """The id of the latest event that closed child ``workflow_id`` (or refused to start it)."""
        return self._child_closes.get(workflow_id)

    def activity_closed(self, activity_id: str) -> int | None:
        """The id of the latest close (or refused schedule) of activity ``activity_id``."""
        return self._activity_done.get(activity_id)

    def decision_time(self, event_id: int) -> datetime:
        """When the decision task that handles event ``event_id`` started (the event's time if none did)."""
        index = bisect.bisect_right(self._decision_starts, event_id)
        if index < len(self._decision_starts):
            return self._times[self._decision_starts[index]]
        if event_id in self._times:
            return self._times[event_id]
        # An event this index does not know (a future ended some other way): the latest decision task.
        latest = self._decision_starts[-1] if self._decision_starts else max(self._times)
        return self._times[latest]
