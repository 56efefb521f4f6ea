"""simpleflow: durable, futures-based dataflow workflows on Amazon SWF or on an embedded SWF service.

The public API: decorate activities with :func:`activity.with_attributes`, subclass :class:`Workflow`,
submit tasks and read :mod:`futures`; compose with :class:`Group`, :class:`Chain`, :class:`FuncGroup`.
"""

from simpleflow import activity, futures
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
from simpleflow.task import ActivityTask, ChildWorkflowTask, LambdaFunction, LambdaTask
from simpleflow.workflow import Workflow, cached, find_workflow, nondeterministic

__version__ = "0.1.0.dev0"

__all__ = [
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
    "SimpleflowError",
    "TaskCanceled",
    "TaskError",
    "TaskFailed",
    "TaskTerminated",
    "TaskTimedOut",
    "Workflow",
    "WorkflowFailed",
    "__version__",
    "activity",
    "cached",
    "find_workflow",
    "futures",
    "nondeterministic",
]
