"""The execution's tasks table and timeline, from the whole history read page by page.

The history is folded by :mod:`simpleflow.history` (the replay's own reading) and summarised by
:mod:`simpleflow.inspection.tasks`; the timeline is drawn by :mod:`simpleflow.inspection.timeline`.
What the console adds is rows the renderer knows nothing of: one per earlier (failed) attempt of a
task, one per signal received, the run itself with a tick where it closed, and timers drawn as waiting
(pale, until they fire) rather than as running.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from simpleflow.history.parser import EventFolder
from simpleflow.history.records import TaskRecord
from simpleflow.inspection.tasks import TIMER, TaskStatus, TaskSummary, summarize_task, summarize_timer
from simpleflow.inspection.timeline import render_svg
from simpleflow.swf.models import WorkflowExecution

HISTORY_PAGE = 1000
_CLOSE_STATUS = {
    "WorkflowExecutionCompleted": TaskStatus.COMPLETED,
    "WorkflowExecutionContinuedAsNew": TaskStatus.COMPLETED,
    "WorkflowExecutionFailed": TaskStatus.FAILED,
    "WorkflowExecutionTimedOut": TaskStatus.TIMED_OUT,
    "WorkflowExecutionCanceled": TaskStatus.CANCELED,
    "WorkflowExecutionTerminated": TaskStatus.TERMINATED,
}


@dataclass(frozen=True)
class Signal:
    """A signal the run received."""

    name: str
    event_id: int
    timestamp: datetime
    input: str | None


@dataclass
class ExecutionTasks:
    """Every task of a run (last attempt each), the earlier attempts, the signals and how it closed."""

    tasks: list[TaskSummary]
    earlier_attempts: list[TaskSummary]
    signals: list[Signal] = field(default_factory=list)
    start: datetime | None = None
    close: datetime | None = None
    close_type: str | None = None
    last_event_time: datetime | None = None


def collect(execution: WorkflowExecution) -> ExecutionTasks:
    """Read the whole history of ``execution`` (in pages of :data:`HISTORY_PAGE` events) and summarise it."""
    folder = EventFolder()
    signals: list[Signal] = []
    first_time: datetime | None = None
    last: dict[str, Any] = {}
    for page in execution.iter_history_pages(page_size=HISTORY_PAGE):
        for event in page:
            folder.feed(event)
            if event["eventType"] == "WorkflowExecutionSignaled":
                attributes = event["workflowExecutionSignaledEventAttributes"]
                signals.append(
                    Signal(
                        attributes["signalName"],
                        event["eventId"],
                        event["eventTimestamp"],
                        attributes.get("input"),
                    )
                )
        if page:
            first_time = first_time or page[0]["eventTimestamp"]
            last = page[-1]
    keyed: list[tuple[tuple[Any, int], TaskSummary]] = []
    earlier: list[TaskSummary] = []
    for (kind, task_id), attempts in folder.attempts.items():
        keyed.append(
            (
                (attempts[0].scheduled_at, attempts[0].scheduled_event_id or 0),
                summarize_task(TaskRecord(kind, task_id, tuple(attempts))),
            )
        )
        for number, attempt in enumerate(attempts[:-1], start=1):
            summary = summarize_task(TaskRecord(kind, task_id, (attempt,)))
            earlier.append(dataclasses.replace(summary, task_id=f"{task_id} (attempt {number})"))
    keyed.extend(
        ((timer.started_at, timer.event_id), summarize_timer(timer)) for timer in folder.timers.values()
    )
    close_type = str(last.get("eventType")) if last.get("eventType") in _CLOSE_STATUS else None
    return ExecutionTasks(
        tasks=[summary for _, summary in sorted(keyed, key=lambda item: item[0])],
        earlier_attempts=earlier,
        signals=signals,
        start=first_time,
        close=last.get("eventTimestamp") if close_type else None,
        close_type=close_type,
        last_event_time=last.get("eventTimestamp"),
    )


def _as_waiting(timer: TaskSummary) -> TaskSummary:
    # The renderer draws the span after ``started_time`` as running; a timer only waits.
    return dataclasses.replace(timer, started_time=None)


def timeline_rows(found: ExecutionTasks) -> list[TaskSummary]:
    """The rows of the console's timeline, in time order (see the module docstring)."""
    rows = [_as_waiting(task) if task.kind == TIMER else task for task in found.tasks]
    rows.extend(found.earlier_attempts)
    rows.extend(
        TaskSummary(
            task_id=f"signal {signal.name}",
            kind="signal",
            name="signals",
            version=None,
            status=TaskStatus.COMPLETED,
            scheduled_time=signal.timestamp,
            closed_time=signal.timestamp,
            input=signal.input,
        )
        for signal in found.signals
    )
    if found.start is not None:
        status = _CLOSE_STATUS.get(found.close_type or "", TaskStatus.STARTED)
        rows.append(
            TaskSummary(
                task_id="workflow run",
                kind="workflow",
                name="workflow",
                version=None,
                status=status,
                scheduled_time=found.start,
                started_time=found.start,
                closed_time=found.close,
            )
        )
        if found.close is not None and found.close_type is not None:
            rows.append(
                TaskSummary(
                    task_id=f"closed: {found.close_type.removeprefix('WorkflowExecution').lower()}",
                    kind="workflow",
                    name="workflow",
                    version=None,
                    status=status,
                    scheduled_time=found.close,
                    closed_time=found.close,
                )
            )
    return sorted(rows, key=lambda row: (row.scheduled_time, row.kind != "workflow"))


def timeline_svg(found: ExecutionTasks, *, title: str, now: datetime | None = None) -> str:
    """The timeline picture as SVG. An open run's open tasks are drawn up to ``now`` (default: the
    wall clock), a closed run's picture ends at its close."""
    if found.close_type is not None:
        end = found.last_event_time
    else:
        end = now or datetime.now(timezone.utc)
        if found.last_event_time is not None:
            end = max(end, found.last_event_time)
    return render_svg(timeline_rows(found), title=title, now=end)
