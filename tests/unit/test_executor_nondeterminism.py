"""Executor: nondeterminism in each of its forms, and replay of recorded JSON histories."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from simpleflow.exceptions import NondeterminismError
from simpleflow.executor import Executor
from simpleflow.testing import HistoryBuilder
from tests.fixtures import workflows
from tests.unit.executor_driver import Run, attributes

RECORDED = Path(__file__).parent.parent / "fixtures" / "recorded"
INCREMENT = "activity-fixtures.increment-1"


def single_history() -> HistoryBuilder:
    return HistoryBuilder(workflows.SingleWorkflow, input=["increment", 1])


@pytest.mark.parametrize(
    ("record", "task_id", "recorded_key", "recorded_value"),
    [
        (
            lambda b: b.activity_scheduled("activity-fixtures.other-1", name="fixtures.other"),
            "activity-fixtures.other-1",
            "type",
            "fixtures.other",
        ),
        (
            lambda b: b.activity_scheduled(
                INCREMENT, name="fixtures.double", input={"args": [1], "kwargs": {}}
            ),
            INCREMENT,
            "type",
            "fixtures.double",
        ),
        (
            lambda b: b.activity_scheduled(
                INCREMENT, name="fixtures.increment", version="2.0", input={"args": [1], "kwargs": {}}
            ),
            INCREMENT,
            "version",
            "2.0",
        ),
        (
            lambda b: b.activity_scheduled(
                INCREMENT, name="fixtures.increment", input={"args": [9], "kwargs": {}}
            ),
            INCREMENT,
            "input",
            '{"args":[9],"kwargs":{}}',
        ),
    ],
    ids=["task-not-produced", "other-type", "other-version", "other-input"],
)
def test_nondeterminism_is_detected(
    record: Any, task_id: str, recorded_key: str, recorded_value: str
) -> None:
    builder = single_history()
    record(builder)
    with pytest.raises(NondeterminismError) as caught:
        Executor(workflows.SingleWorkflow).replay(builder.decision_task())
    assert caught.value.task_id == task_id
    assert caught.value.recorded[recorded_key] == recorded_value
    assert task_id in str(caught.value)


def test_equal_input_written_by_another_encoder_is_deterministic() -> None:
    from simpleflow.testing import Raw

    builder = single_history()
    builder.activity_scheduled(INCREMENT, name="fixtures.increment", input=Raw('{"kwargs": {}, "args": [1]}'))
    assert Executor(workflows.SingleWorkflow).replay(builder.decision_task()).decisions == []


def test_nondeterminism_caught_by_run_is_still_raised() -> None:
    class Swallowing(workflows.SingleWorkflow):
        name = "fixtures.swallowing"

        def run(self, which: str, x: int = 1) -> Any:
            try:
                self.submit(workflows.increment, x)
            except Exception:
                return "swallowed"

    builder = HistoryBuilder(Swallowing, input=["increment"])
    builder.activity_scheduled(INCREMENT, name="fixtures.double")
    with pytest.raises(NondeterminismError):
        Executor(Swallowing).replay(builder.decision_task())


def load(name: str) -> dict[str, Any]:
    task = json.loads((RECORDED / name).read_text())
    for event in task["events"]:
        event["eventTimestamp"] = datetime.fromisoformat(event["eventTimestamp"])
    return task  # type: ignore[no-any-return]


def test_recorded_history_replays_to_completion() -> None:
    decisions = Executor(workflows.BasicWorkflow).replay(load("basic_completed.json")).decisions
    assert Run.types(decisions) == ["CompleteWorkflowExecution"]
    assert attributes(decisions[0])["result"] == "4"


def test_recorded_nondeterministic_history_is_refused() -> None:
    with pytest.raises(NondeterminismError) as caught:
        Executor(workflows.BasicWorkflow).replay(load("basic_nondeterministic.json"))
    assert caught.value.task_id == "activity-fixtures.double-1"
    assert caught.value.produced["input"] == '{"args":[2],"kwargs":{}}'


def test_a_huge_input_is_abridged_in_the_message_but_kept_whole_on_the_error() -> None:
    produced = {"type": "work", "input": "x" * 100_000}
    error = NondeterminismError(
        "activity-work-1", recorded={"input": "[1]", "nested": ["y" * 300]}, produced=produced
    )
    message = str(error)
    assert len(message) < 1_000
    assert "(100,000 characters)" in message
    assert "(300 characters)" in message
    assert "'[1]'" in message
    assert error.produced["input"] == "x" * 100_000
