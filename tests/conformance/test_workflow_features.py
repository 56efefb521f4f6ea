"""Child workflows, continue-as-new, Lambda tasks and external signals, through boto3 on both transports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from simpleflow.localswf.service import SWFService
from tests.conformance.conftest import TRANSPORTS, make_transport_client
from tests.fixtures import lambdas
from tests.fixtures.swf_driver import WORKFLOW_TYPE, Driver, Run, complete_workflow

pytestmark = [pytest.mark.conformance]


@pytest.fixture(params=TRANSPORTS)
def lambda_client(request: pytest.FixtureRequest) -> Iterator[Any]:
    running = SWFService(poll_timeout=0.5, lambdas={"double": lambdas.double})
    with make_transport_client(request.param, running) as client:
        yield client
    running.close()


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    key = event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes"
    found: dict[str, Any] = event[key]
    return found


def test_parent_child_continue_as_new_lambda_and_signal(lambda_client):
    driver = Driver(lambda_client).register()
    parent = driver.start()
    child_list = "children"
    driver.decide(
        driver.decision_task(parent),
        {
            "decisionType": "StartChildWorkflowExecution",
            "startChildWorkflowExecutionDecisionAttributes": {
                "workflowId": "child",
                "workflowType": WORKFLOW_TYPE,
                "taskList": {"name": child_list},
                "input": "1",
            },
        },
        {
            "decisionType": "ScheduleLambdaFunction",
            "scheduleLambdaFunctionDecisionAttributes": {"id": "l-1", "name": "double", "input": "21"},
        },
    )
    child = Run("child", "", child_list)
    first_child_task = driver.decision_task(child)
    child.run_id = first_child_task["workflowExecution"]["runId"]
    driver.decide(
        first_child_task,
        {
            "decisionType": "ContinueAsNewWorkflowExecution",
            "continueAsNewWorkflowExecutionDecisionAttributes": {
                "input": "2",
                "taskList": {"name": child_list},
            },
        },
    )
    continued = driver.decision_task(child)
    new_run_id = continued["workflowExecution"]["runId"]
    assert continued["workflowExecution"]["workflowId"] == "child" and new_run_id != child.run_id
    assert attributes(continued["events"][0])["continuedExecutionRunId"] == child.run_id
    driver.decide(
        continued,
        {
            "decisionType": "SignalExternalWorkflowExecution",
            "signalExternalWorkflowExecutionDecisionAttributes": {
                "workflowId": parent.workflow_id,
                "runId": parent.run_id,
                "signalName": "from-child",
                "input": "hi",
            },
        },
        complete_workflow("child-done"),
    )

    # The parent hears about the lambda, the signal and its child, in some decision tasks.
    seen: list[str] = []
    deadline_tasks = 6
    # The Lambda runs in its own thread: its completion may come after the child's, in a later task. The
    # signal, decided with the child's completion, is delivered asynchronously, as on SWF: maybe later still.
    awaited = {"ChildWorkflowExecutionCompleted", "LambdaFunctionCompleted", "WorkflowExecutionSignaled"}
    while not awaited <= set(seen) and deadline_tasks:
        task = driver.decision_task(parent)
        seen = [event["eventType"] for event in task["events"]]
        driver.decide(task)
        deadline_tasks -= 1
    for expected in (
        "StartChildWorkflowExecutionInitiated",
        "ChildWorkflowExecutionStarted",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionCompleted",
        "WorkflowExecutionSignaled",
        "ChildWorkflowExecutionCompleted",
    ):
        assert expected in seen, (expected, seen)
    events = driver.history(parent)
    lambda_done = next(event for event in events if event["eventType"] == "LambdaFunctionCompleted")
    assert attributes(lambda_done)["result"] == "42"
    signaled = next(event for event in events if event["eventType"] == "WorkflowExecutionSignaled")
    assert attributes(signaled)["input"] == "hi"
    child_done = next(event for event in events if event["eventType"] == "ChildWorkflowExecutionCompleted")
    assert attributes(child_done)["workflowExecution"] == {"workflowId": "child", "runId": new_run_id}
    assert attributes(child_done)["result"] == "child-done"
    first_run = driver.describe(child)["executionInfo"]
    assert first_run["closeStatus"] == "CONTINUED_AS_NEW"
    assert first_run["parent"] == parent.execution
