"""Scheduling options of ``Workflow.submit``: ``self.submit(func, x, __priority=5)``.

simpleflow 0.36 takes double-underscore keyword arguments of ``submit`` as options of the scheduling,
never as arguments of the function; it has one, ``__priority``, which sets the decision's
``taskPriority`` with this precedence: the value given to ``submit`` (``None``: no priority at all;
``False`` or :data:`PRIORITY_NOT_SET`: not given), else the activity's ``task_priority``, else the
workflow's (a class attribute or a property). simpleflow adds ``__retry_policy`` (a
:class:`~simpleflow.retry_policy.RetryPolicy` over the definition's), and for child workflows the
options of :mod:`simpleflow.child_options` (``__workflow_id``, ``__task_list``, ``__execution_timeout``,
``__decision_tasks_timeout``, ``__child_policy``, ``__tag_list``, ``__lambda_role``,
``__parent_close_policy``). Any other ``__`` keyword is refused: a misspelt option must not become an
argument silently. No I/O here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simpleflow import activity as activity_module
from simpleflow.child_options import CHILD_SUBMIT_OPTIONS, child_options
from simpleflow.exceptions import InvalidDecision
from simpleflow.task import ChildWorkflowTask

if TYPE_CHECKING:
    from simpleflow.task import RemoteTask

__all__ = ["PRIORITY_NOT_SET", "SUBMIT_OPTIONS", "pop_submit_options", "priority_text"]

#: "No priority given on submit": the activity's ``task_priority``, else the workflow's, is used.
PRIORITY_NOT_SET: Any = type("PriorityNotSet", (), {"__repr__": lambda self: "PRIORITY_NOT_SET"})()

#: The double-underscore keyword arguments ``Workflow.submit`` takes as scheduling options (simpleflow
#: 0.36 has one): they change the decision and are never passed to the function.
SUBMIT_OPTIONS = frozenset({"__priority", "__retry_policy", *CHILD_SUBMIT_OPTIONS})

PRIORITY_ATTRIBUTES = {
    "ScheduleActivityTask": "scheduleActivityTaskDecisionAttributes",
    "StartChildWorkflowExecution": "startChildWorkflowExecutionDecisionAttributes",
}


def pop_submit_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take the scheduling options out of ``kwargs`` (in place); refuse unknown ``__`` keywords."""
    options: dict[str, Any] = {}
    for key in [key for key in kwargs if isinstance(key, str) and key.startswith("__")]:
        if key not in SUBMIT_OPTIONS:
            raise TypeError(
                f"unknown scheduling option {key}=; submit takes {', '.join(sorted(SUBMIT_OPTIONS))}= "
                "(keyword arguments starting with __ are never passed to the function)"
            )
        options[key] = kwargs.pop(key)
    return options


def refuse_options_in_task(task: RemoteTask) -> None:
    """Raise the error for a task built with scheduling options among its arguments."""
    keys = ", ".join(f"{key}=" for key in task.kwargs if isinstance(key, str) and key.startswith("__"))
    raise TypeError(
        f"{type(task).__name__}(...) got {keys}: scheduling options go to submit, e.g. "
        "self.submit(activity, x, __priority=5), never to the function"
    )


def with_child_options(task: RemoteTask, options: dict[str, Any]) -> RemoteTask:
    """``task`` with the child options among ``options`` (checked); refused for a task that is no child."""
    given = [key for key in options if key in CHILD_SUBMIT_OPTIONS and options[key] is not None]
    if not given:
        return task
    if not isinstance(task, ChildWorkflowTask):
        key = given[0]
        raise InvalidDecision(
            f"submit({key}=)",
            options[key],
            f"is an option of child workflows; {task.name} is not one (it takes __priority= and "
            "__retry_policy=)",
        )
    return task.with_options(child_options(options))


def refuse_child_options(submittable: Any, options: dict[str, Any]) -> None:
    """Raise for child options given with a canvas or an event (their items keep their own options)."""
    given = [key for key in options if key in CHILD_SUBMIT_OPTIONS and options[key] is not None]
    if given:
        raise InvalidDecision(
            f"submit({given[0]}=)",
            options[given[0]],
            f"is an option of one child workflow, not of {type(submittable).__name__}: give it to the "
            "submit of the child itself",
        )


def is_unset(value: Any) -> bool:
    """Whether a priority value means "not given" (fall back to the next level)."""
    # False is simpleflow 0.36's documented "fall back to the next level", like not giving it at all.
    upstream_sentinel = getattr(activity_module, "PRIORITY_NOT_SET", PRIORITY_NOT_SET)
    return value is PRIORITY_NOT_SET or value is upstream_sentinel or value is False


def priority_text(value: Any, *, field: str) -> str:
    """``value`` as SWF's ``taskPriority`` string; raises InvalidDecision for a non-integer."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidDecision(field, value, "must be an integer") from None
    if isinstance(value, bool) or not -(2**31) <= number < 2**31:
        raise InvalidDecision(field, value, "must be an integer that fits in a signed 32-bit integer")
    return str(number)
