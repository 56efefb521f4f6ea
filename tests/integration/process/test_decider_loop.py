"""The decider loop against moto: fresh executor per task, type registration, replay failures survived."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simpleflow import decisions
from simpleflow.exceptions import NondeterminismError
from simpleflow.process.decider import DeciderPoller, DecisionResult, import_workflow, workflow_type_name
from simpleflow.swf.actors import Decider
from simpleflow.swf.models import WorkflowExecution
from simpleflow.swf.querysets import ActivityTypeQuerySet, WorkflowTypeQuerySet


class ScheduleOne:
    """Stands in for a workflow class; the fake executor reads ``plan``."""

    name = "schedule-one"
    plan = "schedule"


class Broken:
    """A workflow whose replay raises."""

    name = "broken"
    plan = "raise"


@dataclass(frozen=True)
class Replay:
    decisions: list[dict[str, Any]]
    execution_context: str | None


class FakeExecutor:
    """Follows the Executor contract: built per task, ``replay(task) -> Replay``."""

    built: list[FakeExecutor] = []

    def __init__(
        self, workflow_cls: type, *, activity_task_list: str | None = None, payload_store: Any = None
    ):
        self.workflow_cls = workflow_cls
        self.activity_task_list = activity_task_list
        FakeExecutor.built.append(self)

    def replay(self, decision_task: dict[str, Any], **options: Any) -> Replay:
        if self.workflow_cls.plan == "raise":  # type: ignore[attr-defined]
            raise NondeterminismError("activity-x-1", recorded="x", produced=None)
        assert decision_task["events"][0]["eventType"] == "WorkflowExecutionStarted"
        decision = decisions.schedule_activity_task(
            "activity-tests.step-1",
            name="tests.step",
            version="1",
            task_list=self.activity_task_list or "work",
            start_to_close_timeout=60,
            schedule_to_start_timeout=60,
            schedule_to_close_timeout=120,
            heartbeat_timeout="NONE",
        )
        return Replay([decision], "context-1")


def start(client: Any, domain: str, workflow_type: str, workflow_id: str) -> WorkflowExecution:
    WorkflowTypeQuerySet(client, domain).get_or_create(
        workflow_type,
        "1",
        default_task_list="decisions",
        default_child_policy="TERMINATE",
        default_execution_start_to_close_timeout="3600",
        default_task_start_to_close_timeout="60",
    )
    return WorkflowExecution(
        domain, workflow_id, workflow_type_name=workflow_type, workflow_type_version="1", client=client
    ).save()


def poller(client: Any, domain: str) -> DeciderPoller:
    return DeciderPoller(
        Decider(client, domain, task_list="decisions"),
        workflows=[ScheduleOne, Broken],
        activity_task_list="unique-work",
        executor_factory=FakeExecutor,
    )


def test_decisions_are_completed_after_their_types_are_registered(swf_client: Any, domain: str) -> None:
    execution = start(swf_client, domain, "schedule-one", "wf-1")
    decider = poller(swf_client, domain)
    task = decider.decider.poll()
    assert task is not None
    assert decider.process_task(task) is DecisionResult.COMPLETED
    registered = ActivityTypeQuerySet(swf_client, domain).get("tests.step", "1")
    assert registered.default_task_list == "unique-work"
    scheduled = [e for e in execution.history() if e["eventType"] == "ActivityTaskScheduled"]
    assert scheduled[0]["activityTaskScheduledEventAttributes"]["taskList"] == {"name": "unique-work"}


def test_each_task_gets_a_fresh_executor(swf_client: Any, domain: str) -> None:
    start(swf_client, domain, "schedule-one", "wf-a")
    start(swf_client, domain, "schedule-one", "wf-b")
    FakeExecutor.built.clear()
    decider = poller(swf_client, domain)
    assert decider.run(one_task=True) == 1
    assert decider.run(one_task=True) == 1
    assert len(FakeExecutor.built) == 2
    assert FakeExecutor.built[0] is not FakeExecutor.built[1]


def test_a_failing_replay_leaves_the_task_unanswered_and_the_decider_alive(
    swf_client: Any, domain: str
) -> None:
    execution = start(swf_client, domain, "broken", "wf-broken")
    start(swf_client, domain, "schedule-one", "wf-fine")
    decider = poller(swf_client, domain)
    results = []
    for _ in range(2):
        task = decider.decider.poll()
        assert task is not None
        results.append((task["workflowType"]["name"], decider.process_task(task)))
    assert sorted(results) == [
        ("broken", DecisionResult.REPLAY_FAILED),
        ("schedule-one", DecisionResult.COMPLETED),
    ]
    types = [e["eventType"] for e in execution.history()]
    assert "DecisionTaskCompleted" not in types
    assert "WorkflowExecutionFailed" not in types


def test_workflows_are_found_by_type_name_and_dotted_path() -> None:
    assert workflow_type_name(ScheduleOne) == "schedule-one"
    assert workflow_type_name(FakeExecutor) == f"{__name__}.FakeExecutor"
    assert import_workflow(f"{__name__}.ScheduleOne") is ScheduleOne
