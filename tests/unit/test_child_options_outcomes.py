"""What a parent sees of a refused child start, and the parent close policy its decider carries out."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures import child_option_workflows as fixtures
from tests.unit.executor_driver import Run, attributes

CHILD = "my-child"
CHILD_TYPE = "fixtures.children.plain"
FORGOTTEN = "forgotten-child"
TICK = "activity-tests.fixtures.child_option_workflows.echo-1"


def refused(cause: str) -> Any:
    run = Run(fixtures.OptionsParent, input={"args": ["plain", {"workflow_id": CHILD}], "kwargs": {}})
    run.step()
    run.builder.start_child_failed(CHILD, name=CHILD_TYPE, cause=cause)
    return run


@pytest.mark.parametrize(
    ("cause", "explained"),
    [
        (
            "WORKFLOW_ALREADY_RUNNING",
            f"a workflow execution with id {CHILD!r} is already open in this domain",
        ),
        ("WORKFLOW_TYPE_DOES_NOT_EXIST", f"workflow type {CHILD_TYPE!r} version '1.0' is not registered"),
        ("WORKFLOW_TYPE_DEPRECATED", f"workflow type {CHILD_TYPE!r} version '1.0' is deprecated"),
        ("DEFAULT_TASK_LIST_UNDEFINED", "no task list: set task_list (or __task_list)"),
        ("DEFAULT_CHILD_POLICY_UNDEFINED", "no child policy: set child_policy"),
        ("DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED", "no execution timeout"),
        ("DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED", "no decision task timeout"),
        ("OPERATION_NOT_PERMITTED", "may not start"),
        (
            "SOMETHING_NEW",
            "SWF refused to start child workflow 'my-child' (fixtures.children.plain): SOMETHING_NEW",
        ),
    ],
    ids=[
        "already-running",
        "type-unknown",
        "type-deprecated",
        "no-task-list",
        "no-child-policy",
        "no-execution-timeout",
        "no-task-timeout",
        "not-permitted",
        "unknown-cause",
    ],
)
def test_a_refused_start_fails_the_childs_future_clearly(cause: str, explained: str) -> None:
    outcome = Run.result(refused(cause).step())
    assert outcome["error"] == "ChildStartFailed"  # a TaskFailed(name=the id, reason=the cause)
    assert outcome["message"].startswith(f"SWF refused to start child workflow {CHILD!r}")
    assert explained in outcome["message"]


@pytest.mark.parametrize("cause", ["OPEN_CHILDREN_LIMIT_EXCEEDED", "CHILD_CREATION_RATE_EXCEEDED"])
def test_a_start_refused_for_a_limit_is_started_again_after_a_back_off(cause: str) -> None:
    decisions = refused(cause).step()
    assert Run.types(decisions) == ["StartTimer"]  # never dropped: started again once it fires
    assert attributes(decisions[0])["timerId"].startswith("_simpleflow-throttle")


def test_a_raising_child_refused_raises_into_run_as_upstream_catches_it() -> None:
    run = Run(fixtures.CatchingParent, input=[CHILD])
    run.step()
    run.builder.start_child_failed(CHILD, name="fixtures.children.raising", cause="WORKFLOW_ALREADY_RUNNING")
    outcome = Run.result(run.step())
    assert outcome == {
        "raised": "ChildStartFailed",
        "is_task_failed": True,
        "message": (
            f"SWF refused to start child workflow {CHILD!r} (WORKFLOW_ALREADY_RUNNING): a workflow execution "
            f"with id {CHILD!r} is already open in this domain; a workflow id can be reused only once the "
            "execution that had it closed"
        ),
    }


def test_a_raising_child_refused_fails_the_parent_with_the_id_and_the_reason() -> None:
    class Parent(fixtures.OptionsParent):
        name = "fixtures.children.uncaught_parent"

        def run(self, *args: Any) -> Any:
            return self.submit(fixtures.RaisingChild, 1, __workflow_id=CHILD).result

    run = Run(Parent, verify=False)
    run.step()
    run.builder.start_child_failed(CHILD, name="fixtures.children.raising", cause="WORKFLOW_ALREADY_RUNNING")
    decisions = run.step()
    assert Run.types(decisions) == ["FailWorkflowExecution"]
    failed = attributes(decisions[0])
    assert failed["reason"].startswith(f"ChildStartFailed: SWF refused to start child workflow {CHILD!r}")
    assert "can be reused only once the execution that had it closed" in failed["details"]


# -- parent close policy ---------------------------------------------------------------------------------


def cancel_request(decision: dict[str, Any]) -> dict[str, Any]:
    assert decision["decisionType"] == "RequestCancelExternalWorkflowExecution"
    return attributes(decision)


@pytest.mark.parametrize(
    ("end", "closing"),
    [
        ("complete", "CompleteWorkflowExecution"),
        ("fail", "FailWorkflowExecution"),
        ("continue", "ContinueAsNewWorkflowExecution"),
    ],
    ids=["completes", "fails", "continues-as-new"],
)
def test_request_cancel_asks_the_open_child_to_cancel_with_the_closing_decision(
    end: str, closing: str
) -> None:
    run = Run(
        fixtures.FireAndForgetParent,
        input={"args": ["REQUEST_CANCEL"], "kwargs": {"wait_started": True, "end": end}},
    )
    assert Run.types(run.step()) == ["StartChildWorkflowExecution", "ScheduleActivityTask"]
    run.builder.child_started(FORGOTTEN)
    run.builder.activity_completed(TICK, result="tick")
    decisions = run.step()
    assert Run.types(decisions) == ["RequestCancelExternalWorkflowExecution", closing]
    assert cancel_request(decisions[0]) == {
        "workflowId": FORGOTTEN,
        "runId": f"{FORGOTTEN}-run",
        "control": FORGOTTEN,
    }


def test_request_cancel_covers_a_child_started_in_the_closing_response() -> None:
    decisions = Run(fixtures.FireAndForgetParent, input=["REQUEST_CANCEL"]).step()
    assert Run.types(decisions) == [
        "StartChildWorkflowExecution",
        "RequestCancelExternalWorkflowExecution",
        "CompleteWorkflowExecution",
    ]
    assert attributes(decisions[0])["control"] == '{"parent_close_policy":"REQUEST_CANCEL"}'
    assert cancel_request(decisions[1]) == {"workflowId": FORGOTTEN, "control": FORGOTTEN}


@pytest.mark.parametrize("policy", [None, "ABANDON"], ids=["none", "abandon"])
def test_abandon_and_no_policy_leave_the_child_running(policy: str | None) -> None:
    decisions = Run(fixtures.FireAndForgetParent, input=[policy]).step()
    assert Run.types(decisions) == ["StartChildWorkflowExecution", "CompleteWorkflowExecution"]
    assert "control" not in attributes(decisions[0])


def test_request_cancel_when_the_parent_is_canceled() -> None:
    run = Run(
        fixtures.FireAndForgetParent, input={"args": ["REQUEST_CANCEL"], "kwargs": {"wait_started": True}}
    )
    run.step()
    run.builder.child_started(FORGOTTEN)
    run.builder.cancel_requested()
    decisions = run.step()
    assert Run.types(decisions) == ["RequestCancelExternalWorkflowExecution", "CancelWorkflowExecution"]
    assert cancel_request(decisions[0])["workflowId"] == FORGOTTEN


def test_no_request_for_a_child_that_closed_or_was_asked_already() -> None:
    run = Run(
        fixtures.FireAndForgetParent, input={"args": ["REQUEST_CANCEL"], "kwargs": {"wait_started": True}}
    )
    run.step()
    run.builder.child_started(FORGOTTEN)
    run.builder.child_completed(FORGOTTEN, result="early")
    run.builder.activity_completed(TICK, result="tick")
    assert Run.types(run.step()) == ["CompleteWorkflowExecution"]
