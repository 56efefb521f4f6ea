"""The one exception hierarchy of simpleflow.

Every error the library raises on purpose derives from :class:`SimpleflowError`, with one base per
family (configuration, payload, SWF, task outcome, replay). Errors carry structured attributes so that
callers can act on them without parsing messages. The CLI shows ``str(error)`` on one line and exits
with ``error.exit_code``.

:class:`ExecutionBlocked` is the exception: it is a control-flow signal of the replay, not an error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any


class SimpleflowError(Exception):
    """Raised for any error simpleflow reports on purpose; the base of every family below."""

    exit_code = 1


# -- configuration ----------------------------------------------------------------------------------


class ConfigurationError(SimpleflowError):
    """Raised when a setting, an option or an environment variable has an unusable value."""

    exit_code = 2


class NotInActivityError(ConfigurationError):
    """Raised when code reads the activity context or heartbeats outside an activity run by a worker.

    ``call`` names what was called (``"activity.context()"``). Calling an activity's function directly, as
    a unit test does, binds no context: use :func:`simpleflow.activity.bind_context` there.
    """

    def __init__(self, call: str) -> None:
        super().__init__(f"{call} was called outside an activity run by a worker")
        self.call = call


class WorkflowImportError(ConfigurationError):
    """Raised when a dotted path does not import or does not name what was expected."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"cannot load {path!r}: {problem}")
        self.path = path
        self.problem = problem


# -- payloads -----------------------------------------------------------------------------------------


class PayloadError(SimpleflowError):
    """Raised when a value cannot travel through SWF: not JSON, too large, or a bad reference."""


class PayloadNotJSON(PayloadError):
    """Raised when a value cannot be encoded to JSON, or a text cannot be decoded from it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class PayloadTooLarge(PayloadError):
    """Raised when an encoded field exceeds its SWF limit and no out-of-band store can take it."""

    def __init__(self, field: str, size: int, limit: int, *, hint: str | None = None) -> None:
        message = f"{field} is {size} characters, over SWF's limit of {limit}"
        if hint:
            message += f"; {hint}"
        super().__init__(message)
        self.field = field
        self.size = size
        self.limit = limit


class PayloadReferenceError(PayloadError):
    """Raised when an out-of-band payload reference cannot be turned back into its bytes.

    ``reference`` is the reference text as SWF carries it; ``problem`` says what went wrong.
    """

    def __init__(self, reference: str, problem: str) -> None:
        super().__init__(f"payload {reference}: {problem}")
        self.reference = reference
        self.problem = problem


class PayloadDigestMismatch(PayloadReferenceError):
    """Raised when fetched payload bytes do not have the sha256 digest (or size) their reference names."""


class PayloadNotFound(PayloadReferenceError):
    """Raised when the store holds no payload for a reference (deleted, or another store)."""


class PayloadStoreUnavailable(PayloadReferenceError):
    """Raised when a payload store cannot be reached or refuses access (network, permissions, disk)."""


class PayloadStoreMissing(PayloadReferenceError):
    """Raised when a field is an out-of-band reference and no payload store is configured to read it.

    A decider started without its store is misconfigured, not the workflow: like any reference it cannot
    read, the decision task is left to time out, and the execution resumes once the setting is fixed.
    """

    def __init__(self, reference: str, *, field: str, setting: str) -> None:
        problem = f"{field} is out of band but no payload store is configured; set {setting}"
        super().__init__(reference, problem)
        self.field = field


# -- SWF access ----------------------------------------------------------------------------------------


class SWFError(SimpleflowError):
    """Raised when an SWF call fails; ``code`` is SWF's fault name (``UnknownResourceFault``, ...)."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation} failed: {code}: {message}")
        self.operation = operation
        self.code = code
        self.message = message


class UnknownResource(SWFError):
    """Raised when SWF does not know the domain, type, execution or task token named."""


class Throttled(SWFError):
    """Raised when SWF keeps refusing a call for its rate limits after botocore's retries."""


class EndpointUnreachable(SWFError):
    """Raised when the SWF endpoint cannot be reached (refused, timed out, closed); names the endpoint."""

    def __init__(self, operation: str, endpoint_url: str, problem: str) -> None:
        super().__init__(operation, "EndpointUnreachable", f"cannot reach {endpoint_url}: {problem}")
        self.endpoint_url = endpoint_url
        self.problem = problem


class SignalWithStartFailed(SimpleflowError):
    """Raised when ``signal_with_start`` gave up: for ``attempts`` rounds, the execution ``workflow_id``
    was started by another client after each signal found it closed, or closed after each start found it
    open (SWF has no atomic signal-with-start)."""

    def __init__(self, workflow_id: str, *, signal_name: str, attempts: int) -> None:
        super().__init__(
            f"could not signal {signal_name!r} to {workflow_id!r} nor start it in {attempts} attempts: "
            "other clients kept starting or closing it between the two calls"
        )
        self.workflow_id = workflow_id
        self.signal_name = signal_name
        self.attempts = attempts


# -- decisions -----------------------------------------------------------------------------------------------


class InvalidDecision(SimpleflowError, ValueError):
    """Raised when a decision would break one of SWF's rules (an id's characters or length, > 5 tags, ...).

    ``field`` names the attribute (``scheduleActivityTask.activityId``), ``value`` is what was given.
    """

    def __init__(self, field: str, value: Any, problem: str) -> None:
        shown = value if not isinstance(value, str) or len(value) <= 80 else value[:77] + "..."
        super().__init__(f"{field} {shown!r}: {problem}")
        self.field = field
        self.value = value
        self.problem = problem


# -- task and workflow outcomes -----------------------------------------------------------------------


class TaskError(SimpleflowError):
    """Raised (or held by a future) when a task did not complete; the base of the task outcomes."""


class TaskFailed(TaskError):
    """Raised when a task (activity, child workflow, Lambda, timer, signal) failed.

    ``TaskFailed(name, reason, details)`` as in simpleflow 0.36: ``name`` is the failed task's id (also
    ``task_id``), ``reason`` and ``details`` are SWF's (details decoded from JSON when they are JSON).
    This project's earlier form ``TaskFailed(reason, details, task_id=...)`` still works.
    """

    def __init__(
        self, name: str | None, reason: Any = None, details: Any = None, *, task_id: str | None = None
    ) -> None:
        if task_id is not None:  # the earlier form: TaskFailed(reason, details, task_id=...)
            if details is not None:
                raise TypeError(
                    "use TaskFailed(name, reason, details) or TaskFailed(reason, details, task_id=)"
                )
            name, reason, details = task_id, name, reason
        self.name = name
        self.task_id = name
        self.reason = reason
        self.details = details
        super().__init__(name, reason, details)

    def __str__(self) -> str:
        if self.reason is None:
            return str(self.name)
        return str(self.reason) if self.name is None else f"{self.name}: {self.reason}"

    def __repr__(self) -> str:
        return f"TaskFailed({self.name!r}, {self.reason!r})"


class ChildStartFailed(TaskFailed):
    """Raised (or held by a child workflow's future) when SWF refused to start the child execution.

    A :class:`TaskFailed` as simpleflow 0.36 reports it (``name`` the child's workflow id, ``reason`` SWF's
    cause such as ``WORKFLOW_ALREADY_RUNNING``, ``details`` the explanation), also with ``workflow_id``
    and ``cause``; its message is the explanation, which names the id.
    """

    def __init__(self, workflow_id: str, cause: str, explanation: str) -> None:
        super().__init__(workflow_id, cause, explanation)
        self.workflow_id = workflow_id
        self.cause = cause

    def __str__(self) -> str:
        return str(self.details)

    def __repr__(self) -> str:
        return f"ChildStartFailed({self.workflow_id!r}, {self.cause!r})"


class TaskTimedOut(TaskError):
    """Raised when a task timed out; ``timeout_type`` is SWF's (``START_TO_CLOSE``, ``HEARTBEAT``, ...).

    ``TaskTimedOut(timeout_type, timeout_value)`` as simpleflow 0.36's ``TimeoutError``; SWF's timeout
    events do not carry the value, so the executor leaves it ``None``.
    """

    def __init__(
        self,
        timeout_type: str = "unknown timeout",
        timeout_value: Any = None,
        *,
        task_id: str | None = None,
        details: Any = None,
    ) -> None:
        where = f"{task_id}: " if task_id else ""
        super().__init__(f"{where}timed out ({timeout_type})")
        self.timeout_type = timeout_type
        self.timeout_value = timeout_value
        self.task_id = task_id
        self.details = details


# simpleflow 0.x named it TimeoutError; keep the old name importable without shadowing the builtin here.
SimpleflowTimeoutError = TaskTimedOut
# ... and under its own name, for ``from simpleflow.exceptions import TimeoutError``; nothing below uses
# the builtin it shadows in this module.
TimeoutError = TaskTimedOut


class TaskCanceled(TaskError):
    """Raised when a task, a timer or a child workflow was canceled before it completed."""

    def __init__(self, details: Any = None, *, task_id: str | None = None) -> None:
        super().__init__(f"{task_id}: canceled" if task_id else "canceled")
        self.details = details
        self.task_id = task_id


class TaskTerminated(TaskError):
    """Raised when a child workflow execution was terminated."""

    def __init__(self, *, task_id: str | None = None, reason: str | None = None) -> None:
        super().__init__(f"{task_id or 'child workflow'}: terminated" + (f" ({reason})" if reason else ""))
        self.task_id = task_id
        self.reason = reason


class AggregateError(TaskError):
    """Raised when tasks of a canvas Group or Chain failed; ``failures`` (alias ``exceptions``) holds them.

    simpleflow 0.36 names it ``AggregateException`` and gives it ``handle``, ``flatten`` and ``append``.
    """

    def __init__(self, failures: Sequence[BaseException | None]) -> None:
        self.failures: list[BaseException | None] = list(failures)
        super().__init__(self.failures)

    @property
    def exceptions(self) -> list[BaseException | None]:
        """The failures (simpleflow 0.36's name; may hold ``None`` for items that did not fail there)."""
        return self.failures

    def __str__(self) -> str:
        failed = [failure for failure in self.failures if failure is not None]
        return f"{len(failed)} task(s) failed: " + "; ".join(str(failure) for failure in failed)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AggregateError):
            return NotImplemented
        return self.failures == other.failures

    __hash__ = TaskError.__hash__

    def append(self, failure: BaseException | None) -> None:
        """Add one more failure."""
        self.failures.append(failure)

    def handle(self, handler: Callable[..., bool], *args: Any, **kwargs: Any) -> None:
        """Call ``handler(failure, *args, **kwargs)`` on each failure; raise the ones it did not handle.

        The handler returns true for a failure it handled; the others are raised as a new AggregateError.
        """
        unhandled = [f for f in self.failures if f is not None and not handler(f, *args, **kwargs)]
        if unhandled:
            raise type(self)(unhandled)

    def flatten(self) -> AggregateError:
        """A new AggregateError with the failures of nested ones in place of them."""
        flat: list[BaseException | None] = []
        pending: list[BaseException | None] = list(self.failures)
        while pending:
            failure = pending.pop(0)
            if isinstance(failure, AggregateError):
                pending[:0] = failure.failures
            elif failure is not None:
                flat.append(failure)
        return type(self)(flat)


#: simpleflow 0.36's name for :class:`AggregateError`.
AggregateException = AggregateError


class TaskException(TaskError):
    """Raised into ``run()`` when an activity declared ``raises_on_failure=True`` failed for good.

    simpleflow 0.36's wrapper: ``task`` is the failed task and ``exception`` its error (a
    :class:`TaskFailed`, :class:`TaskTimedOut`, ...). The error raised here is also an instance of that
    error's class, so ``except TaskFailed`` catches it too.
    """

    def __init__(self, task: Any, exception: BaseException | None) -> None:
        self.task = task
        self.exception = exception
        super().__init__(task, exception)

    @property
    def payload(self) -> Any:
        """The activity (or workflow) the task runs, as simpleflow 0.36 names it."""
        return getattr(self.task, "activity", None) or getattr(self.task, "workflow", None) or self.task

    def __str__(self) -> str:
        return str(self.exception)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(task={self.task!r}, exception={self.exception!r})"


class WorkflowException(TaskException):
    """Raised into ``run()`` when a child workflow declared ``raises_on_failure=True`` failed for good.

    simpleflow 0.36's wrapper: ``workflow`` (alias ``task``) is the child task, ``exception`` its error.
    """

    @property
    def workflow(self) -> Any:
        """The failed child workflow task."""
        return self.task


_RAISED_CLASSES: dict[tuple[type[BaseException], type[TaskException]], type[TaskException]] = {}


def raised_into_run(error: BaseException, task: Any, *, child: bool = False) -> BaseException:
    """``error`` as it is raised into ``run()``: also a :class:`TaskException` (``WorkflowException``).

    The raised object is an instance of both ``type(error)`` and the wrapper, with the wrapper's
    ``task`` and ``exception`` (``error`` itself, which the future keeps); so both simpleflow 0.36's
    ``except TaskException as e: e.exception`` and ``except TaskFailed`` work.
    """
    wrapper = WorkflowException if child else TaskException
    if isinstance(error, wrapper):
        return error
    key = (type(error), wrapper)
    cls = _RAISED_CLASSES.get(key)
    if cls is None:
        cls = type(type(error).__name__, (type(error), wrapper), {"__module__": type(error).__module__})
        _RAISED_CLASSES[key] = cls
    raised = cls.__new__(cls)
    raised.__dict__.update(error.__dict__)
    raised.args = error.args
    raised.task = task
    raised.exception = error
    raised.__cause__ = error.__cause__
    return raised


class WorkflowFailed(SimpleflowError):
    """Raised by a workflow's ``run()`` (or a failed workflow run) to end the execution as failed."""

    def __init__(self, reason: str, details: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


class ExecutionError(SimpleflowError):
    """Raised when a program an activity runs failed (simpleflow 0.36's name, kept for ``except`` clauses)."""


class ExecutionTimeoutError(ExecutionError):
    """Raised when a program an activity runs did not finish within ``timeout_value`` seconds."""

    def __init__(self, command: Any, timeout_value: Any) -> None:
        super().__init__(f"ExecutionTimeoutError after {timeout_value} seconds ({command})")
        self.timeout_command = command
        self.timeout_value = timeout_value


# -- replay ---------------------------------------------------------------------------------------------


class NondeterminismError(SimpleflowError):
    """Raised when the replayed ``run()`` no longer matches the history it replays.

    ``task_id`` names the task, ``recorded`` what the history holds and ``produced`` what the code
    produced this time (``None`` when it produced nothing for that id).
    """

    def __init__(self, task_id: str, *, recorded: Any, produced: Any) -> None:
        super().__init__(
            f"nondeterministic replay of {task_id}: history has {_abridged(recorded)!r}, "
            f"code produced {_abridged(produced)!r}"
        )
        self.task_id = task_id
        self.recorded = recorded
        self.produced = produced


class PatchRemoved(NondeterminismError):
    """Raised when the code and a history disagree on a ``patched()`` change id.

    Either the history holds the patch's marker and the code no longer calls ``patched()`` /
    ``deprecate_patch()`` for it (``marker_recorded``), or ``deprecate_patch()`` replays a history that
    took the old branch. ``change_id`` names the patch and ``reason`` says which of the two happened;
    ``recorded`` / ``produced`` hold the change id on the side that has it.
    """

    def __init__(self, change_id: str, *, reason: str, marker_recorded: bool) -> None:
        # Not NondeterminismError's message (history has X, code produced Y): this one says what to do.
        SimpleflowError.__init__(self, change_id)
        self.change_id = change_id
        self.reason = reason
        self.marker_recorded = marker_recorded
        self.task_id = f"patch {change_id}"
        self.recorded = change_id if marker_recorded else None
        self.produced = None if marker_recorded else change_id

    def __str__(self) -> str:
        return (
            f"nondeterministic replay of patch {self.change_id!r}: {self.reason}. Keep "
            f"patched({self.change_id!r}) (or deprecate_patch) until every execution that ran the old "
            "code is closed"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        rebuild = functools.partial(type(self), reason=self.reason, marker_recorded=self.marker_recorded)
        return (rebuild, (self.change_id,))


#: Longest string a message quotes whole; an input can be megabytes (out of band) and would drown it.
MESSAGE_STRING_LIMIT = 200


def _abridged(value: Any) -> Any:
    """``value`` with its long strings (also inside dicts, lists and tuples) cut to a readable length."""
    if isinstance(value, str) and len(value) > MESSAGE_STRING_LIMIT:
        return f"{value[: MESSAGE_STRING_LIMIT // 2]}... ({len(value):,} characters)"
    if isinstance(value, dict):
        return {key: _abridged(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_abridged(item) for item in value)
    return value


class ExecutionBlocked(BaseException):
    """Stops a replay where ``run()`` needs a result the history does not hold yet.

    It derives from ``BaseException`` on purpose: a user's ``except Exception`` inside ``run()`` must not
    swallow it, or the replay would carry on with a value it does not have.
    """
