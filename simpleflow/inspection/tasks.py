"""A per-task view of an execution's history, for people: what ran, when, how long, and how it ended.

:func:`collect_tasks` folds SWF events (boto3's shape: ``eventType``, ``eventId``, ``eventTimestamp`` and
the ``<type>EventAttributes``) into one :class:`TaskRecord` per task: activities, child workflows,
timers and Lambda functions. A task scheduled again under the same id (a retry) stays one record whose
``attempts`` counts the schedules and whose times are those of the last attempt.

This is the inspection side of history parsing: it keeps timestamps, attempts and payload texts for
display. The replay executor asks its own questions of the history and never reads these records.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Any


class TaskKind(str, Enum):
    """What kind of task a record describes."""

    ACTIVITY = "activity"
    CHILD_WORKFLOW = "child_workflow"
    TIMER = "timer"
    LAMBDA = "lambda"


class TaskState(str, Enum):
    """The last state of a task, as simpleflow shows it."""

    SCHEDULED = "scheduled"
    STARTED = "started"
    CANCEL_REQUESTED = "cancel_requested"
    COMPLETED = "completed"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELED = "canceled"
    TERMINATED = "terminated"
    FIRED = "fired"
    SCHEDULE_FAILED = "schedule_failed"
    START_FAILED = "start_failed"

    @property
    def is_closed(self) -> bool:
        """Whether the task has ended (successfully or not)."""
        return self not in (TaskState.SCHEDULED, TaskState.STARTED, TaskState.CANCEL_REQUESTED)


@dataclass(frozen=True)
class TaskRecord:
    """One task of an execution. Times are those of the last attempt; ``None`` when not reached yet.

    ``scheduled_time`` is when SWF recorded the schedule (for a timer: when it started), ``started_time``
    when a worker (or SWF, for a child or a timer) started it, ``closed_time`` when it ended.
    """

    task_id: str
    kind: TaskKind
    name: str
    version: str | None
    state: TaskState
    scheduled_time: datetime
    last_state_time: datetime
    started_time: datetime | None = None
    closed_time: datetime | None = None
    first_scheduled_time: datetime | None = None
    attempts: int = 1
    scheduled_event_id: int | None = None
    task_list: str | None = None
    input: str | None = None
    result: str | None = None
    reason: str | None = None
    details: str | None = None
    timeout_type: str | None = None
    worker: str | None = None
    run_id: str | None = None

    @property
    def waiting_seconds(self) -> float | None:
        """Seconds between schedule and start (None when it never started)."""
        if self.started_time is None:
            return None
        return (self.started_time - self.scheduled_time).total_seconds()

    @property
    def running_seconds(self) -> float | None:
        """Seconds between start and end (None unless both happened)."""
        if self.started_time is None or self.closed_time is None:
            return None
        return (self.closed_time - self.started_time).total_seconds()


_STATE_OF_CLOSE = {
    "Completed": TaskState.COMPLETED,
    "Failed": TaskState.FAILED,
    "TimedOut": TaskState.TIMED_OUT,
    "Canceled": TaskState.CANCELED,
    "Terminated": TaskState.TERMINATED,
}


def _attributes(event: Mapping[str, Any]) -> Mapping[str, Any]:
    event_type = str(event["eventType"])
    key = event_type[0].lower() + event_type[1:] + "EventAttributes"
    attributes: Mapping[str, Any] = event.get(key) or {}
    return attributes


class TaskCollector:
    """Folds events, in history order, into task records; feed it page by page with :meth:`add`."""

    def __init__(self) -> None:
        self._records: dict[tuple[TaskKind, str], TaskRecord] = {}
        # Close and start events name their task by the event id of its schedule (or initiation).
        self._by_event_id: dict[int, tuple[TaskKind, str]] = {}

    def add(self, event: Mapping[str, Any]) -> None:
        """Account for one event; events that concern no task are ignored."""
        event_type = str(event["eventType"])
        attributes = _attributes(event)
        when: datetime = event["eventTimestamp"]
        event_id = int(event["eventId"])
        if event_type == "ActivityTaskScheduled":
            activity_type = attributes.get("activityType", {})
            self._schedule(
                (TaskKind.ACTIVITY, attributes["activityId"]),
                event_id=event_id,
                when=when,
                name=activity_type.get("name", ""),
                version=activity_type.get("version"),
                task_list=attributes.get("taskList", {}).get("name"),
                task_input=attributes.get("input"),
            )
        elif event_type == "LambdaFunctionScheduled":
            self._schedule(
                (TaskKind.LAMBDA, attributes["id"]),
                event_id=event_id,
                when=when,
                name=attributes.get("name", ""),
                version=None,
                task_list=None,
                task_input=attributes.get("input"),
            )
        elif event_type == "StartChildWorkflowExecutionInitiated":
            workflow_type = attributes.get("workflowType", {})
            self._schedule(
                (TaskKind.CHILD_WORKFLOW, attributes["workflowId"]),
                event_id=event_id,
                when=when,
                name=workflow_type.get("name", ""),
                version=workflow_type.get("version"),
                task_list=attributes.get("taskList", {}).get("name"),
                task_input=attributes.get("input"),
            )
        elif event_type == "TimerStarted":
            timer_key = (TaskKind.TIMER, str(attributes["timerId"]))
            self._schedule(
                timer_key,
                event_id=event_id,
                when=when,
                name=attributes["timerId"],
                version=None,
                task_list=None,
                task_input=attributes.get("startToFireTimeout"),
            )
            # A timer runs from the moment it is started: no queue to wait in.
            self._update(timer_key, state=TaskState.STARTED, when=when, started_time=when)
        elif event_type in ("ScheduleActivityTaskFailed", "ScheduleLambdaFunctionFailed"):
            kind = TaskKind.ACTIVITY if event_type.startswith("ScheduleActivity") else TaskKind.LAMBDA
            task_id = attributes.get("activityId") or attributes.get("id") or ""
            name = attributes.get("activityType", {}).get("name") or attributes.get("name") or ""
            self._fail_to_schedule(
                (kind, task_id), when=when, name=name, event_id=event_id, cause=attributes.get("cause")
            )
        elif event_type == "StartChildWorkflowExecutionFailed":
            self._fail_to_schedule(
                (TaskKind.CHILD_WORKFLOW, attributes.get("workflowId", "")),
                when=when,
                name=attributes.get("workflowType", {}).get("name", ""),
                event_id=event_id,
                cause=attributes.get("cause"),
            )
        elif event_type == "StartTimerFailed":
            self._fail_to_schedule(
                (TaskKind.TIMER, attributes.get("timerId", "")),
                when=when,
                name=attributes.get("timerId", ""),
                event_id=event_id,
                cause=attributes.get("cause"),
            )
        elif event_type in ("ActivityTaskStarted", "LambdaFunctionStarted"):
            key = self._by_event_id.get(int(attributes.get("scheduledEventId", -1)))
            if key:
                self._update(
                    key,
                    state=TaskState.STARTED,
                    when=when,
                    started_time=when,
                    worker=attributes.get("identity"),
                )
        elif event_type == "ChildWorkflowExecutionStarted":
            key = self._by_event_id.get(int(attributes.get("initiatedEventId", -1)))
            if key:
                run_id = attributes.get("workflowExecution", {}).get("runId")
                self._update(key, state=TaskState.STARTED, when=when, started_time=when, run_id=run_id)
        elif event_type == "StartLambdaFunctionFailed":
            key = self._by_event_id.get(int(attributes.get("scheduledEventId", -1)))
            if key:
                self._close(key, TaskState.START_FAILED, when, reason=attributes.get("cause"))
                self._update(key, details=attributes.get("message"))
        elif event_type == "ActivityTaskCancelRequested":
            key = (TaskKind.ACTIVITY, attributes.get("activityId", ""))
            if key in self._records and not self._records[key].state.is_closed:
                self._update(key, state=TaskState.CANCEL_REQUESTED, when=when)
        elif event_type == "TimerFired":
            self._close((TaskKind.TIMER, attributes.get("timerId", "")), TaskState.FIRED, when)
        elif event_type == "TimerCanceled":
            self._close((TaskKind.TIMER, attributes.get("timerId", "")), TaskState.CANCELED, when)
        else:
            self._maybe_close(event_type, attributes, when)

    def _maybe_close(self, event_type: str, attributes: Mapping[str, Any], when: datetime) -> None:
        for prefix, id_field in (
            ("ActivityTask", "scheduledEventId"),
            ("LambdaFunction", "scheduledEventId"),
            ("ChildWorkflowExecution", "initiatedEventId"),
        ):
            outcome = event_type.removeprefix(prefix)
            if outcome == event_type or outcome not in _STATE_OF_CLOSE:
                continue
            key = self._by_event_id.get(int(attributes.get(id_field, -1)))
            if key is None:
                return
            self._close(
                key,
                _STATE_OF_CLOSE[outcome],
                when,
                result=attributes.get("result"),
                reason=attributes.get("reason"),
                details=attributes.get("details"),
                timeout_type=attributes.get("timeoutType"),
            )
            return

    def _schedule(
        self,
        key: tuple[TaskKind, str],
        *,
        event_id: int,
        when: datetime,
        name: str,
        version: str | None,
        task_list: str | None,
        task_input: str | None,
    ) -> None:
        previous = self._records.get(key)
        self._records[key] = TaskRecord(
            task_id=key[1],
            kind=key[0],
            name=name,
            version=version,
            state=TaskState.SCHEDULED,
            scheduled_time=when,
            last_state_time=when,
            first_scheduled_time=previous.first_scheduled_time if previous else when,
            attempts=previous.attempts + 1 if previous else 1,
            scheduled_event_id=event_id,
            task_list=task_list,
            input=task_input,
        )
        self._by_event_id[event_id] = key

    def _fail_to_schedule(
        self, key: tuple[TaskKind, str], *, when: datetime, name: str, event_id: int, cause: str | None
    ) -> None:
        if key not in self._records:
            self._schedule(
                key, event_id=event_id, when=when, name=name, version=None, task_list=None, task_input=None
            )
        self._close(key, TaskState.SCHEDULE_FAILED, when, reason=cause)

    def _update(self, key: tuple[TaskKind, str], *, when: datetime | None = None, **changes: Any) -> None:
        record = self._records.get(key)
        if record is None:
            return
        if when is not None:
            changes["last_state_time"] = when
        self._records[key] = replace(record, **{k: v for k, v in changes.items() if v is not None})

    def _close(self, key: tuple[TaskKind, str], state: TaskState, when: datetime, **changes: Any) -> None:
        self._update(key, state=state, when=when, closed_time=when, **changes)

    @property
    def records(self) -> list[TaskRecord]:
        """The tasks seen so far, ordered by their first schedule (then by id)."""
        return sorted(
            self._records.values(),
            key=lambda record: (record.first_scheduled_time or record.scheduled_time, record.task_id),
        )


def collect_tasks(events: Iterable[Mapping[str, Any]]) -> list[TaskRecord]:
    """The task records of a history given oldest event first."""
    collector = TaskCollector()
    for event in events:
        collector.add(event)
    return collector.records


def find_task(records: Iterable[TaskRecord], task_id: str) -> TaskRecord | None:
    """The record whose id is ``task_id``, or None."""
    return next((record for record in records if record.task_id == task_id), None)
