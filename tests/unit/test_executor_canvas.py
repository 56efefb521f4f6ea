"""Executor: canvas Group / Chain / FuncGroup with max_parallel, send_result and break_on_failure."""

from __future__ import annotations

import json

import pytest

from tests.fixtures import workflows
from tests.unit.executor_driver import Run, attributes


def ids(decisions: list[dict]) -> list[str]:
    return [attributes(d)["activityId"] for d in decisions if d["decisionType"] == "ScheduleActivityTask"]


@pytest.mark.parametrize(
    ("max_parallel", "first_wave"),
    [(None, 3), (1, 1), (2, 2)],
    ids=["unbounded", "max-parallel-1", "max-parallel-2"],
)
def test_group_respects_max_parallel(max_parallel: int | None, first_wave: int) -> None:
    run = Run(workflows.GroupWorkflow, input=[max_parallel])
    first = run.step()
    assert ids(first) == [f"activity-fixtures.increment-{n}" for n in range(1, first_wave + 1)]
    done = 0
    while True:
        pending = [
            n for n in range(1, 4) if f"activity-fixtures.increment-{n}" in run.builder._scheduled_ids()
        ]
        for n in pending[done:]:
            run.builder.activity_completed(f"activity-fixtures.increment-{n}", result=n)
        done = len(pending)
        decisions = run.step()
        if decisions and decisions[-1]["decisionType"] == "CompleteWorkflowExecution":
            break
        if max_parallel is not None:
            assert len(ids(decisions)) <= max_parallel
    assert Run.result(decisions) == [1, 2, 3]


@pytest.mark.parametrize(
    ("send_result", "second_input"),
    [(True, '{"args":[2],"kwargs":{}}'), (False, '{"args":[],"kwargs":{}}')],
    ids=["send-result", "no-send-result"],
)
def test_chain_runs_in_sequence(send_result: bool, second_input: str) -> None:
    run = Run(workflows.ChainWorkflow, input=[send_result])
    assert ids(run.step()) == ["activity-fixtures.increment-1"]
    run.builder.activity_completed("activity-fixtures.increment-1", result=2)
    second = run.step()
    assert ids(second) == ["activity-fixtures.double-1"]
    assert attributes(second[0])["input"] == second_input


def test_chain_send_result_to_completion() -> None:
    run = Run(workflows.ChainWorkflow, input=[True])
    run.step()
    run.builder.activity_completed("activity-fixtures.increment-1", result=2)
    run.step()
    run.builder.activity_completed("activity-fixtures.double-1", result=4)
    third = run.step()
    assert ids(third) == ["activity-fixtures.increment-2"]  # reserved when the chain was submitted
    assert attributes(third[0])["input"] == '{"args":[4],"kwargs":{}}'
    run.builder.activity_completed("activity-fixtures.increment-2", result=5)
    assert Run.result(run.step()) == [2, 4, 5]


@pytest.mark.parametrize(
    ("break_on_failure", "next_ids", "result"),
    [(True, [], {"error": "AggregateError", "count": 1}), (False, ["activity-fixtures.double-1"], None)],
    ids=["break-on-failure", "continue-on-failure"],
)
def test_chain_failure(break_on_failure: bool, next_ids: list[str], result: object) -> None:
    run = Run(workflows.ChainWorkflow, input=[True, break_on_failure])
    run.step()
    run.builder.activity_failed("activity-fixtures.increment-1", reason="bad")
    decisions = run.step()
    assert ids(decisions) == next_ids
    if result is not None:
        assert Run.result(decisions) == result
    else:
        assert attributes(decisions[0])["input"] == '{"args":[null],"kwargs":{}}'


def test_funcgroup_expands_when_its_arguments_resolve_without_shifting_other_ids() -> None:
    run = Run(workflows.FuncGroupWorkflow)
    first = run.step()
    assert ids(first) == ["activity-fixtures.increment-1", "activity-fixtures.add-1"]
    run.builder.activity_completed("activity-fixtures.increment-1", result=2)
    run.builder.activity_completed("activity-fixtures.add-1", result=3)
    second = run.step()
    assert ids(second) == ["activity-fixtures.double-fg1-1", "activity-fixtures.double-fg1-2"]
    run.builder.activity_completed("activity-fixtures.double-fg1-1", result=0)
    run.builder.activity_completed("activity-fixtures.double-fg1-2", result=2)
    assert Run.result(run.step()) == [[0, 2], 3]


@pytest.mark.parametrize(
    ("kind", "scheduled", "results", "expected"),
    [
        (
            "group",
            {"activity-fixtures.double-1": [2], "activity-fixtures.add-1": [10, 2]},
            {"activity-fixtures.double-1": 4, "activity-fixtures.add-1": 12},
            [2, [4, 12]],
        ),
        ("chain", {"activity-fixtures.double-1": [2]}, {"activity-fixtures.double-1": 4}, None),
        (
            "funcgroup",
            {"activity-fixtures.double-fg1-1": [0], "activity-fixtures.double-fg1-2": [1]},
            {"activity-fixtures.double-fg1-1": 0, "activity-fixtures.double-fg1-2": 2},
            [2, [0, 2]],
        ),
    ],
    ids=["into-group-every-item", "into-chain-first-item", "into-funcgroup-function"],
)
def test_chain_sends_its_result_into_a_nested_canvas(
    kind: str, scheduled: dict[str, list[int]], results: dict[str, int], expected: object
) -> None:
    run = Run(workflows.NestedChainWorkflow, input=[kind])
    assert ids(run.step()) == ["activity-fixtures.increment-1"]
    run.builder.activity_completed("activity-fixtures.increment-1", result=2)
    second = run.step()
    assert {
        attributes(d)["activityId"]: json.loads(attributes(d)["input"])["args"] for d in second
    } == scheduled
    for task_id, result in results.items():
        run.builder.activity_completed(task_id, result=result)
    decisions = run.step()
    if expected is not None:
        assert Run.result(decisions) == expected
        return
    # The nested chain follows its own send_result: double's 4 goes on to increment.
    assert [(attributes(d)["activityId"], attributes(d)["input"]) for d in decisions] == [
        ("activity-fixtures.increment-2", '{"args":[4],"kwargs":{}}')
    ]
    run.builder.activity_completed("activity-fixtures.increment-2", result=5)
    assert Run.result(run.step()) == [2, [4, 5]]
