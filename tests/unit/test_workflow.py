"""Workflow registry, naming and the guard against use outside a replay."""

from __future__ import annotations

import pytest

from simpleflow.exceptions import ConfigurationError, WorkflowImportError
from simpleflow.workflow import Workflow, find_workflow
from tests.fixtures import workflows


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("fixtures.basic", workflows.BasicWorkflow),
        ("tests.fixtures.workflows.BasicWorkflow", workflows.BasicWorkflow),
    ],
    ids=["registered-name", "dotted-path"],
)
def test_find_workflow(name: str, expected: type) -> None:
    assert find_workflow(name) is expected


def test_find_unknown_workflow() -> None:
    with pytest.raises(WorkflowImportError):
        find_workflow("no.such.Workflow")


def test_default_name_is_module_and_qualname() -> None:
    class Unnamed(Workflow):
        pass

    assert Unnamed.name == f"{__name__}.test_default_name_is_module_and_qualname.<locals>.Unnamed"


def test_submit_outside_a_replay_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="not being replayed"):
        workflows.BasicWorkflow().submit(workflows.increment, 1)
