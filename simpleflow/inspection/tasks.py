"""A per-task summary of an execution for people: what ran, when, how long, how it ended.

The history is read by :mod:`simpleflow.history` (the same folding the replay executor relies on);
this module only flattens its records for display: one :class:`TaskSummary` per activity, Lambda
function, child workflow or timer, with the times of the last attempt and the number of attempts.
:class:`TaskCollector` is fed event by event, so a long history is summarised page by page without
keeping its events. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from simpleflow.history.parser import EventFolder
from simpleflow.history.records import TaskRecord, TaskState, TimerRecord, TimerState
from simpleflow.task import INTERNAL_TIMER_PREFIX

TIMER = "timer"


class TaskStatus(str, Enum):
    """The last state of a task as the CLI shows it (simpleflow's lower-case words)."""

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

    @property
    def is_closed(self) -> bool:
        """Whether the task has ended (successfully or not)."""
        return self not in (TaskStatus.SCHEDULED, TaskStatus.STARTED, TaskStatus.CANCEL_REQUESTED)


_STATUS_OF_TASK = {state: TaskStatus[state.name] for state in TaskState}
_STATUS_OF_TIMER = {
    TimerState.STARTED: TaskStatus.STARTED,
    TimerState.FIRED: TaskStatus.FIRED,
    TimerState.CANCELED: TaskStatus.CANCELED,
    TimerState.START_FAILED: TaskStatus.SCHEDULE_FAILED,
}


@dataclass(frozen=True)
class TaskSummary:
    """One task of an execution. Times are those of the last attempt; ``None`` when not reached yet.

    ``kind`` is ``activity``, ``lambda``, ``child_workflow`` or ``timer``. ``scheduled_time`` is when SWF
    recorded the schedule (a timer: its start), ``started_time`` when a worker (SWF, for a child or a
    timer) started it, ``closed_time`` when it ended; ``worker`` is the identity the activity worker that
    started the last attempt polled with (``host:pid`` for simpleflow's).
    """

    task_id: str
    kind: str
    name: str
    version: str | None
    status: TaskStatus
    scheduled_time: datetime
    started_time: datetime | None = None
    closed_time: datetime | None = None
    first_scheduled_time: datetime | None = None
    attempts: int = 1
    scheduled_event_id: int | None = None
    input: str | None = None
    result: str | None = None
    reason: str | None = None
    details: str | None = None
    timeout_type: str | None = None
    run_id: str | None = None
    worker: str | None = None

    @property
    def is_internal(self) -> bool:
        """Whether simpleflow started this task for itself (a wake-up or retry-delay timer), not the user."""
        return self.kind == TIMER and self.task_id.startswith(INTERNAL_TIMER_PREFIX)

    @property
    def last_state_time(self) -> datetime:
        """When the task reached its current state."""
        return self.closed_time or self.started_time or self.scheduled_time

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


def summarize_task(record: TaskRecord) -> TaskSummary:
    """The summary of a :class:`simpleflow.history.TaskRecord` (its last attempt)."""
    last = record.last
    status = _STATUS_OF_TASK[last.state]
    if last.cancel_requested and status in (TaskStatus.SCHEDULED, TaskStatus.STARTED):
        status = TaskStatus.CANCEL_REQUESTED
    first = record.attempts[0]
    scheduled = last.scheduled_at or last.closed_at
    assert scheduled is not None, "SWF events always carry a timestamp"
    return TaskSummary(
        task_id=record.task_id,
        kind=record.kind.value,
        name=last.name or (record.scheduled.name if record.scheduled else None) or "",
        version=last.version,
        status=status,
        scheduled_time=scheduled,
        started_time=last.started_at,
        closed_time=last.closed_at,
        first_scheduled_time=first.scheduled_at,
        attempts=len(record.attempts),
        scheduled_event_id=last.scheduled_event_id,
        input=last.input,
        result=last.result,
        reason=last.reason or last.cause,
        details=last.details,
        timeout_type=last.timeout_type,
        run_id=last.run_id,
        worker=last.worker,
    )


def summarize_timer(record: TimerRecord) -> TaskSummary:
    """The summary of a timer: it starts running when it is started, and closes when it fires."""
    started = record.started_at or record.closed_at
    assert started is not None, "SWF events always carry a timestamp"
    return TaskSummary(
        task_id=record.timer_id,
        kind=TIMER,
        name=record.timer_id,
        version=None,
        status=_STATUS_OF_TIMER[record.state],
        scheduled_time=started,
        started_time=started if record.state is not TimerState.START_FAILED else None,
        closed_time=record.closed_at,
        first_scheduled_time=started,
        scheduled_event_id=record.event_id,
        input=record.start_to_fire_timeout,
        reason=record.cause,
    )


class TaskCollector:
    """Feeds events, oldest first, to the history's folder; :attr:`summaries` at any point."""

    def __init__(self) -> None:
        self._folder = EventFolder()

    def add(self, event: Mapping[str, Any]) -> None:
        """Account for one event; events that concern no task are ignored."""
        self._folder.feed(event)

    @property
    def summaries(self) -> list[TaskSummary]:
        """The tasks seen so far, in history order: by first schedule time, then first event id."""
        folder = self._folder
        keyed: list[tuple[tuple[Any, int], TaskSummary]] = [
            (
                (attempts[0].scheduled_at, attempts[0].scheduled_event_id),
                summarize_task(TaskRecord(kind, task_id, tuple(attempts))),
            )
            for (kind, task_id), attempts in folder.attempts.items()
        ]
        keyed.extend(
            ((timer.started_at, timer.event_id), summarize_timer(timer)) for timer in folder.timers.values()
        )
        return [summary for _, summary in sorted(keyed, key=lambda item: item[0])]


def collect_tasks(events: Iterable[Mapping[str, Any]]) -> list[TaskSummary]:
    """The task summaries of a history given oldest event first."""
    collector = TaskCollector()
    for event in events:
        collector.add(event)
    return collector.summaries


def find_task(summaries: Iterable[TaskSummary], task_id: str) -> TaskSummary | None:
    """The summary whose id is ``task_id``, or None."""
    return next((summary for summary in summaries if summary.task_id == task_id), None)
