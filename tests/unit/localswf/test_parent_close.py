"""What the embedded service does to open children when their parent closes, and per-child timeouts.

As SWF documents it: the parent's child policy (its start's ``childPolicy``, the type's default, or a
terminate call's override) is applied to its open children when the parent is terminated or times out;
a parent that completes, fails or is canceled by its own decision leaves them running. A child's own
``childPolicy`` (the StartChildWorkflowExecution field) is what applies to *its* children.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.fixtures.waiting import wait_for
from tests.unit.localswf.driver import DOMAIN, WORKFLOW, Driver, attrs_of, decision


def start_child(workflow_id: str, **attrs: Any) -> dict[str, Any]:
    return decision("StartChildWorkflowExecution", workflowId=workflow_id, workflowType=WORKFLOW, **attrs)


def decide_for(swf: Driver, workflow_id: str, *decisions: dict[str, Any]) -> None:
    """Answer ``workflow_id``'s next decision task with ``decisions`` (others' tasks with nothing)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        task = swf.poll_decision()
        if not task.get("taskToken"):
            continue
        mine = task["workflowExecution"]["workflowId"] == workflow_id
        swf.client.respond_decision_task_completed(
            taskToken=task["taskToken"], decisions=list(decisions) if mine else []
        )
        if mine:
            return
    raise AssertionError(f"no decision task came for {workflow_id}")


def started_child(swf: Driver, parent: str, parent_run: str, child: str) -> str:
    """The run id of ``child`` once the parent's history says it started."""

    def find() -> str | None:
        for event in swf.events(parent, parent_run):
            if event["eventType"] == "ChildWorkflowExecutionStarted":
                execution = attrs_of(event)["workflowExecution"]
                if execution["workflowId"] == child:
                    return str(execution["runId"])
        return None

    found: str = wait_for(find, what=f"{child} started")
    return found


def parent_with_child(swf: Driver, policy: str, **start: Any) -> tuple[str, str]:
    """A parent started with child policy ``policy`` and one started child; their run ids."""
    parent = swf.start("parent", childPolicy=policy, **start)
    decide_for(swf, "parent", start_child("child"))
    return parent, started_child(swf, "parent", parent, "child")


def child_state(swf: Driver, run_id: str) -> tuple[str, str | None, str | None]:
    """``(status, close status, cause of its last cancel request)`` of the child."""
    info = swf.describe("child", run_id)["executionInfo"]
    requests = [
        e for e in swf.events("child", run_id) if e["eventType"] == "WorkflowExecutionCancelRequested"
    ]
    cause = attrs_of(requests[-1]).get("cause") if requests else None
    return info["executionStatus"], info.get("closeStatus"), cause


def policy_effect(swf: Driver, run_id: str) -> str:
    """What a child policy did to the child, read from its history (it may close later on its own)."""
    for event in swf.events("child", run_id):
        if attrs_of(event).get("cause") == "CHILD_POLICY_APPLIED":
            return str(event["eventType"])
    return "nothing"


#: What the parent's child policy does to its open child when SWF applies it.
APPLIED = {
    "TERMINATE": ("CLOSED", "TERMINATED", None),
    "REQUEST_CANCEL": ("OPEN", None, "CHILD_POLICY_APPLIED"),
    "ABANDON": ("OPEN", None, None),
}


@pytest.mark.parametrize("policy", list(APPLIED), ids=str.lower)
def test_terminating_the_parent_applies_its_own_child_policy(swf: Driver, policy: str) -> None:
    parent, child = parent_with_child(swf, policy)
    swf.client.terminate_workflow_execution(domain=DOMAIN, workflowId="parent")  # no override
    assert child_state(swf, child) == APPLIED[policy]
    terminated = swf.events("parent", parent)[-1]
    assert attrs_of(terminated)["childPolicy"] == policy


@pytest.mark.parametrize("policy", ["REQUEST_CANCEL", "ABANDON"], ids=str.lower)
def test_a_parent_timing_out_applies_its_own_child_policy(virtual_swf: Driver, policy: str) -> None:
    swf = virtual_swf
    parent, child = parent_with_child(swf, policy, executionStartToCloseTimeout="500")
    decide_for(swf, "child")  # the child's first decision task: it keeps running
    # Reads do not count as activity: once the service is quiet, the virtual clock skips to the timeout.
    wait_for(
        lambda: swf.describe("parent", parent)["executionInfo"]["executionStatus"] == "CLOSED",
        what="the parent timed out",
    )
    assert swf.events("parent", parent)[-1]["eventType"] == "WorkflowExecutionTimedOut"
    # Read from the child's history: once idle, the virtual clock goes on to the child's own timeout.
    expected = {"REQUEST_CANCEL": "WorkflowExecutionCancelRequested", "ABANDON": "nothing"}
    assert policy_effect(swf, child) == expected[policy]


@pytest.mark.parametrize(
    "close",
    [
        decision("CompleteWorkflowExecution", result="done"),
        decision("FailWorkflowExecution", reason="gave up"),
        decision("CancelWorkflowExecution"),
    ],
    ids=["completes", "fails", "is-canceled"],
)
def test_a_parent_closing_by_decision_leaves_its_children_running(swf: Driver, close: dict[str, Any]) -> None:
    parent, child = parent_with_child(swf, "TERMINATE")
    if close["decisionType"] == "CancelWorkflowExecution":
        swf.client.request_cancel_workflow_execution(domain=DOMAIN, workflowId="parent")
    decide_for(swf, "parent", close)
    assert swf.describe("parent", parent)["executionInfo"]["executionStatus"] == "CLOSED"
    assert child_state(swf, child) == ("OPEN", None, None)  # SWF applies no policy here


@pytest.mark.parametrize(
    ("child_policy", "grandchild"),
    [("ABANDON", ("OPEN", None, None)), ("REQUEST_CANCEL", ("OPEN", None, "CHILD_POLICY_APPLIED"))],
    ids=["abandon", "request-cancel"],
)
def test_the_child_policy_a_child_is_started_with_applies_to_its_own_children(
    swf: Driver, child_policy: str, grandchild: tuple[str, str | None, str | None]
) -> None:
    parent = swf.start("parent", childPolicy="TERMINATE")
    decide_for(swf, "parent", start_child("child", childPolicy=child_policy))
    child = started_child(swf, "parent", parent, "child")
    assert swf.describe("child", child)["executionConfiguration"]["childPolicy"] == child_policy
    decide_for(swf, "child", start_child("grandchild"))
    grandchild_run = started_child(swf, "child", child, "grandchild")
    swf.client.terminate_workflow_execution(domain=DOMAIN, workflowId="child")
    info = swf.describe("grandchild", grandchild_run)["executionInfo"]
    requests = [
        attrs_of(e).get("cause")
        for e in swf.events("grandchild", grandchild_run)
        if e["eventType"] == "WorkflowExecutionCancelRequested"
    ]
    assert (info["executionStatus"], info.get("closeStatus"), (requests or [None])[-1]) == grandchild
    # The parent sees its child terminated, and keeps running.
    assert swf.describe("parent", parent)["executionInfo"]["executionStatus"] == "OPEN"


def test_a_child_with_a_short_execution_timeout_times_out_and_the_parent_is_told(
    virtual_swf: Driver,
) -> None:
    swf = virtual_swf
    parent = swf.start("parent")
    decide_for(swf, "parent", start_child("child", executionStartToCloseTimeout="60"))
    child = started_child(swf, "parent", parent, "child")
    assert swf.describe("child", child)["executionConfiguration"]["executionStartToCloseTimeout"] == "60"
    decide_for(swf, "child")  # the child keeps running, past its 60 s

    def timed_out() -> dict[str, Any] | None:
        events = swf.events("parent", parent)
        return next((e for e in events if e["eventType"] == "ChildWorkflowExecutionTimedOut"), None)

    event = wait_for(timed_out, what="ChildWorkflowExecutionTimedOut in the parent")
    assert attrs_of(event)["timeoutType"] == "START_TO_CLOSE"
    assert attrs_of(event)["workflowExecution"] == {"workflowId": "child", "runId": child}
    assert swf.describe("child", child)["executionInfo"]["closeStatus"] == "TIMED_OUT"
    assert swf.describe("parent", parent)["executionInfo"]["executionStatus"] == "OPEN"
