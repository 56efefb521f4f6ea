from __future__ import annotations

from dataclasses import dataclass, field

from simpleflow import decisions
from simpleflow.routing import RoutingExecutor, route_decision


def test_child_workflow_start_is_routed():
    decision = decisions.start_child_workflow_execution(
        "parent--child-1", name="child", version="1", task_list="child-list"
    )
    routed = route_decision(decision, decision_task_list="run-list")
    assert routed["startChildWorkflowExecutionDecisionAttributes"]["taskList"] == {"name": "run-list"}
    assert routed["startChildWorkflowExecutionDecisionAttributes"]["workflowId"] == "parent--child-1"
    # The original is left alone.
    assert decision["startChildWorkflowExecutionDecisionAttributes"]["taskList"] == {"name": "child-list"}


def test_continue_as_new_without_task_list_is_routed():
    routed = route_decision(decisions.continue_as_new_workflow_execution(input="[1]"), decision_task_list="l")
    assert routed["continueAsNewWorkflowExecutionDecisionAttributes"] == {
        "input": "[1]",
        "taskList": {"name": "l"},
    }


def test_other_decisions_are_unchanged():
    decision = decisions.schedule_activity_task("a-1", name="inc", version="1", task_list="activities")
    assert route_decision(decision, decision_task_list="l") == decision


@dataclass(frozen=True)
class FakeReplay:
    decisions: list = field(default_factory=list)
    execution_context: str | None = None


class FakeExecutor:
    def __init__(self, workflow_cls, **options):
        self.workflow_cls = workflow_cls
        self.options = options

    def replay(self, decision_task):
        return FakeReplay(
            [decisions.start_child_workflow_execution("c", name="child", version="1", task_list="x")], "ctx"
        )


def test_routing_executor_wraps_replay():
    executor = RoutingExecutor(
        object, decision_task_list="run-list", executor_factory=FakeExecutor, activity_task_list="acts"
    )
    assert executor.executor.options == {"activity_task_list": "acts"}
    replay = executor.replay({})
    assert replay.execution_context == "ctx"
    assert replay.decisions[0]["startChildWorkflowExecutionDecisionAttributes"]["taskList"] == {
        "name": "run-list"
    }
