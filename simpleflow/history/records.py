"""The records :class:`~simpleflow.history.History` answers with.

Frozen dataclasses; payloads (inputs, results, details) stay the strings SWF stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class TaskState(str, Enum):
    """The state of one attempt of a task (activity, Lambda function or child workflow)."""

    SCHEDULED = "SCHEDULED"  # scheduled, or for a child: start initiated
    SCHEDULE_FAILED = "SCHEDULE_FAILED"  # the schedule/start decision itself failed (see ``cause``)
    STARTED = "STARTED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    CANCELED = "CANCELED"
    TERMINATED = "TERMINATED"  # child workflows only

    @property
    def is_open(self) -> bool:
        """True while the attempt may still close (scheduled or started)."""
        return self in (TaskState.SCHEDULED, TaskState.STARTED)


class TaskKind(str, Enum):
    """What a :class:`TaskRecord` schedules."""

    ACTIVITY = "activity"
    LAMBDA = "lambda"
    CHILD_WORKFLOW = "child_workflow"


@dataclass(frozen=True)
class Attempt:
    """One scheduling of a task id, from the schedule (or its failure) to its close."""

    state: TaskState
    scheduled_event_id: int
    scheduled_at: datetime | None = None
    name: str | None = None
    version: str | None = None
    input: str | None = None
    control: str | None = None
    started_at: datetime | None = None
    closed_at: datetime | None = None
    result: str | None = None
    reason: str | None = None
    details: str | None = None
    timeout_type: str | None = None
    cause: str | None = None
    cancel_requested: bool = False
    run_id: str | None = None  # child workflows: the child's run id once started
    worker: str | None = None  # activities: the identity the worker that started it polled with


@dataclass(frozen=True)
class TaskRecord:
    """Everything the history holds about one task id, attempts in order."""

    kind: TaskKind
    task_id: str
    attempts: tuple[Attempt, ...]

    @property
    def last(self) -> Attempt:
        """The latest attempt (a schedule failure counts as an attempt here)."""
        return self.attempts[-1]

    @property
    def state(self) -> TaskState:
        """The state of the latest attempt."""
        return self.last.state

    @property
    def scheduled(self) -> Attempt | None:
        """The latest attempt that SWF actually scheduled (it holds the input), if any."""
        for attempt in reversed(self.attempts):
            if attempt.state is not TaskState.SCHEDULE_FAILED:
                return attempt
        return None

    @property
    def attempt_count(self) -> int:
        """How many times SWF actually scheduled this id (schedule failures excluded)."""
        return sum(1 for attempt in self.attempts if attempt.state is not TaskState.SCHEDULE_FAILED)

    @property
    def consecutive_schedule_failures(self) -> int:
        """How many schedule failures end the attempt list (0 when the latest attempt was scheduled)."""
        count = 0
        for attempt in reversed(self.attempts):
            if attempt.state is not TaskState.SCHEDULE_FAILED:
                break
            count += 1
        return count


class TimerState(str, Enum):
    """The state of a timer id."""

    STARTED = "STARTED"
    FIRED = "FIRED"
    CANCELED = "CANCELED"
    START_FAILED = "START_FAILED"


@dataclass(frozen=True)
class TimerRecord:
    """The latest use of a timer id."""

    timer_id: str
    state: TimerState
    event_id: int
    start_to_fire_timeout: str | None = None
    control: str | None = None
    cause: str | None = None
    cancel_failed_cause: str | None = None
    started_at: datetime | None = None
    closed_at: datetime | None = None  # fired, canceled, or refused (START_FAILED)
    #: How many ``StartTimerFailed`` in a row this id met since it last started (for back-off).
    start_failures: int = 0


@dataclass(frozen=True)
class SignalRecord:
    """A signal this execution received (``WorkflowExecutionSignaled``)."""

    name: str
    event_id: int
    input: str | None = None
    sender_workflow_id: str | None = None
    sender_run_id: str | None = None


class ExternalState(str, Enum):
    """The state of a signal or cancel request this execution sent to another execution."""

    INITIATED = "INITIATED"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class ExternalRequest:
    """A signal (``signal_name`` set) or a cancel request this execution sent."""

    workflow_id: str
    event_id: int
    state: ExternalState
    run_id: str | None = None
    signal_name: str | None = None
    input: str | None = None
    control: str | None = None
    cause: str | None = None


@dataclass(frozen=True)
class MarkerRecord:
    """A marker recorded in the history (``failed_cause`` set for a ``RecordMarkerFailed``)."""

    name: str
    event_id: int
    details: str | None = None
    failed_cause: str | None = None


@dataclass(frozen=True)
class CancelRequest:
    """A ``WorkflowExecutionCancelRequested`` event."""

    event_id: int
    cause: str | None = None
    requester_workflow_id: str | None = None
    requester_run_id: str | None = None


@dataclass(frozen=True)
class DecisionFailure:
    """A closing decision SWF refused (``CompleteWorkflowExecutionFailed``, ...) and why."""

    event_type: str
    event_id: int
    cause: str


@dataclass(frozen=True)
class WorkflowStart:
    """The ``WorkflowExecutionStarted`` event: what this run was started with."""

    workflow_name: str
    workflow_version: str
    task_list: str | None = None
    input: str | None = None
    tag_list: tuple[str, ...] = ()
    child_policy: str | None = None
    task_priority: str | None = None
    execution_start_to_close_timeout: str | None = None
    task_start_to_close_timeout: str | None = None
    continued_execution_run_id: str | None = None
    parent_workflow_id: str | None = None
    parent_run_id: str | None = None
    lambda_role: str | None = None
    started_at: datetime | None = None
