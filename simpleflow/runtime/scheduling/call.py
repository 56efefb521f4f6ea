"""A remote task with its resolved arguments: its input per attempt, identity check and priority."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simpleflow import payload
from simpleflow.exceptions import NondeterminismError
from simpleflow.history import Attempt, TaskKind, TaskRecord, TaskState
from simpleflow.runtime.resolution import same_input
from simpleflow.submit_options import PRIORITY_ATTRIBUTES, is_unset, priority_text
from simpleflow.task import RemoteTask

__all__ = ["Call", "Identity", "changed_call", "identity_mismatch", "prioritized"]

Identity = tuple[str, "str | None", "str | None"]  # (type name, version, input text)


@dataclass(frozen=True)
class Call:
    """A remote task with its resolved arguments: what each of its attempts is sent as input."""

    task: RemoteTask
    args: Any
    kwargs: Any
    #: ``submit(..., __priority=N)``: the task priority to schedule with (:data:`PRIORITY_NOT_SET`: the
    #: activity's, else the workflow's); ``None`` schedules without one.
    priority: Any = field(default=None, compare=False)
    #: ``submit(..., __retry_policy=RetryPolicy(...))``: over the definition's (``None``: not given).
    retry_policy: Any = field(default=None, compare=False)
    # A replay asks for the same attempt's text up to three times (identity check, scheduling); encoding a
    # megabyte of arguments costs milliseconds, times every task of a fan-out, at every replay.
    _inputs: dict[int, str | None] = field(default_factory=dict, compare=False, repr=False)

    def input(self, attempt: int) -> str | None:
        """The input text of the ``attempt``-th scheduling (activities carry the attempt number)."""
        if attempt not in self._inputs:
            self._inputs[attempt] = self.task.encode_input(self.args, self.kwargs, attempt=attempt)
        return self._inputs[attempt]


def identity_mismatch(
    call: Call, record: TaskRecord, *, store: payload.PayloadStore | None
) -> NondeterminismError | None:
    """The error when ``call`` is not the task ``record`` holds (type, version or input), else ``None``."""
    task = call.task
    scheduled = record.scheduled
    attempt: Attempt = scheduled or record.last
    # The latest scheduled attempt is the attempt_count-th: compare with what that attempt was sent.
    input_text = call.input(max(record.attempt_count, 1))
    mismatch = attempt.name != task.name or (task.version is not None and attempt.version != task.version)
    if scheduled is not None and not same_input(attempt.input, input_text, store=store):
        # A retry decided by on_task_failure may carry arguments the hook changed: run() still
        # produces the first attempt's call, which is what identifies the task.
        first = next(a for a in record.attempts if a.state is not TaskState.SCHEDULE_FAILED)
        if first is attempt or not same_input(first.input, call.input(1), store=store):
            mismatch = True
    if not mismatch:
        return None
    produced = {"type": task.name, "version": task.version, "input": input_text}
    recorded = {"type": attempt.name, "version": attempt.version, "input": attempt.input}
    return NondeterminismError(record.task_id, recorded=recorded, produced=produced)


def changed_call(call: Call, task: Any) -> Call:
    """The call a retry sends: ``call``, or with the arguments ``on_task_failure`` gave ``task``."""
    args = tuple(getattr(task, "args", call.args))
    kwargs = dict(getattr(task, "kwargs", call.kwargs))
    if args == tuple(call.args) and kwargs == dict(call.kwargs):
        return call
    return Call(call.task, args, kwargs, priority=call.priority, retry_policy=call.retry_policy)


def prioritized(decision: dict[str, Any], call: Call, *, workflow_priority: Any) -> dict[str, Any]:
    """``decision`` with its task priority: ``__priority``, else the activity's, else the workflow's."""
    key = PRIORITY_ATTRIBUTES.get(decision["decisionType"])
    if key is None:
        return decision  # Lambda functions have no priority
    attributes = decision[key]
    priority = call.priority
    if is_unset(priority):
        if call.task.kind is not TaskKind.ACTIVITY or attributes.get("taskPriority") is not None:
            return decision  # the activity's own priority, or a child's (its class attribute)
        priority = workflow_priority
        if priority is None or is_unset(priority):
            return decision
    if priority is None:
        attributes.pop("taskPriority", None)
    else:
        attributes["taskPriority"] = priority_text(priority, field=f"{decision['decisionType']}.taskPriority")
    return decision
