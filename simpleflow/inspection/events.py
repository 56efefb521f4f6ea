"""SWF events told for people: the "cooked" history view of ``workflow.history --of cooked``.

:class:`EventNarrator` turns each event into the task it concerns and a short sentence
(``activity-inc-1 completed``), remembering the task ids of scheduling events as it goes so that a
completion names its task rather than an event id. It holds one small entry per task, never the events,
so it can follow a history page by page. Pure: no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

# Event types that name their task directly, and the attribute holding its id.
_TASK_ID_ATTRIBUTES = {
    "ActivityTaskScheduled": "activityId",
    "ScheduleActivityTaskFailed": "activityId",
    "ActivityTaskCancelRequested": "activityId",
    "RequestCancelActivityTaskFailed": "activityId",
    "LambdaFunctionScheduled": "id",
    "ScheduleLambdaFunctionFailed": "id",
    "StartChildWorkflowExecutionInitiated": "workflowId",
    "StartChildWorkflowExecutionFailed": "workflowId",
    "TimerStarted": "timerId",
    "TimerFired": "timerId",
    "TimerCanceled": "timerId",
    "StartTimerFailed": "timerId",
    "CancelTimerFailed": "timerId",
    "MarkerRecorded": "markerName",
    "RecordMarkerFailed": "markerName",
    "WorkflowExecutionSignaled": "signalName",
    "SignalExternalWorkflowExecutionInitiated": "workflowId",
    "RequestCancelExternalWorkflowExecutionInitiated": "workflowId",
}
# Event types that name their task by the id of an earlier event, and the attribute holding it.
_REFERENCE_ATTRIBUTES = ("scheduledEventId", "initiatedEventId", "startedEventId")
# The attributes worth a glance, in the order they are shown.
_DETAIL_ATTRIBUTES = ("input", "result", "reason", "details", "cause", "timeoutType", "identity", "control")
_DETAIL_LIMIT = 120


@dataclass(frozen=True)
class NarratedEvent:
    """One event as the cooked view shows it."""

    event_id: int
    timestamp: datetime
    task_id: str | None
    summary: str
    details: str | None


def event_attributes(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``<eventType>EventAttributes`` member of an event (empty when absent)."""
    event_type = str(event["eventType"])
    attributes: Mapping[str, Any] = (
        event.get(event_type[0].lower() + event_type[1:] + "EventAttributes") or {}
    )
    return attributes


def _words(event_type: str) -> str:
    return _CAMEL_BOUNDARY.sub(" ", event_type).lower()


def _shorten(text: str) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= _DETAIL_LIMIT else text[: _DETAIL_LIMIT - 3] + "..."


class EventNarrator:
    """Narrates events in the order given; see the module docstring."""

    def __init__(self) -> None:
        self._task_of_event: dict[int, str] = {}

    def narrate(self, event: Mapping[str, Any]) -> NarratedEvent:
        """The cooked form of ``event``."""
        event_type = str(event["eventType"])
        attributes = event_attributes(event)
        event_id = int(event["eventId"])
        task_id: str | None = None
        id_attribute = _TASK_ID_ATTRIBUTES.get(event_type)
        if id_attribute is not None:
            task_id = attributes.get(id_attribute)
            if task_id is not None:
                self._task_of_event[event_id] = str(task_id)
        elif event_type.startswith("DecisionTask"):
            # Decision tasks are the decider's turns, not tasks of the workflow: no task to name.
            pass
        elif "workflowExecution" in attributes and event_type.startswith("ChildWorkflowExecution"):
            task_id = attributes["workflowExecution"].get("workflowId")
        else:
            for reference in _REFERENCE_ATTRIBUTES:
                if reference in attributes:
                    task_id = self._task_of_event.get(int(attributes[reference]))
                    if task_id is None:
                        task_id = f"#{attributes[reference]}"
                    break
        if task_id is not None and event_type in ("ActivityTaskStarted", "LambdaFunctionStarted"):
            self._task_of_event[event_id] = str(task_id)
        summary = _words(event_type)
        if task_id is not None:
            summary = f"{task_id}: {summary}"
        return NarratedEvent(
            event_id=event_id,
            timestamp=event["eventTimestamp"],
            task_id=None if task_id is None else str(task_id),
            summary=summary,
            details=self._details(attributes),
        )

    @staticmethod
    def _details(attributes: Mapping[str, Any]) -> str | None:
        parts = []
        for name in _DETAIL_ATTRIBUTES:
            value = attributes.get(name)
            if value in (None, ""):
                continue
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            parts.append(f"{name}={_shorten(text)}")
        return " ".join(parts) or None
