"""Folds boto3-shaped SWF events into the records of :mod:`simpleflow.history.records`.

Handlers are named ``on_<eventType>`` after SWF's own event type names, so that the dispatch is a
name lookup and a grep for an event type finds its handler; hence the CamelCase method names. The
events that close a task attempt differ only in the attributes they keep, so they are rows of
``_TASK_CLOSINGS`` instead (found by the same grep).
"""

# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from simpleflow.history.records import (
    Attempt,
    CancelRequest,
    DecisionFailure,
    ExternalRequest,
    ExternalState,
    MarkerRecord,
    SignalRecord,
    TaskKind,
    TaskState,
    TimerRecord,
    TimerState,
    WorkflowStart,
)


def attributes_key(event_type: str) -> str:
    """The key holding an event's attributes: ``ActivityTaskScheduled`` -> ``activityTask...Attributes``."""
    return event_type[0].lower() + event_type[1:] + "EventAttributes"


_CLOSING_DECISION_FAILURES = frozenset(
    {
        "CompleteWorkflowExecutionFailed",
        "FailWorkflowExecutionFailed",
        "CancelWorkflowExecutionFailed",
        "ContinueAsNewWorkflowExecutionFailed",
    }
)

# How the events that close an attempt of a task record its outcome: the attribute naming the event that
# scheduled (or initiated) the attempt, the attempt's new state, and the event attributes kept on it
# (attempt field -> event attribute). Every such event also sets ``closed_at``.
_TASK_CLOSINGS: dict[str, tuple[str, TaskState, dict[str, str]]] = {
    "ActivityTaskCompleted": ("scheduledEventId", TaskState.COMPLETED, {"result": "result"}),
    "ActivityTaskFailed": ("scheduledEventId", TaskState.FAILED, {"reason": "reason", "details": "details"}),
    "ActivityTaskTimedOut": (
        "scheduledEventId",
        TaskState.TIMED_OUT,
        {"timeout_type": "timeoutType", "details": "details"},
    ),
    "ActivityTaskCanceled": ("scheduledEventId", TaskState.CANCELED, {"details": "details"}),
    "LambdaFunctionCompleted": ("scheduledEventId", TaskState.COMPLETED, {"result": "result"}),
    "LambdaFunctionFailed": (
        "scheduledEventId",
        TaskState.FAILED,
        {"reason": "reason", "details": "details"},
    ),
    "LambdaFunctionTimedOut": ("scheduledEventId", TaskState.TIMED_OUT, {"timeout_type": "timeoutType"}),
    "ChildWorkflowExecutionCompleted": ("initiatedEventId", TaskState.COMPLETED, {"result": "result"}),
    "ChildWorkflowExecutionFailed": (
        "initiatedEventId",
        TaskState.FAILED,
        {"reason": "reason", "details": "details"},
    ),
    "ChildWorkflowExecutionTimedOut": (
        "initiatedEventId",
        TaskState.TIMED_OUT,
        {"timeout_type": "timeoutType"},
    ),
    "ChildWorkflowExecutionCanceled": ("initiatedEventId", TaskState.CANCELED, {"details": "details"}),
    "ChildWorkflowExecutionTerminated": ("initiatedEventId", TaskState.TERMINATED, {}),
}


def _scheduled(
    event_id: int, attrs: Mapping[str, Any], *, at: Any, name: str, version: str | None = None
) -> Attempt:
    """The attempt a schedule (or child start) event opens, with the input and control it was sent."""
    return Attempt(
        TaskState.SCHEDULED,
        event_id,
        at,
        name=name,
        version=version,
        input=attrs.get("input"),
        control=attrs.get("control"),
    )


def _refused(
    event_id: int,
    attrs: Mapping[str, Any],
    *,
    at: Any,
    name: str | None,
    version: str | None = None,
    control: str | None = None,
) -> Attempt:
    """The attempt a refused schedule (or child start) leaves: closed at once, with SWF's cause."""
    return Attempt(
        TaskState.SCHEDULE_FAILED,
        event_id,
        at,
        name=name,
        version=version,
        control=control,
        closed_at=at,
        cause=attrs.get("cause"),
    )


_Record = TypeVar("_Record")


def _replaced(record: _Record, **changes: Any) -> _Record:
    """``dataclasses.replace`` for the frozen records, without its per-call field inspection.

    Folding a long history replaces a record for nearly every event; ``dataclasses.replace`` re-reads
    the class's fields and re-runs ``__init__`` each time, which made it most of the cost of a replay.
    The records have no ``__post_init__``, so a copy of the instance dictionary is equivalent.
    """
    unknown = changes.keys() - record.__dataclass_fields__.keys()  # type: ignore[attr-defined]
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field {', '.join(sorted(unknown))}")
    copy = object.__new__(type(record))
    copy.__dict__.update(record.__dict__, **changes)
    return copy


@dataclass
class EventFolder:
    """Folds events into records, one :meth:`feed` per event; mutable while folding, records are frozen."""

    attempts: dict[tuple[TaskKind, str], list[Attempt]] = field(default_factory=dict)
    by_event: dict[int, tuple[TaskKind, str, int]] = field(default_factory=dict)
    timers: dict[str, TimerRecord] = field(default_factory=dict)
    signals: list[SignalRecord] = field(default_factory=list)
    sent: dict[int, ExternalRequest] = field(default_factory=dict)
    markers: list[MarkerRecord] = field(default_factory=list)
    cancel_requests: list[CancelRequest] = field(default_factory=list)
    decision_failures: list[DecisionFailure] = field(default_factory=list)
    start: WorkflowStart | None = None
    closed: str | None = None
    execution_context: str | None = None
    #: The tasks whose attempts changed since this folder was made (by :meth:`copy` or anew).
    touched: dict[tuple[TaskKind, str], None] = field(default_factory=dict, compare=False, repr=False)
    #: The attempt lists this folder may change in place; the others it shares with the folder it was
    #: copied from, and copies before the first change (a long history's copy stays cheap).
    _owned: set[tuple[TaskKind, str]] | None = field(default=None, compare=False, repr=False)

    def copy(self) -> EventFolder:
        """A folder in the same state that folds on independently (the records are immutable)."""
        return EventFolder(
            attempts=dict(self.attempts),
            by_event=dict(self.by_event),
            timers=dict(self.timers),
            signals=list(self.signals),
            sent=dict(self.sent),
            markers=list(self.markers),
            cancel_requests=list(self.cancel_requests),
            decision_failures=list(self.decision_failures),
            start=self.start,
            closed=self.closed,
            execution_context=self.execution_context,
            _owned=set(),
        )

    # -- tasks --------------------------------------------------------------------------------------

    def _own(self, key: tuple[TaskKind, str]) -> list[Attempt]:
        """The attempts of ``key``, safe to change in place (copied once if shared)."""
        self.touched[key] = None
        attempts = self.attempts.get(key)
        if attempts is None:
            attempts = self.attempts[key] = []
            if self._owned is not None:
                self._owned.add(key)
        elif self._owned is not None and key not in self._owned:
            attempts = self.attempts[key] = list(attempts)
            self._owned.add(key)
        return attempts

    def open_attempt(self, kind: TaskKind, task_id: str, attempt: Attempt) -> None:
        attempts = self._own((kind, task_id))
        attempts.append(attempt)
        if attempt.state is not TaskState.SCHEDULE_FAILED:
            self.by_event[attempt.scheduled_event_id] = (kind, task_id, len(attempts) - 1)

    def update(self, scheduled_event_id: int, **changes: Any) -> None:
        located = self.by_event.get(scheduled_event_id)
        if located is None:
            return  # a partial history (or a foreign event): nothing to attach it to
        kind, task_id, index = located
        attempts = self._own((kind, task_id))
        attempts[index] = _replaced(attempts[index], **changes)

    def update_latest(self, kind: TaskKind, task_id: str, **changes: Any) -> None:
        if self.attempts.get((kind, task_id)):
            attempts = self._own((kind, task_id))
            attempts[-1] = _replaced(attempts[-1], **changes)

    def feed(self, event: Mapping[str, Any]) -> None:
        event_type = event["eventType"]
        event_id = int(event["eventId"])
        attrs = event.get(attributes_key(event_type)) or {}
        at = event.get("eventTimestamp")
        handler = getattr(self, "on_" + event_type, None)
        if handler is not None:
            handler(event_id, attrs, at)
        elif event_type in _TASK_CLOSINGS:
            link, state, kept = _TASK_CLOSINGS[event_type]
            outcome = {name: attrs.get(attribute) for name, attribute in kept.items()}
            self.update(attrs[link], state=state, closed_at=at, **outcome)
        elif event_type in _CLOSING_DECISION_FAILURES:
            self.decision_failures.append(DecisionFailure(event_type, event_id, attrs.get("cause", "")))
        elif event_type.startswith("WorkflowExecution") and event_type != "WorkflowExecutionSignaled":
            self.closed = event_type

    # -- workflow-level events ------------------------------------------------------------------------

    def on_WorkflowExecutionStarted(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        parent = attrs.get("parentWorkflowExecution") or {}
        self.start = WorkflowStart(
            workflow_name=attrs["workflowType"]["name"],
            workflow_version=attrs["workflowType"]["version"],
            task_list=(attrs.get("taskList") or {}).get("name"),
            input=attrs.get("input"),
            tag_list=tuple(attrs.get("tagList") or ()),
            child_policy=attrs.get("childPolicy"),
            task_priority=attrs.get("taskPriority"),
            execution_start_to_close_timeout=attrs.get("executionStartToCloseTimeout"),
            task_start_to_close_timeout=attrs.get("taskStartToCloseTimeout"),
            continued_execution_run_id=attrs.get("continuedExecutionRunId"),
            parent_workflow_id=parent.get("workflowId"),
            parent_run_id=parent.get("runId"),
            lambda_role=attrs.get("lambdaRole"),
            started_at=at,
        )

    def on_WorkflowExecutionCancelRequested(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        requester = attrs.get("externalWorkflowExecution") or {}
        self.cancel_requests.append(
            CancelRequest(event_id, attrs.get("cause"), requester.get("workflowId"), requester.get("runId"))
        )

    def on_WorkflowExecutionSignaled(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        sender = attrs.get("externalWorkflowExecution") or {}
        self.signals.append(
            SignalRecord(
                attrs["signalName"],
                event_id,
                attrs.get("input"),
                sender.get("workflowId"),
                sender.get("runId"),
            )
        )

    def on_DecisionTaskCompleted(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self.execution_context = attrs.get("executionContext")

    def on_MarkerRecorded(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self.markers.append(MarkerRecord(attrs["markerName"], event_id, attrs.get("details")))

    def on_RecordMarkerFailed(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self.markers.append(MarkerRecord(attrs["markerName"], event_id, failed_cause=attrs.get("cause")))

    # -- activities ----------------------------------------------------------------------------------

    def on_ActivityTaskScheduled(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        activity_type = attrs["activityType"]
        scheduled = _scheduled(
            event_id, attrs, at=at, name=activity_type["name"], version=activity_type["version"]
        )
        self.open_attempt(TaskKind.ACTIVITY, attrs["activityId"], scheduled)

    def on_ScheduleActivityTaskFailed(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        activity_type = attrs.get("activityType") or {}
        failed = _refused(
            event_id, attrs, at=at, name=activity_type.get("name"), version=activity_type.get("version")
        )
        self.open_attempt(TaskKind.ACTIVITY, attrs["activityId"], failed)

    def on_ActivityTaskStarted(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self.update(
            attrs["scheduledEventId"], state=TaskState.STARTED, started_at=at, worker=attrs.get("identity")
        )

    def on_ActivityTaskCancelRequested(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self.update_latest(TaskKind.ACTIVITY, attrs["activityId"], cancel_requested=True)

    def on_RequestCancelActivityTaskFailed(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        # Usually ACTIVITY_ID_UNKNOWN: the activity closed first. Counting the request as made keeps the
        # executor from asking again on every replay.
        self.update_latest(TaskKind.ACTIVITY, attrs["activityId"], cancel_requested=True)

    # -- Lambda functions ----------------------------------------------------------------------------

    def on_LambdaFunctionScheduled(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self.open_attempt(
            TaskKind.LAMBDA, attrs["id"], _scheduled(event_id, attrs, at=at, name=attrs["name"])
        )

    def on_ScheduleLambdaFunctionFailed(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        failed = _refused(event_id, attrs, at=at, name=attrs.get("name"))
        self.open_attempt(TaskKind.LAMBDA, attrs["id"], failed)

    def on_StartLambdaFunctionFailed(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self.update(
            attrs.get("scheduledEventId", 0),
            state=TaskState.FAILED,
            reason=attrs.get("cause"),
            details=attrs.get("message"),
            closed_at=at,
        )

    def on_LambdaFunctionStarted(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self.update(attrs["scheduledEventId"], state=TaskState.STARTED, started_at=at)

    # -- child workflows -----------------------------------------------------------------------------

    def on_StartChildWorkflowExecutionInitiated(
        self, event_id: int, attrs: Mapping[str, Any], at: Any
    ) -> None:
        workflow_type = attrs["workflowType"]
        initiated = _scheduled(
            event_id, attrs, at=at, name=workflow_type["name"], version=workflow_type["version"]
        )
        self.open_attempt(TaskKind.CHILD_WORKFLOW, attrs["workflowId"], initiated)

    def on_StartChildWorkflowExecutionFailed(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        initiated = attrs.get("initiatedEventId") or 0
        if initiated in self.by_event:
            self.update(initiated, state=TaskState.SCHEDULE_FAILED, cause=attrs.get("cause"), closed_at=at)
            return
        # SWF may refuse the start without recording an Initiated event (initiatedEventId 0).
        workflow_type = attrs.get("workflowType") or {}
        failed = _refused(
            event_id,
            attrs,
            at=at,
            name=workflow_type.get("name"),
            version=workflow_type.get("version"),
            control=attrs.get("control"),
        )
        self.open_attempt(TaskKind.CHILD_WORKFLOW, attrs["workflowId"], failed)

    def on_ChildWorkflowExecutionStarted(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        run_id = (attrs.get("workflowExecution") or {}).get("runId")
        self.update(attrs["initiatedEventId"], state=TaskState.STARTED, started_at=at, run_id=run_id)

    # -- timers ------------------------------------------------------------------------------------------

    def on_TimerStarted(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        timer_id = attrs["timerId"]
        self.timers[timer_id] = TimerRecord(
            timer_id,
            TimerState.STARTED,
            event_id,
            attrs.get("startToFireTimeout"),
            attrs.get("control"),
            started_at=at,
        )

    def _set_timer(self, timer_id: str, **changes: Any) -> None:
        if timer_id in self.timers:
            self.timers[timer_id] = _replaced(self.timers[timer_id], **changes)

    def on_TimerFired(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self._set_timer(attrs["timerId"], state=TimerState.FIRED, closed_at=at)

    def on_TimerCanceled(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self._set_timer(attrs["timerId"], state=TimerState.CANCELED, closed_at=at)

    def on_StartTimerFailed(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        timer_id = attrs["timerId"]
        if timer_id in self.timers and self.timers[timer_id].state is TimerState.STARTED:
            return  # TIMER_ID_ALREADY_IN_USE: the running timer is still the one that counts
        previous = self.timers.get(timer_id)
        failures = previous.start_failures if previous and previous.state is TimerState.START_FAILED else 0
        self.timers[timer_id] = TimerRecord(
            timer_id,
            TimerState.START_FAILED,
            event_id,
            cause=attrs.get("cause"),
            started_at=at,
            closed_at=at,
            start_failures=failures + 1,
        )

    def on_CancelTimerFailed(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self._set_timer(attrs["timerId"], cancel_failed_cause=attrs.get("cause"))

    # -- signals and cancel requests sent to other executions -------------------------------------------

    def on_SignalExternalWorkflowExecutionInitiated(
        self, event_id: int, attrs: Mapping[str, Any], at: Any
    ) -> None:
        self.sent[event_id] = ExternalRequest(
            attrs["workflowId"],
            event_id,
            ExternalState.INITIATED,
            attrs.get("runId"),
            attrs["signalName"],
            attrs.get("input"),
            attrs.get("control"),
        )

    def on_RequestCancelExternalWorkflowExecutionInitiated(
        self, event_id: int, attrs: Mapping[str, Any], at: Any
    ) -> None:
        self.sent[event_id] = ExternalRequest(
            attrs["workflowId"],
            event_id,
            ExternalState.INITIATED,
            attrs.get("runId"),
            control=attrs.get("control"),
        )

    def _close_sent(self, attrs: Mapping[str, Any], event_id: int, **changes: Any) -> None:
        initiated = attrs.get("initiatedEventId") or 0
        if initiated in self.sent:
            self.sent[initiated] = _replaced(self.sent[initiated], **changes)
        else:
            self.sent[event_id] = ExternalRequest(
                attrs.get("workflowId", ""),
                event_id,
                run_id=attrs.get("runId"),
                control=attrs.get("control"),
                **changes,
            )

    def on_ExternalWorkflowExecutionSignaled(self, event_id: int, attrs: Mapping[str, Any], at: Any) -> None:
        self._close_sent(attrs, event_id, state=ExternalState.DELIVERED)

    def on_SignalExternalWorkflowExecutionFailed(
        self, event_id: int, attrs: Mapping[str, Any], at: Any
    ) -> None:
        self._close_sent(attrs, event_id, state=ExternalState.FAILED, cause=attrs.get("cause"))

    def on_ExternalWorkflowExecutionCancelRequested(
        self, event_id: int, attrs: Mapping[str, Any], at: Any
    ) -> None:
        self._close_sent(attrs, event_id, state=ExternalState.DELIVERED)

    def on_RequestCancelExternalWorkflowExecutionFailed(
        self, event_id: int, attrs: Mapping[str, Any], at: Any
    ) -> None:
        self._close_sent(attrs, event_id, state=ExternalState.FAILED, cause=attrs.get("cause"))
