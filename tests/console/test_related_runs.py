"""Links between runs: a parent and its child, and a continue-as-new chain."""

from __future__ import annotations

import pytest

from tests.console.conftest import text_of
from tests.fixtures.executions import WORKFLOW_TYPE, Driver

RELATED_DOMAIN = "console-related"


@pytest.fixture(scope="module")
def related(console_world):
    """In a domain of its own, so that its decision tasks are not taken by other tests' steps."""
    driver = Driver(console_world.client, clock=console_world.driver.clock, domain=RELATED_DOMAIN)
    driver.register()
    parent = driver.start("parent-1")
    driver.decide(
        [
            {
                "decisionType": "StartChildWorkflowExecution",
                "startChildWorkflowExecutionDecisionAttributes": {
                    "workflowId": "child-1",
                    "workflowType": WORKFLOW_TYPE,
                    "input": "[7]",
                    "childPolicy": "TERMINATE",
                },
            }
        ]
    )
    driver.decide([])  # the child's first decision task and the parent's next, in either order
    driver.decide([])
    events = console_world.client.get_workflow_execution_history(
        domain=RELATED_DOMAIN, execution={"workflowId": parent.workflow_id, "runId": parent.run_id}
    )["events"]
    started = [e for e in events if e["eventType"] == "ChildWorkflowExecutionStarted"]
    child_run = started[0]["childWorkflowExecutionStartedEventAttributes"]["workflowExecution"]["runId"]
    first = driver.start("chain-1")
    driver.decide(
        [
            {
                "decisionType": "ContinueAsNewWorkflowExecution",
                "continueAsNewWorkflowExecutionDecisionAttributes": {"input": "[2]"},
            }
        ]
    )
    return {"parent": parent, "child_run": child_run, "chain_first": first}


def _query(workflow_id: str, run_id: str | None) -> dict[str, str]:
    return {"domain": RELATED_DOMAIN, "workflow_id": workflow_id, **({"run_id": run_id} if run_id else {})}


def test_the_parent_links_its_child_from_the_tasks_view(console_world, related):
    parent = related["parent"]
    tasks = console_world.http.get("/execution/tasks", **_query(parent.workflow_id, parent.run_id)).body
    assert f"workflow_id=child-1&amp;run_id={related['child_run']}" in tasks
    assert "child_workflow" in tasks


def test_the_child_links_its_parent(console_world, related):
    child = console_world.http.get("/execution", **_query("child-1", related["child_run"])).body
    assert "parent:" in text_of(child)
    assert f"workflow_id=parent-1&amp;run_id={related['parent'].run_id}" in child


def test_a_continue_as_new_chain_links_both_ways(console_world, related):
    first = related["chain_first"]
    old = console_world.http.get("/execution", **_query(first.workflow_id, first.run_id)).body
    assert "CONTINUED_AS_NEW" in old and "continued as:" in text_of(old)
    new_run = old.split('continued as: <a href="/execution?')[1].split("run_id=")[1].split('"')[0]
    assert new_run != first.run_id
    new = console_world.http.get("/execution", **_query(first.workflow_id, new_run)).body
    assert "continued from:" in text_of(new)
    assert f"run_id={first.run_id}" in new
    assert "<pre>[2]</pre>" in new
