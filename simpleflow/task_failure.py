"""What ``Workflow.on_task_failure`` receives: a :class:`TaskFailureContext`, and what it may decide.

As in simpleflow 0.36, the hook is called each time an activity, a Lambda function or a child workflow
failed or timed out (every attempt, before the ``retry`` attribute is looked at)::

    def on_task_failure(self, failure_context):
        if failure_context.retry_count < 3 and failure_context.task_error == "ConnectionError":
            return failure_context.decide_retry(retry_wait_timeout=30)
        if failure_context.task_name == "cleanup":
            return failure_context.decide_ignore()
        return None  # the default: retry up to ``retry`` times, then raise or hold the error

Decisions: ``none`` (the default handling), ``abort`` (no more retries: raise into ``run()`` when the
task raises on failure, else hold the error in its future), ``ignore`` (the future finishes without an
error; its result is ``None`` unless the hook set one on ``failure_context.future``), ``cancel`` (the
future is cancelled), ``retry_now`` / ``retry_later`` (schedule the task again, at once or after
``retry_wait_timeout`` seconds, with ``failure_context.a_task``'s arguments, which the hook may change),
and ``handled`` (the future becomes ``failure_context.future``, which the hook provides).

The hook runs on every replay that meets the failure, so it must be deterministic: decide from the
context (``retry_count``, ``exception``, ``task_error``...), not from clocks or outside state.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from simpleflow.history import TaskState

if TYPE_CHECKING:
    from simpleflow.futures import Future
    from simpleflow.history import History, TaskRecord

__all__ = ["FailureDecision", "TaskFailureContext"]


class FailureDecision(Enum):
    """What ``on_task_failure`` decided (simpleflow 0.36's values; no relation to SWF decisions)."""

    none = 0
    abort = 1
    ignore = 2
    retry_now = 3
    retry_later = 4
    cancel = 5
    handled = 6


@dataclass
class TaskFailureContext:
    """One failure of a task, as ``Workflow.on_task_failure(failure_context)`` sees it.

    ``a_task`` is the failed task (``ActivityTask``, ``ChildWorkflowTask``, ``LambdaTask``) with its
    arguments resolved; ``event`` a dict describing the failed attempt (``type``, ``id``, ``state``,
    ``reason``, ``details``, ``timeout_type``, ``retry``, ``scheduled_id``, ``started_id``...);
    ``future`` the task's future, already holding the error; ``exception_class`` what is raised into
    ``run()`` when the task raises on failure; ``history`` the run's history.
    """

    #: simpleflow 0.36 reaches the values as ``TaskFailureContext.Decision.retry_later``.
    Decision: ClassVar[type[FailureDecision]] = FailureDecision

    a_task: Any
    event: dict[str, Any]
    future: Future | None
    exception_class: type[BaseException]
    history: History | None = None
    decision: FailureDecision = FailureDecision.none
    retry_wait_timeout: int | None = None
    _task_error: str | None = field(default=None, repr=False)
    _task_error_type: type[BaseException] | None = field(default=None, repr=False)

    # -- what the failure was ------------------------------------------------------------------------

    @property
    def retry_count(self) -> int:
        """How many times the task was already retried (0 at its first failure)."""
        return int(self.event.get("retry", 0))

    @property
    def attempt_number(self) -> int:
        """Which attempt failed (1 for the first)."""
        return self.retry_count + 1

    @property
    def task_name(self) -> str | None:
        """The activity type, Lambda function or workflow type name of the task."""
        return getattr(self.a_task, "name", None)

    @property
    def exception(self) -> BaseException | None:
        """The task's error (``TaskFailed``, ``TaskTimedOut``, ...)."""
        future = self.future
        return None if future is None else future._exception

    @property
    def id(self) -> int | None:
        """The id of the event that scheduled the failed attempt."""
        value = self.event.get("scheduled_id")
        return None if value is None else int(value)

    @property
    def current_started_decision_id(self) -> int | None:
        """The id of the ``DecisionTaskStarted`` event of the decision being made, when known."""
        return _event_id(self.history, "started_decision_id")

    @property
    def last_completed_decision_id(self) -> int | None:
        """The id of the last ``DecisionTaskCompleted`` event, when known."""
        return _event_id(self.history, "completed_decision_id")

    @property
    def task_error(self) -> str:
        """For an error raised by the activity: its class name (``"ValueError"``), else ``""``."""
        if self._task_error is None:
            self._read_error()
        assert self._task_error is not None
        return self._task_error

    @property
    def task_error_type(self) -> type[BaseException] | None:
        """For an error raised by the activity: its class, when this process can import it."""
        if self._task_error is None:
            self._read_error()
        return self._task_error_type

    def _read_error(self) -> None:
        self._task_error = ""
        details = getattr(self.exception, "details", None)
        if not isinstance(details, dict):
            return
        # This project's workers write the qualified name under "error"; simpleflow 0.36's wrote the
        # class name there and the qualified one under "error_type".
        qualified = details.get("error_type") or details.get("error")
        if not isinstance(qualified, str) or not qualified:
            return
        self._task_error = qualified.rpartition(".")[2]
        self._task_error_type = _exception_class(qualified)

    # -- deciding --------------------------------------------------------------------------------------

    def decide_abort(self) -> TaskFailureContext:
        """No more retries: raise into ``run()`` when the task raises on failure, else hold the error."""
        self.decision = FailureDecision.abort
        return self

    def decide_ignore(self) -> TaskFailureContext:
        """Finish the future without an error (its result: ``None``, or what the hook set)."""
        self.decision = FailureDecision.ignore
        return self

    def decide_cancel(self) -> TaskFailureContext:
        """Mark the future as cancelled."""
        self.decision = FailureDecision.cancel
        return self

    def decide_retry(self, retry_wait_timeout: int | None = 0) -> TaskFailureContext:
        """Schedule the task again, at once or after ``retry_wait_timeout`` seconds (with a timer)."""
        self.decision = FailureDecision.retry_later if retry_wait_timeout else FailureDecision.retry_now
        self.retry_wait_timeout = retry_wait_timeout
        return self

    def decide_handled(self, a_task: Any, future: Future | None = None) -> TaskFailureContext:
        """The hook took care of it: the task's future becomes ``future`` (``None``: retry at once)."""
        self.a_task = a_task
        self.future = future
        self.decision = FailureDecision.handled
        return self


def _event_id(history: Any, attribute: str) -> int | None:
    value = getattr(history, attribute, None)
    return value if isinstance(value, int) else None


def _exception_class(qualified: str) -> type[BaseException] | None:
    module_name, _, name = qualified.rpartition(".")
    if not module_name:
        import builtins

        candidate = getattr(builtins, name, None)
    else:
        try:
            candidate = getattr(importlib.import_module(module_name), name, None)
        except Exception:  # a module this decider does not have, or that fails to import: unknown type
            return None
    return candidate if isinstance(candidate, type) and issubclass(candidate, BaseException) else None


# The failures simpleflow 0.36 hands to on_task_failure (its docs: ActivityTaskFailed, ActivityTaskTimedOut,
# ChildWorkflowExecutionFailed, ChildWorkflowExecutionTimedOut; Lambda functions alike).
HOOKED_STATES = frozenset({TaskState.FAILED, TaskState.TIMED_OUT})


def positional_count(method: Callable[..., Any]) -> int:
    """How many positional arguments a bound method takes (``*args`` counts as many as wanted)."""
    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        return 1
    count = 0
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            return 1
        if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


def failure_event(record: TaskRecord) -> dict[str, Any]:
    """The failed attempt (``record.last``) as the dict simpleflow 0.36's ``TaskFailureContext.event`` is."""
    last = record.last
    return {
        "type": record.kind.value,
        "id": record.task_id,
        "name": last.name,
        "version": last.version,
        "state": last.state.value.lower(),
        "input": last.input,
        "control": last.control,
        "reason": last.reason,
        "details": last.details,
        "timeout_type": last.timeout_type,
        "retry": max(record.attempt_count - 1, 0),
        "scheduled_id": last.scheduled_event_id,
        "scheduled_timestamp": last.scheduled_at,
        "started_timestamp": last.started_at,
        "closed_timestamp": last.closed_at,
        "run_id": last.run_id,
        "worker": last.worker,
    }
