"""Pins the public exports: changing them is a deliberate, reviewed act."""

from __future__ import annotations

import simpleflow

EXPECTED = [
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


def test_all_is_pinned() -> None:
    assert sorted(simpleflow.__all__) == EXPECTED


def test_every_export_exists() -> None:
    missing = [name for name in simpleflow.__all__ if not hasattr(simpleflow, name)]
    assert missing == []


def test_quickstart_names_import() -> None:
    from simpleflow import Workflow, activity, futures

    assert callable(activity.with_attributes) and callable(futures.wait) and isinstance(Workflow, type)
