"""simpleflow 0.x's ``simpleflow.swf.task``: the task classes, which here live in :mod:`simpleflow.task`.

0.x had a second set of task classes that knew how to schedule themselves on SWF; this project has one
set, used by every engine, so these names are those classes (``WorkflowTask`` is the child workflow task).
"""

from __future__ import annotations

from typing import Any

from simpleflow.task import (
    ActivityTask,
    CancelTimerTask,
    ChildWorkflowTask,
    MarkerTask,
    SignalTask,
    TimerTask,
    WorkflowTask,
)
from simpleflow.task import LambdaTask as LambdaFunctionTask
from simpleflow.task import RemoteTask as SwfTask

__all__ = [
    "ActivityTask",
    "CancelTimerTask",
    "ChildWorkflowTask",
    "LambdaFunctionTask",
    "MarkerTask",
    "SignalTask",
    "SwfTask",
    "TimerTask",
    "WorkflowTask",
]

# 0.x names with no counterpart here -> what to use instead.
_MIGRATIONS = {
    "NonPythonicActivityTask": "submit an ActivityTask; inputs are plain JSON here",
    "ContinueAsNewWorkflowTask": "call self.continue_as_new(*args, **kwargs) in run()",
}


def __getattr__(name: str) -> Any:
    if name in _MIGRATIONS:
        raise ImportError(f"simpleflow.swf.task.{name} does not exist here: {_MIGRATIONS[name]} instead")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
