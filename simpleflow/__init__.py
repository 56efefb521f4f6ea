"""simpleflow: durable, futures-based dataflow workflows on Amazon SWF or on an embedded SWF service.

The public API: decorate activities with :func:`activity.with_attributes`, subclass :class:`Workflow`,
submit tasks and read :mod:`futures`; compose with :class:`Group`, :class:`Chain`, :class:`FuncGroup`.
simpleflow 0.x's top-level names are here too: :class:`Activity`, ``logger`` (the ``simpleflow`` logger)
and ``WaitForSignal``.

The names are imported on first use (PEP 562). Every ``import simpleflow.<anything>`` runs this file
first, the ``simpleflow`` command included: loading the executor, tasks and history here would make
``simpleflow --help`` and every process pay for them whether it uses them or not.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

    from simpleflow import activity, futures
    from simpleflow.activity import Activity
    from simpleflow.canvas import Chain, FuncGroup, Group
    from simpleflow.exceptions import (
        AggregateError,
        NondeterminismError,
        SimpleflowError,
        TaskCanceled,
        TaskError,
        TaskFailed,
        TaskTerminated,
        TaskTimedOut,
        WorkflowFailed,
    )
    from simpleflow.executor import Executor, Replay
    from simpleflow.retry_policy import RetryPolicy
    from simpleflow.signal import WaitForSignal
    from simpleflow.task import ActivityTask, ChildWorkflowTask, LambdaFunction, LambdaTask
    from simpleflow.workflow import Workflow, cached, find_workflow, nondeterministic

__version__ = "0.1.0.dev0"
__author__ = "simpleflow contributors"
__license__ = "MIT"

logger: logging.Logger

# Exported name -> the module that defines it (a submodule exports itself).
_EXPORTS = {
    "Activity": "simpleflow.activity",
    "ActivityTask": "simpleflow.task",
    "AggregateError": "simpleflow.exceptions",
    "Chain": "simpleflow.canvas",
    "ChildWorkflowTask": "simpleflow.task",
    "Executor": "simpleflow.executor",
    "FuncGroup": "simpleflow.canvas",
    "Group": "simpleflow.canvas",
    "LambdaFunction": "simpleflow.task",
    "LambdaTask": "simpleflow.task",
    "NondeterminismError": "simpleflow.exceptions",
    "Replay": "simpleflow.executor",
    "RetryPolicy": "simpleflow.retry_policy",
    "SimpleflowError": "simpleflow.exceptions",
    "TaskCanceled": "simpleflow.exceptions",
    "TaskError": "simpleflow.exceptions",
    "TaskFailed": "simpleflow.exceptions",
    "TaskTerminated": "simpleflow.exceptions",
    "TaskTimedOut": "simpleflow.exceptions",
    "WaitForSignal": "simpleflow.signal",
    "Workflow": "simpleflow.workflow",
    "WorkflowFailed": "simpleflow.exceptions",
    "activity": "simpleflow.activity",
    "cached": "simpleflow.workflow",
    "find_workflow": "simpleflow.workflow",
    "futures": "simpleflow.futures",
    "logger": "simpleflow.log",
    "nondeterministic": "simpleflow.workflow",
}

__all__ = [
    "Activity",
    "ActivityTask",
    "AggregateError",
    "Chain",
    "ChildWorkflowTask",
    "Executor",
    "FuncGroup",
    "Group",
    "LambdaFunction",
    "LambdaTask",
    "NondeterminismError",
    "Replay",
    "RetryPolicy",
    "SimpleflowError",
    "TaskCanceled",
    "TaskError",
    "TaskFailed",
    "TaskTerminated",
    "TaskTimedOut",
    "WaitForSignal",
    "Workflow",
    "WorkflowFailed",
    "__version__",
    "activity",
    "cached",
    "find_workflow",
    "futures",
    "logger",
    "nondeterministic",
]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(module_name)
    # A submodule (activity, futures) is its own export; anything else is an attribute of its module.
    value = module if module_name == f"{__name__}.{name}" else getattr(module, name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
