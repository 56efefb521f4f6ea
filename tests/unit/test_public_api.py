"""Pins the public exports: changing them is a deliberate, reviewed act."""

from __future__ import annotations

import simpleflow

EXPECTED = [
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


def test_all_is_pinned() -> None:
    assert sorted(simpleflow.__all__) == EXPECTED


def test_every_export_exists() -> None:
    missing = [name for name in simpleflow.__all__ if not hasattr(simpleflow, name)]
    assert missing == []


def test_quickstart_names_import() -> None:
    from simpleflow import Workflow, activity, futures

    assert callable(activity.with_attributes) and callable(futures.wait) and isinstance(Workflow, type)


def test_star_import_and_dir_list_every_export() -> None:
    """The exports are loaded on first use (for start-up time): ``import *`` and ``dir`` still see them."""
    namespace: dict[str, object] = {}
    exec("from simpleflow import *", namespace)
    assert sorted(name for name in namespace if name != "__builtins__") == EXPECTED
    assert set(EXPECTED) <= set(dir(simpleflow))


def test_unknown_attribute_is_an_attribute_error() -> None:
    assert not hasattr(simpleflow, "NoSuchThing")


def test_upstream_top_level_names() -> None:
    """simpleflow 0.x's ``from simpleflow import Activity, logger`` keep working."""
    import logging

    from simpleflow import Activity, logger
    from simpleflow.activity import Activity as DefinedActivity

    assert Activity is DefinedActivity
    assert isinstance(logger, logging.Logger) and logger.name == "simpleflow"
