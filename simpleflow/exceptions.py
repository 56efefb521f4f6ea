"""The one exception hierarchy of simpleflow.

Every error the library raises on purpose derives from :class:`SimpleflowError`, with one base per
family (configuration, payload, SWF, task outcome, replay). Errors carry structured attributes so that
callers can act on them without parsing messages. The CLI shows ``str(error)`` on one line and exits
with ``error.exit_code``.

:class:`ExecutionBlocked` is the exception: it is a control-flow signal of the replay, not an error.
"""

from __future__ import annotations

from typing import Any


class SimpleflowError(Exception):
    """Raised for any error simpleflow reports on purpose; the base of every family below."""

    exit_code = 1


# -- configuration ----------------------------------------------------------------------------------


class ConfigurationError(SimpleflowError):
    """Raised when a setting, an option or an environment variable has an unusable value."""

    exit_code = 2


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
    """Raised when a task (activity, child workflow, Lambda) failed; ``reason`` and ``details`` are SWF's."""

    def __init__(self, reason: str | None, details: Any = None, *, task_id: str | None = None) -> None:
        super().__init__(reason if task_id is None else f"{task_id}: {reason}")
        self.reason = reason
        self.details = details
        self.task_id = task_id


class TaskTimedOut(TaskError):
    """Raised when a task timed out; ``timeout_type`` is SWF's (``START_TO_CLOSE``, ``HEARTBEAT``, ...)."""

    def __init__(self, timeout_type: str, *, task_id: str | None = None, details: Any = None) -> None:
        where = f"{task_id}: " if task_id else ""
        super().__init__(f"{where}timed out ({timeout_type})")
        self.timeout_type = timeout_type
        self.task_id = task_id
        self.details = details


# simpleflow 0.x named it TimeoutError; keep the old name importable without shadowing the builtin here.
SimpleflowTimeoutError = TaskTimedOut


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
    """Raised when several tasks of a canvas Group or Chain failed; ``failures`` holds each exception."""

    def __init__(self, failures: list[BaseException]) -> None:
        super().__init__(f"{len(failures)} task(s) failed: " + "; ".join(str(f) for f in failures))
        self.failures = failures


class WorkflowFailed(SimpleflowError):
    """Raised by a workflow's ``run()`` (or a failed workflow run) to end the execution as failed."""

    def __init__(self, reason: str, details: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


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
