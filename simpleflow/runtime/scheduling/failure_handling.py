"""Asking the workflow's ``on_task_failure`` about a failed attempt (see :mod:`simpleflow.task_failure`).

A workflow overriding simpleflow 0.36's ``on_task_failure(failure_context)`` decides each failed or
timed-out attempt; the older ``(task_id, error)`` form is told of final failures only.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpleflow.exceptions import TaskError, TaskException, WorkflowException
from simpleflow.futures import Future
from simpleflow.history import History, TaskKind, TaskRecord
from simpleflow.runtime.scheduling.call import Call
from simpleflow.task_failure import TaskFailureContext, failure_event

__all__ = ["FailureHook", "ask"]


@dataclass(frozen=True)
class FailureHook:
    """A workflow's own ``on_task_failure``; ``legacy``: the old ``(task_id, error)`` form."""

    call: Callable[..., Any]
    legacy: bool


def ask(
    hook: FailureHook, call: Call, *, record: TaskRecord, future: Future, error: TaskError, history: History
) -> TaskFailureContext:
    """The context ``hook`` (the new form) answers for the failed attempt ``record.last`` of ``call``.

    The hook sees (and may change) the resolved arguments, not futures; ``future`` already holds ``error``.
    """
    task = call.task
    shown = copy.copy(task)
    shown.args, shown.kwargs = tuple(call.args), dict(call.kwargs)
    child = task.kind is TaskKind.CHILD_WORKFLOW
    context = TaskFailureContext(
        a_task=shown,
        event=failure_event(record),
        future=future,
        exception_class=WorkflowException if child else TaskException,
        history=history,
    )
    answer = hook.call(context)
    if answer is None:
        return context
    if not isinstance(answer, TaskFailureContext):
        raise TypeError(
            f"on_task_failure must return a TaskFailureContext or None, not {type(answer).__name__}"
        )
    return answer
