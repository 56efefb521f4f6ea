"""Child workflows, external signals and cancel requests, and child policies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.localswf.driver import DOMAIN, WORKFLOW, Driver, attrs_of, complete, decision, types_of


def start_child(workflow_id: str = "child-1", **attrs: Any) -> dict[str, Any]:
    attrs.setdefault("workflowType", WORKFLOW)
    return decision("StartChildWorkflowExecution", workflowId=workflow_id, **attrs)


def child_run(swf: Driver, parent_run: str) -> str:
    started = next(
        event
        for event in swf.events("parent", parent_run)
        if event["eventType"] == "ChildWorkflowExecutionStarted"
    )
    run_id: str = attrs_of(started)["workflowExecution"]["runId"]
    return run_id


def test_child_completes_and_the_parent_is_told(swf: Driver) -> None:
    parent = swf.start("parent")
    swf.decide(start_child(input="in", control="ctl"))
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
    failed = next(
        event
        for event in swf.events("parent", parent)
        if event["eventType"] == "StartChildWorkflowExecutionFailed"
    )
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
    sender_events = swf.events("sender", sender)
    assert types_of(sender_events)[-9:] == [
        "SignalExternalWorkflowExecutionInitiated",
        "ExternalWorkflowExecutionSignaled",
        "SignalExternalWorkflowExecutionInitiated",
        "SignalExternalWorkflowExecutionFailed",
        "RequestCancelExternalWorkflowExecutionInitiated",
        "ExternalWorkflowExecutionCancelRequested",
        "RequestCancelExternalWorkflowExecutionInitiated",
        "RequestCancelExternalWorkflowExecutionFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs_of(sender_events[-6])["cause"] == "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
    target_events = swf.events("target", target)
    signaled = next(event for event in target_events if event["eventType"] == "WorkflowExecutionSignaled")
    assert attrs_of(signaled) == {
        "signalName": "ping",
        "input": "i",
        "externalWorkflowExecution": {"workflowId": "sender", "runId": sender},
        "externalInitiatedEventId": sender_events[-9]["eventId"],
    }
    assert "WorkflowExecutionCancelRequested" in types_of(target_events)
    assert swf.describe("target", target)["executionInfo"]["cancelRequested"] is True
