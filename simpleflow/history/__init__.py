"""An execution's SWF history, behind questions the executor can ask.

:class:`History` reads the events exactly as boto3 returns them (``eventId``, ``eventType``,
``eventTimestamp`` and one ``<eventType>EventAttributes`` mapping, see :func:`attributes_key`) and
answers per-task questions, flowy style: the state of an activity, a Lambda function or a child
workflow and of each of its attempts (:class:`TaskRecord`), timers, signals received and sent,
markers, cancel requests and refused closing decisions. The executor never reads raw events; other
readers (the CLI's ``workflow.tasks``, profiles) can use the same records.

Tasks are keyed by their SWF id (``activityId``, the Lambda ``id``, the child's ``workflowId``). An id
scheduled again after it closed (a retry) adds an :class:`Attempt` to the same record; a schedule
refused by SWF (``ScheduleActivityTaskFailed`` and its kin) is an attempt in state
``SCHEDULE_FAILED`` carrying SWF's ``cause``.

Pure: no I/O, and payloads (inputs, results, details) stay the strings SWF stores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from simpleflow.history.parser import EventFolder, attributes_key
from simpleflow.history.records import (
    Attempt,
    CancelRequest,
    DecisionFailure,
    ExternalRequest,
    ExternalState,
    MarkerRecord,
    SignalRecord,
    TaskKind,
    TaskRecord,
    TaskState,
    TimerRecord,
    TimerState,
    WorkflowStart,
)

__all__ = [
    "Attempt",
    "CancelRequest",
    "DecisionFailure",
    "ExternalRequest",
    "ExternalState",
    "History",
    "MarkerRecord",
    "SignalRecord",
    "TaskKind",
    "TaskRecord",
    "TaskState",
    "TimerRecord",
    "TimerState",
    "WorkflowStart",
    "attributes_key",
]


class History:
    """The query layer over one execution's events (all pages merged, oldest first)."""

    def __init__(self, events: Iterable[Mapping[str, Any]]) -> None:
        folder = EventFolder()
        self._take(tuple(events), folder)

    def extended(self, new_events: Iterable[Mapping[str, Any]]) -> History:
        """This history followed by ``new_events``, folding only those; this one is left unchanged.

        A decider that keeps a run's history between decision tasks folds each event once instead of
        once per decision task.
        """
        folder = self._folder.copy()
        history = History.__new__(History)
        history._take(tuple(new_events), folder, before=self.events, base=self)
        return history

    def _take(
        self,
        events: tuple[Mapping[str, Any], ...],
        folder: EventFolder,
        *,
        before: tuple[Mapping[str, Any], ...] = (),
        base: History | None = None,
    ) -> None:
        """Fold ``events`` into ``folder`` (which has folded ``before``) and become their snapshot.

        ``base`` is the history of ``before``: only the tasks the new events touched are made anew, so
        extending a long history costs what is new (and a copy of its indexes).
        """
        for event in events:
            folder.feed(event)
        self._folder = folder
        self.events: tuple[Mapping[str, Any], ...] = before + events
        if base is None:
            self._tasks: dict[tuple[TaskKind, str], TaskRecord] = {
                key: TaskRecord(key[0], key[1], tuple(attempts)) for key, attempts in folder.attempts.items()
            }
            self._open = Counter(record.kind for record in self._tasks.values() if record.state.is_open)
        else:
            self._tasks = dict(base._tasks)
            self._open = Counter(base._open)
            for key in folder.touched:
                old = self._tasks.get(key)
                if old is not None and old.state.is_open:
                    self._open[key[0]] -= 1
                record = self._tasks[key] = TaskRecord(key[0], key[1], tuple(folder.attempts[key]))
                if record.state.is_open:
                    self._open[key[0]] += 1
        self._timers = dict(folder.timers)
        self._signals = tuple(folder.signals)
        self._sent = tuple(sorted(folder.sent.values(), key=lambda request: request.event_id))
        self._markers = tuple(folder.markers)
        self._cancel_requests = tuple(folder.cancel_requests)
        self.decision_failures: tuple[DecisionFailure, ...] = tuple(folder.decision_failures)
        self.start: WorkflowStart | None = folder.start
        self.closed_by: str | None = folder.closed
        self.execution_context: str | None = folder.execution_context

    def __len__(self) -> int:
        return len(self.events)

    # -- tasks ----------------------------------------------------------------------------------------

    def task(self, kind: TaskKind, task_id: str) -> TaskRecord | None:
        """The record of a task id of that kind, ``None`` when the history never mentions it."""
        return self._tasks.get((kind, task_id))

    def activity(self, activity_id: str) -> TaskRecord | None:
        """The record of an activity id."""
        return self.task(TaskKind.ACTIVITY, activity_id)

    def lambda_function(self, lambda_id: str) -> TaskRecord | None:
        """The record of a Lambda function id."""
        return self.task(TaskKind.LAMBDA, lambda_id)

    def child_workflow(self, workflow_id: str) -> TaskRecord | None:
        """The record of a child workflow id."""
        return self.task(TaskKind.CHILD_WORKFLOW, workflow_id)

    def tasks(self, kind: TaskKind | None = None) -> list[TaskRecord]:
        """Every task record (of ``kind`` when given), in the order they were first scheduled."""
        records = [record for record in self._tasks.values() if kind is None or record.kind is kind]
        return sorted(records, key=lambda record: record.attempts[0].scheduled_event_id)

    def is_running(self, kind: TaskKind, task_id: str) -> bool:
        """True when the task's latest attempt is scheduled or started."""
        record = self.task(kind, task_id)
        return record is not None and record.state.is_open

    def has_result(self, kind: TaskKind, task_id: str) -> bool:
        """True when the task's latest attempt completed."""
        record = self.task(kind, task_id)
        return record is not None and record.state is TaskState.COMPLETED

    def is_error(self, kind: TaskKind, task_id: str) -> bool:
        """True when the task's latest attempt failed, timed out, was refused or terminated."""
        record = self.task(kind, task_id)
        return record is not None and record.state in (
            TaskState.FAILED,
            TaskState.TIMED_OUT,
            TaskState.SCHEDULE_FAILED,
            TaskState.TERMINATED,
        )

    def open_activity_count(self) -> int:
        """How many activities are scheduled or started right now (SWF caps this at 1,000)."""
        return self._open[TaskKind.ACTIVITY]

    def open_count(self, kind: TaskKind) -> int:
        """How many tasks of ``kind`` are scheduled or started (kept as events fold: no scan)."""
        return self._open[kind]

    def open_child_workflows(self) -> list[TaskRecord]:
        """The child workflows started (or starting) and not closed, in start order."""
        return [record for record in self.tasks(TaskKind.CHILD_WORKFLOW) if record.state.is_open]

    # -- timers, signals, markers, cancel requests ------------------------------------------------------

    def timer(self, timer_id: str) -> TimerRecord | None:
        """The latest use of a timer id, ``None`` when never started."""
        return self._timers.get(timer_id)

    def timers(self) -> list[TimerRecord]:
        """Every timer id's latest record, in start order."""
        return sorted(self._timers.values(), key=lambda record: record.event_id)

    def signals(self, name: str | None = None) -> list[SignalRecord]:
        """The signals received (named ``name`` when given), oldest first."""
        return [signal for signal in self._signals if name is None or signal.name == name]

    def sent_requests(self) -> list[ExternalRequest]:
        """The signals and cancel requests this execution sent to executions, in order."""
        return list(self._sent)

    def sent_request(self, control: str) -> ExternalRequest | None:
        """The latest signal or cancel request sent with this ``control`` value."""
        for request in reversed(self._sent):
            if request.control == control:
                return request
        return None

    def markers(self, name: str | None = None) -> list[MarkerRecord]:
        """The markers recorded (named ``name`` when given), oldest first; failed ones included."""
        return [marker for marker in self._markers if name is None or marker.name == name]

    @property
    def cancel_requested(self) -> CancelRequest | None:
        """The first cancel request of this execution, ``None`` when nobody asked."""
        return self._cancel_requests[0] if self._cancel_requests else None
