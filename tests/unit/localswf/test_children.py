"""Child workflows, external signals and cancel requests, and child policies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.waiting import wait_for
from tests.unit.localswf.driver import DOMAIN, WORKFLOW, Driver, attrs_of, complete, decision, types_of


def start_child(workflow_id: str = "child-1", **attrs: Any) -> dict[str, Any]:
    attrs.setdefault("workflowType", WORKFLOW)
    return decision("StartChildWorkflowExecution", workflowId=workflow_id, **attrs)


def wait_for_event(swf: Driver, workflow_id: str, run_id: str, event_type: str) -> dict[str, Any]:
    """The first ``event_type`` event of a run, once there: the service records outcomes asynchronously."""

    def find() -> dict[str, Any] | None:
        return next((e for e in swf.events(workflow_id, run_id) if e["eventType"] == event_type), None)

    found: dict[str, Any] = wait_for(find, what=f"{event_type} in {workflow_id}")
    return found


def child_run(swf: Driver, parent_run: str) -> str:
    started = wait_for_event(swf, "parent", parent_run, "ChildWorkflowExecutionStarted")
    run_id: str = attrs_of(started)["workflowExecution"]["runId"]
    return run_id


def test_child_completes_and_the_parent_is_told(swf: Driver) -> None:
    parent = swf.start("parent")
    swf.decide(start_child(input="in", control="ctl"))
    wait_for_event(swf, "parent", parent, "ChildWorkflowExecutionStarted")
    events = swf.events("parent", parent)
    assert types_of(events)[-3:] == [
        "StartChildWorkflowExecutionInitiated",
        "ChildWorkflowExecutionStarted",
        "DecisionTaskScheduled",
    ]
    initiated = events[-3]
    child = child_run(swf, parent)
    info = swf.describe("child-1", child)["executionInfo"]
    assert info["parent"] == {"workflowId": "parent", "runId": parent}
    assert swf.describe("parent", parent)["openCounts"]["openChildWorkflowExecutions"] == 1
    # The parent's decision task and the child's first one are both scheduled: take the child's.
    tasks = [swf.poll_decision(), swf.poll_decision()]
    child_task = next(task for task in tasks if task["workflowExecution"]["workflowId"] == "child-1")
    parent_task = next(task for task in tasks if task["workflowExecution"]["workflowId"] == "parent")
    child_started = attrs_of(child_task["events"][0])
    assert child_started["parentWorkflowExecution"] == {"workflowId": "parent", "runId": parent}
    assert child_started["parentInitiatedEventId"] == initiated["eventId"]
    assert child_started["input"] == "in"
    swf.client.respond_decision_task_completed(taskToken=parent_task["taskToken"], decisions=[])
    swf.client.respond_decision_task_completed(
        taskToken=child_task["taskToken"], decisions=[complete("child-result")]
    )
    completed = swf.events("parent", parent)[-2]
    assert completed["eventType"] == "ChildWorkflowExecutionCompleted"
    assert attrs_of(completed) == {
        "workflowExecution": {"workflowId": "child-1", "runId": child},
        "workflowType": WORKFLOW,
        "result": "child-result",
        "initiatedEventId": initiated["eventId"],
        "startedEventId": initiated["eventId"] + 1,
    }
    assert swf.describe("parent", parent)["openCounts"]["openChildWorkflowExecutions"] == 0


@pytest.mark.parametrize(
    ("close", "event_type", "expected"),
    [
        (
            decision("FailWorkflowExecution", reason="r", details="d"),
            "ChildWorkflowExecutionFailed",
            {"reason": "r"},
        ),
        (
            decision("CancelWorkflowExecution", details="d"),
            "ChildWorkflowExecutionCanceled",
            {"details": "d"},
        ),
        (None, "ChildWorkflowExecutionTerminated", {}),
    ],
    ids=["failed", "canceled", "terminated"],
)
def test_child_outcomes_reach_the_parent(
    swf: Driver, close: dict[str, Any] | None, event_type: str, expected: dict[str, Any]
) -> None:
    parent = swf.start("parent")
    swf.decide(start_child())
    child_run(swf, parent)
    if close is None:
        swf.client.terminate_workflow_execution(domain=DOMAIN, workflowId="child-1")
    else:
        for _ in range(2):
            task = swf.poll_decision()
            decisions = [close] if task["workflowExecution"]["workflowId"] == "child-1" else []
            swf.client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
    outcome = next(event for event in swf.events("parent", parent) if event["eventType"] == event_type)
    for key, value in expected.items():
        assert attrs_of(outcome)[key] == value


@pytest.mark.parametrize(
    ("prepare", "cause", "initiated"),
    [
        ("already-running", "WORKFLOW_ALREADY_RUNNING", True),
        ("unknown-type", "WORKFLOW_TYPE_DOES_NOT_EXIST", False),
        ("bare-type", "DEFAULT_TASK_LIST_UNDEFINED", False),
    ],
    ids=["already-running", "unknown-type", "no-defaults"],
)
def test_start_child_failures(swf: Driver, prepare: str, cause: str, initiated: bool) -> None:
    attrs: dict[str, Any] = {}
    if prepare == "already-running":
        swf.start("child-1")
    elif prepare == "unknown-type":
        attrs["workflowType"] = {"name": "ghost", "version": "1"}
    else:
        swf.client.register_workflow_type(domain=DOMAIN, name="bare", version="1")
        attrs["workflowType"] = {"name": "bare", "version": "1"}
    parent = swf.start("parent")
    task = swf.poll_decision()
    while task["workflowExecution"]["workflowId"] != "parent":
        swf.client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
        task = swf.poll_decision()
    swf.client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[start_child(**attrs)])
    failed = wait_for_event(swf, "parent", parent, "StartChildWorkflowExecutionFailed")
    assert attrs_of(failed)["cause"] == cause
    assert (attrs_of(failed)["initiatedEventId"] != 0) is initiated


@pytest.mark.parametrize(
    ("policy", "child_event"),
    [
        ("TERMINATE", "WorkflowExecutionTerminated"),
        ("REQUEST_CANCEL", "WorkflowExecutionCancelRequested"),
        ("ABANDON", "DecisionTaskScheduled"),
    ],
    ids=["terminate", "request-cancel", "abandon"],
)
def test_child_policy_applies_when_the_parent_is_terminated(
    swf: Driver, policy: str, child_event: str
) -> None:
    parent = swf.start("parent")
    swf.decide(start_child())
    child = child_run(swf, parent)
    swf.client.terminate_workflow_execution(domain=DOMAIN, workflowId="parent", childPolicy=policy)
    last = swf.events("child-1", child)[-1]
    assert last["eventType"] == child_event
    if policy != "ABANDON":
        assert attrs_of(last)["cause"] == "CHILD_POLICY_APPLIED"


def test_signal_and_cancel_external_executions(swf: Driver) -> None:
    target = swf.start("target")
    swf.decide()
    sender = swf.start("sender")
    swf.decide(
        decision(
            "SignalExternalWorkflowExecution", workflowId="target", signalName="ping", input="i", control="c"
        ),
        decision("SignalExternalWorkflowExecution", workflowId="ghost", signalName="ping"),
        decision("RequestCancelExternalWorkflowExecution", workflowId="target", runId=target),
        decision("RequestCancelExternalWorkflowExecution", workflowId="ghost"),
    )
    outcome_types = {
        "ExternalWorkflowExecutionSignaled",
        "SignalExternalWorkflowExecutionFailed",
        "ExternalWorkflowExecutionCancelRequested",
        "RequestCancelExternalWorkflowExecutionFailed",
    }

    def outcomes() -> dict[int, dict[str, Any]] | None:
        found = {
            attrs_of(event)["initiatedEventId"]: event
            for event in swf.events("sender", sender)
            if event["eventType"] in outcome_types
        }
        return found if len(found) == len(outcome_types) else None

    by_initiated = wait_for(outcomes, what="the four outcomes")
    sender_events = swf.events("sender", sender)
    initiated = [event for event in sender_events if event["eventType"].endswith("Initiated")]
    assert types_of(initiated) == [
        "SignalExternalWorkflowExecutionInitiated",
        "SignalExternalWorkflowExecutionInitiated",
        "RequestCancelExternalWorkflowExecutionInitiated",
        "RequestCancelExternalWorkflowExecutionInitiated",
    ]
    # Each outcome names its Initiated event, whatever order the outcomes came in.
    assert [by_initiated[event["eventId"]]["eventType"] for event in initiated] == [
        "ExternalWorkflowExecutionSignaled",
        "SignalExternalWorkflowExecutionFailed",
        "ExternalWorkflowExecutionCancelRequested",
        "RequestCancelExternalWorkflowExecutionFailed",
    ]
    completed_id = next(
        e["eventId"] for e in reversed(sender_events) if e["eventType"] == "DecisionTaskCompleted"
    )
    for event in initiated[1::2]:
        failed = attrs_of(by_initiated[event["eventId"]])
        assert failed["cause"] == "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
        assert failed["workflowId"] == "ghost"
        assert failed["decisionTaskCompletedEventId"] == completed_id
    # The outcomes schedule one decision task (the first run's was the one that decided).
    assert types_of(sender_events).count("DecisionTaskScheduled") == 2
    target_events = swf.events("target", target)
    signaled = next(event for event in target_events if event["eventType"] == "WorkflowExecutionSignaled")
    assert attrs_of(signaled) == {
        "signalName": "ping",
        "input": "i",
        "externalWorkflowExecution": {"workflowId": "sender", "runId": sender},
        "externalInitiatedEventId": initiated[0]["eventId"],
    }
    assert "WorkflowExecutionCancelRequested" in types_of(target_events)
    assert swf.describe("target", target)["executionInfo"]["cancelRequested"] is True
