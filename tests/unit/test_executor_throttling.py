"""Executor: decisions SWF refuses for its rates and limits are made again after a back-off, never lost.

Each refusal is followed by a back-off timer (or, for a refused timer, by the timer started again and a
pause asked of the decider); the decision comes back only once it passed, and permanent causes fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from simpleflow.executor import Replay
from simpleflow.testing import HistoryBuilder
from tests.fixtures import workflows
from tests.unit.executor_driver import Run, attributes

PATIENT = "activity-fixtures.patient-1"
INCREMENT = "activity-fixtures.increment-1"
CHILD = "workflow-1--fixtures.child-1"
LAMBDA = "lambda-resize-1"
RETRY_GATE = f"_simpleflow-retry-2-{PATIENT}"
THROTTLE_GATE = f"_simpleflow-throttle-1-{INCREMENT}"


def replay(run: Run) -> Replay:
    return run.executor.replay(run.builder.decision_task())


def refuse(run: Run, add_failure: Callable[[HistoryBuilder], Any]) -> None:
    """The pending decisions were refused: the decision task completed, SWF recorded a failure."""
    run.builder.record_decisions([])
    add_failure(run.builder)


def retry_gate_run() -> Run:
    run = Run(workflows.SingleWorkflow, input=["patient"])
    run.step()
    run.builder.activity_failed(PATIENT, reason="boom")
    return run


def throttle_gate_run() -> Run:
    run = Run(workflows.SingleWorkflow, input=["increment"])
    refuse(
        run,
        lambda b: b.schedule_activity_failed(
            INCREMENT, name="fixtures.increment", cause="ACTIVITY_CREATION_RATE_EXCEEDED"
        ),
    )
    return run


@pytest.mark.parametrize(
    ("make_run", "gate", "delay"),
    [(retry_gate_run, RETRY_GATE, "30"), (throttle_gate_run, THROTTLE_GATE, "1")],
    ids=["retry-delay-timer", "throttle-back-off-timer"],
)
@pytest.mark.parametrize("cause", ["TIMER_CREATION_RATE_EXCEEDED", "OPEN_TIMERS_LIMIT_EXCEEDED"])
def test_a_refused_gate_timer_is_started_again_and_never_skipped(
    make_run: Callable[[], Run], gate: str, delay: str, cause: str
) -> None:
    run = make_run()
    for refusals, backoff in [(1, 1.0), (2, 2.0), (3, 4.0)]:
        assert Run.types(replay(run).decisions) == ["StartTimer"]
        refuse(run, lambda b: b.start_timer_failed(gate, cause=cause))
        answer = replay(run)
        # The task it guards is NOT scheduled early: the same timer again, after the decider waited.
        assert answer.decisions == [
            {
                "decisionType": "StartTimer",
                "startTimerDecisionAttributes": {"timerId": gate, "startToFireTimeout": delay},
            }
        ], refusals
        assert answer.backoff_seconds == backoff
    run.step()
    run.builder.timer_fired(gate)
    assert Run.types(run.step()) == ["ScheduleActivityTask"]


@pytest.mark.parametrize("make_run", [retry_gate_run, throttle_gate_run], ids=["retry", "throttle"])
def test_a_gate_timer_refused_for_good_fails_the_task(make_run: Callable[[], Run]) -> None:
    run = make_run()
    gate = attributes(replay(run).decisions[0])["timerId"]
    refuse(run, lambda b: b.start_timer_failed(gate, cause="OPERATION_NOT_PERMITTED"))
    decisions = replay(run).decisions
    assert Run.result(decisions)["error"] == "TaskFailed"
    assert "OPERATION_NOT_PERMITTED" in Run.result(decisions)["message"]


def test_a_refused_decider_backoff_is_capped_by_the_decision_task_timeout() -> None:
    run = throttle_gate_run()
    for _ in range(8):
        refuse(run, lambda b: b.start_timer_failed(THROTTLE_GATE, cause="TIMER_CREATION_RATE_EXCEEDED"))
    assert 0 < replay(run).backoff_seconds <= 30


def child_refused(cause: str) -> Callable[[Run], None]:
    def add(run: Run) -> None:
        run.step()  # StartChildWorkflowExecutionInitiated, then SWF refuses it
        run.builder.start_child_failed(CHILD, name="fixtures.child", cause=cause)

    return add


def lambda_refused(cause: str) -> Callable[[Run], None]:
    return lambda run: refuse(run, lambda b: b.schedule_lambda_failed(LAMBDA, name="resize", cause=cause))


REMOTE_CASES = [
    (workflows.ParentWorkflow, [2], child_refused(c), "StartChildWorkflowExecution", CHILD)
    for c in ("CHILD_CREATION_RATE_EXCEEDED", "OPEN_CHILDREN_LIMIT_EXCEEDED", "OPEN_WORKFLOWS_LIMIT_EXCEEDED")
] + [
    (workflows.LambdaWorkflow, [5], lambda_refused(c), "ScheduleLambdaFunction", LAMBDA)
    for c in ("LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED", "OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED")
]


@pytest.mark.parametrize(
    ("workflow", "input", "refusal", "decision", "task_id"),
    REMOTE_CASES,
    ids=[
        "child-creation-rate",
        "open-children-limit",
        "open-workflows-limit",
        "lambda-creation-rate",
        "open-lambdas-limit",
    ],
)
def test_refused_children_and_lambdas_come_back_after_a_back_off(
    workflow: type, input: list[Any], refusal: Callable[[Run], None], decision: str, task_id: str
) -> None:
    run = Run(workflow, input=input)
    refusal(run)
    backoff = run.step()
    assert backoff == [
        {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {
                "timerId": f"_simpleflow-throttle-1-{task_id}",
                "startToFireTimeout": "1",
            },
        }
    ]
    assert run.step() == []  # waiting: nothing lost, nothing doubled
    run.builder.timer_fired(f"_simpleflow-throttle-1-{task_id}")
    again = run.step()
    assert Run.types(again) == [decision]


@pytest.mark.parametrize(
    ("refusal", "expected"),
    [
        (child_refused("WORKFLOW_TYPE_DOES_NOT_EXIST"), {"error": "ChildStartFailed"}),  # a TaskFailed
        (lambda_refused("LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION"), {"error": "TaskFailed"}),
    ],
    ids=["child-type-missing", "lambda-unavailable"],
)
def test_permanent_refusals_fail_the_task(refusal: Callable[[Run], None], expected: Any) -> None:
    workflow = workflows.ParentWorkflow if "child" in refusal.__qualname__ else workflows.LambdaWorkflow
    run = Run(workflow, input=[1])
    refusal(run)
    assert Run.result(run.step()) == expected


@pytest.mark.parametrize("cause", ["TIMER_CREATION_RATE_EXCEEDED", "OPEN_TIMERS_LIMIT_EXCEEDED"])
def test_a_refused_user_timer_is_started_again(cause: str) -> None:
    run = Run(workflows.TimerWorkflow, input=[False])
    refuse(run, lambda b: b.start_timer_failed("pause", cause=cause))
    answer = replay(run)
    assert answer.decisions == [
        {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {"timerId": "pause", "startToFireTimeout": "30"},
        }
    ]
    assert answer.backoff_seconds == 1.0
    run.step()
    run.builder.timer_fired("pause")
    assert Run.result(run.step()) == "fired"


@pytest.mark.parametrize(
    ("cause", "resent"),
    [
        ("SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED", True),
        ("UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION", False),
    ],
    ids=["rate-exceeded", "unknown-execution"],
)
def test_a_refused_signal_is_sent_again_after_a_back_off(cause: str, resent: bool) -> None:
    run = Run(workflows.SendSignalWorkflow)
    run.step()
    for refusals in (1, 2):
        run.builder.signal_external_failed("signal-go-1", workflow_id="workflow-1", cause=cause)
        decisions = run.step()
        if not resent:
            assert Run.types(decisions) == ["CompleteWorkflowExecution"]  # the future failed
            return
        gate = f"_simpleflow-throttle-{refusals}-signal-go-1"
        assert [attributes(d) for d in decisions] == [{"timerId": gate, "startToFireTimeout": str(refusals)}]
        assert run.step() == []
        run.builder.timer_fired(gate)
        again = run.step()
        assert Run.types(again) == ["SignalExternalWorkflowExecution"]
        assert attributes(again[0])["control"] == "signal-go-1"
    run.builder.external_signaled("signal-go-1", workflow_id="workflow-1")
    assert Run.types(run.step()) == ["CompleteWorkflowExecution"]


def test_a_refused_propagated_signal_is_forwarded_again_after_a_back_off() -> None:
    run = Run(workflows.ParentWorkflow, input=[1], parent_workflow_id="grandparent", parent_run_id="gp-run")
    run.step()
    run.builder.child_started(CHILD)
    run.builder.signaled(
        "stop", input={"args": [], "kwargs": {}, "__propagate": True}, sender_workflow_id="elsewhere"
    )
    forwarded = {attributes(d)["workflowId"]: attributes(d)["control"] for d in run.step()}
    control = forwarded["grandparent"]
    run.builder.signal_external_failed(
        control, workflow_id="grandparent", cause="SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED"
    )
    assert [attributes(d)["timerId"] for d in run.step()] == [f"_simpleflow-throttle-1-{control}"]
    assert run.step() == []
    run.builder.timer_fired(f"_simpleflow-throttle-1-{control}")
    again = run.step()
    assert [(d["decisionType"], attributes(d)["workflowId"]) for d in again] == [
        ("SignalExternalWorkflowExecution", "grandparent")  # only the refused one, not the child's
    ]


def test_a_refused_child_cancel_request_is_sent_again_after_a_back_off() -> None:
    run = Run(workflows.CancelChildWorkflow)
    asked = run.step()
    assert Run.types(asked) == ["StartChildWorkflowExecution", "RequestCancelExternalWorkflowExecution"]
    initiated = next(
        event["eventId"]
        for event in run.builder.events
        if event["eventType"] == "RequestCancelExternalWorkflowExecutionInitiated"
    )
    run.builder.child_started(CHILD)
    run.builder.add_event(
        "RequestCancelExternalWorkflowExecutionFailed",
        workflowId=CHILD,
        cause="REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
        initiatedEventId=initiated,
        decisionTaskCompletedEventId=initiated - 1,
        control=CHILD,
    )
    gate = f"_simpleflow-throttle-1-{CHILD}"
    assert [attributes(d)["timerId"] for d in run.step()] == [gate]
    assert run.step() == []
    run.builder.timer_fired(gate)
    assert Run.types(run.step()) == ["RequestCancelExternalWorkflowExecution"]
    assert run.step() == []  # asked once per back-off, not on every replay


def test_a_throttled_continue_as_new_is_made_again_after_a_back_off() -> None:
    run = Run(workflows.ContinueWorkflow, input=[1])
    refuse(
        run,
        lambda b: b.add_event(
            "ContinueAsNewWorkflowExecutionFailed",
            cause="CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED",
            decisionTaskCompletedEventId=len(b.events),
        ),
    )
    gate = "_simpleflow-throttle-1-continue-as-new"
    assert [attributes(d)["timerId"] for d in run.step()] == [gate]
    assert run.step() == []
    run.builder.timer_fired(gate)
    assert Run.types(run.step()) == ["ContinueAsNewWorkflowExecution"]


@pytest.mark.parametrize(
    ("complete", "expected"),
    [
        (
            False,
            {
                "open": {"activity": 1, "lambda": 0, "child_workflow": 0, "timer": 0},
                "decided": {},
                "waiting_on": INCREMENT,
            },
        ),
        (
            True,
            {
                "open": {"activity": 0, "lambda": 0, "child_workflow": 0, "timer": 0},
                "decided": {"CompleteWorkflowExecution": 1},
                "waiting_on": None,
            },
        ),
    ],
    ids=["blocked", "completing"],
)
def test_execution_context_summarises_what_the_run_waits_on(complete: bool, expected: Any) -> None:
    run = Run(workflows.SingleWorkflow, input=["increment"])
    run.step()
    if complete:
        run.builder.activity_completed(INCREMENT, result=2)
    context = replay(run).execution_context
    assert context is not None and json.loads(context) == expected
