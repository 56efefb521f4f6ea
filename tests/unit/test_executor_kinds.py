"""Executor: children, Lambda functions, timers, signals, markers, side effects, continue-as-new, limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from simpleflow.executor import Executor
from simpleflow.testing import HistoryBuilder
from tests.fixtures import workflows
from tests.unit.executor_driver import Run, attributes

CHILD = "workflow-1--fixtures.child-1"


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (lambda b: b.child_completed(CHILD, result=3), 3),
        (lambda b: b.child_failed(CHILD, reason="bad"), {"error": "TaskFailed"}),
        (lambda b: b.child_timed_out(CHILD), {"error": "TaskTimedOut"}),
        (lambda b: b.child_terminated(CHILD), {"error": "TaskTerminated"}),
        (lambda b: b.child_canceled(CHILD), {"error": "TaskCanceled"}),
        (
            lambda b: b.start_child_failed(CHILD, name="fixtures.child", cause="WORKFLOW_ALREADY_RUNNING"),
            {"error": "ChildStartFailed"},  # a TaskFailed
        ),
    ],
    ids=["completed", "failed", "timed-out", "terminated", "canceled", "start-failed"],
)
def test_child_workflow_outcomes(outcome: Callable[[HistoryBuilder], Any], expected: Any) -> None:
    run = Run(workflows.ParentWorkflow, input=[2])
    started = run.step()
    assert Run.types(started) == ["StartChildWorkflowExecution"]
    assert attributes(started[0])["workflowId"] == CHILD  # derived from the parent's id
    assert attributes(started[0])["workflowType"] == {"name": "fixtures.child", "version": "1.0"}
    outcome(run.builder)
    assert Run.result(run.step()) == expected


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (lambda b: b.lambda_completed("lambda-resize-1", result={"ok": 1}), {"ok": 1}),
        (lambda b: b.lambda_failed("lambda-resize-1"), {"error": "TaskFailed"}),
        (lambda b: b.lambda_timed_out("lambda-resize-1"), {"error": "TaskTimedOut"}),
    ],
    ids=["completed", "failed", "timed-out"],
)
def test_lambda_outcomes(outcome: Callable[[HistoryBuilder], Any], expected: Any) -> None:
    run = Run(workflows.LambdaWorkflow, input=[5])
    decisions = run.step()
    assert Run.types(decisions) == ["ScheduleLambdaFunction"]
    assert attributes(decisions[0]) == {"id": "lambda-resize-1", "name": "resize", "input": '{"size":5}'}
    outcome(run.builder)
    assert Run.result(run.step()) == expected


@pytest.mark.parametrize(
    ("cancel", "expected_types", "close", "result"),
    [
        (False, ["StartTimer"], lambda b: b.timer_fired("pause"), "fired"),
        # SWF sends no decision task for a canceled timer: a 0 s timer wakes the blocked run.
        (True, ["StartTimer", "CancelTimer", "StartTimer"], lambda b: None, "canceled"),
    ],
    ids=["fired", "canceled"],
)
def test_timers(cancel: bool, expected_types: list[str], close: Callable, result: str) -> None:
    run = Run(workflows.TimerWorkflow, input=[cancel])
    decisions = run.step()
    assert Run.types(decisions) == expected_types
    assert attributes(decisions[0]) == {"timerId": "pause", "startToFireTimeout": "30"}
    close(run.builder)
    assert Run.result(run.step()) == result


@pytest.mark.parametrize("before", [True, False], ids=["signal-before-wait", "signal-after-wait"])
def test_wait_signal(before: bool) -> None:
    run = Run(workflows.SignalWorkflow)
    if before:
        run.builder.signaled("go", input={"args": [1], "kwargs": {}})
    else:
        assert run.step() == []  # blocked on the signal
        run.builder.signaled("go", input={"args": [1], "kwargs": {}})
    assert Run.result(run.step()) == {"args": [1], "kwargs": {}}


def test_send_signal_and_delivery() -> None:
    run = Run(workflows.SendSignalWorkflow)
    decisions = run.step()
    assert Run.types(decisions) == ["SignalExternalWorkflowExecution"]
    assert attributes(decisions[0])["control"] == "signal-go-1"
    assert attributes(decisions[0])["workflowId"] == "workflow-1"
    assert run.step() == []
    run.builder.external_signaled("signal-go-1", workflow_id="workflow-1")
    assert Run.types(run.step()) == ["CompleteWorkflowExecution"]


def test_propagated_signal_is_forwarded_to_parent_and_children_once() -> None:
    run = Run(workflows.ParentWorkflow, input=[1], parent_workflow_id="grandparent", parent_run_id="gp-run")
    run.step()
    run.builder.child_started(CHILD)
    run.builder.signaled(
        "stop", input={"args": [], "kwargs": {}, "__propagate": True}, sender_workflow_id="elsewhere"
    )
    forwarded = run.step()
    targets = sorted(attributes(d)["workflowId"] for d in forwarded)
    assert targets == sorted([CHILD, "grandparent"])
    assert run.step() == []  # already forwarded: not again


def test_signal_from_the_parent_is_not_sent_back() -> None:
    run = Run(workflows.SignalWorkflow, parent_workflow_id="parent")
    run.builder.signaled(
        "go", input={"args": [], "kwargs": {}, "__propagate": True}, sender_workflow_id="parent"
    )
    decisions = run.step()
    assert Run.types(decisions) == ["CompleteWorkflowExecution"]
    assert Run.result(decisions) == {"args": [], "kwargs": {}}


def test_markers_recorded_once_and_listed() -> None:
    run = Run(workflows.MarkerWorkflow)
    first = run.step()
    assert Run.types(first) == ["RecordMarker", "CompleteWorkflowExecution"]
    assert Run.result(first) == []  # not in the history yet
    builder = HistoryBuilder(workflows.MarkerWorkflow)
    builder.marker_recorded("checkpoint", details={"step": 1})
    again = Executor(workflows.MarkerWorkflow).replay(builder.decision_task()).decisions
    assert Run.types(again) == ["CompleteWorkflowExecution"]
    assert Run.result(again) == [["checkpoint", {"step": 1}]]


def test_side_effects_run_once_and_are_read_back() -> None:
    workflows.CALLS.clear()
    run = Run(workflows.SideEffectWorkflow)
    first = run.step()
    assert Run.types(first) == ["RecordMarker"] * 3 + ["ScheduleActivityTask"]
    assert workflows.CALLS == ["token", "config:a", "lambda"]
    assert attributes(first[3])["input"] == '{"args":[7],"kwargs":{}}'
    run.builder.activity_completed("activity-fixtures.increment-1", result=8)
    decisions = run.step()
    assert workflows.CALLS == ["token", "config:a", "lambda"]  # not run again
    assert Run.result(decisions) == ["token-1", ["A", "A"], 7, 8]


def test_continue_as_new() -> None:
    decisions = Run(workflows.ContinueWorkflow, input=[1]).step()
    assert Run.types(decisions) == ["ContinueAsNewWorkflowExecution"]
    assert attributes(decisions[0])["input"] == '{"args":[2],"kwargs":{}}'
    assert Run.result(Run(workflows.ContinueWorkflow, input=[3]).step()) == 3


def test_more_than_100_decisions_are_sent_in_turns_with_a_wake_up_timer() -> None:
    run = Run(workflows.ManyWorkflow, input=[250])
    first = run.step()
    assert len(first) == 100
    assert Run.types(first) == ["ScheduleActivityTask"] * 99 + ["StartTimer"]
    assert attributes(first[-1])["startToFireTimeout"] == "0"
    run.builder.timer_fired(attributes(first[-1])["timerId"])
    second = run.step()
    assert len(second) == 100 and attributes(second[0])["activityId"] == "activity-fixtures.increment-100"
    run.builder.timer_fired(attributes(second[-1])["timerId"])
    third = run.step()
    assert len(third) == 250 - 198 and Run.types(third)[-1] == "ScheduleActivityTask"
    for number in range(1, 251):
        run.builder.activity_completed(f"activity-fixtures.increment-{number}", result=number)
    assert Run.result(run.step()) == sum(range(1, 251))


def test_never_more_than_max_open_activities() -> None:
    run = Run(workflows.ManyWorkflow, input=[1005])
    scheduled: list[str] = []
    for _ in range(11):
        decisions = run.step()
        scheduled += [
            attributes(d)["activityId"] for d in decisions if d["decisionType"] == "ScheduleActivityTask"
        ]
        if decisions and decisions[-1]["decisionType"] == "StartTimer":
            run.builder.timer_fired(attributes(decisions[-1])["timerId"])
    assert len(scheduled) == 1000  # the other 5 wait for a slot
    assert run.step() == []
    run.builder.activity_completed("activity-fixtures.increment-1", result=1)
    decisions = run.step()
    assert [attributes(d)["activityId"] for d in decisions] == ["activity-fixtures.increment-1001"]
