"""A small driver for engine tests: registers a domain and types, plays decider and worker by hand."""

from __future__ import annotations

from typing import Any

DOMAIN = "test-domain"
WORKFLOW = {"name": "wf", "version": "1"}
ACTIVITY = {"name": "act", "version": "1"}
DECIDER_LIST = "deciders"
WORKER_LIST = "workers"


def decision(decision_type: str, **attrs: Any) -> dict[str, Any]:
    """A decision dict of the boto3 shape."""
    key = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
    return {"decisionType": decision_type, key: attrs} if attrs else {"decisionType": decision_type}


def schedule(activity_id: str, **attrs: Any) -> dict[str, Any]:
    """A ``ScheduleActivityTask`` decision for the registered activity type."""
    attrs.setdefault("activityType", ACTIVITY)
    return decision("ScheduleActivityTask", activityId=activity_id, **attrs)


def complete(result: str | None = None) -> dict[str, Any]:
    """A ``CompleteWorkflowExecution`` decision."""
    return decision("CompleteWorkflowExecution", **({"result": result} if result is not None else {}))


def types_of(events: list[dict[str, Any]]) -> list[str]:
    """Event types, in order."""
    return [event["eventType"] for event in events]


def attrs_of(event: dict[str, Any]) -> dict[str, Any]:
    """An event's attributes."""
    key = event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes"
    attrs: dict[str, Any] = event[key]
    return attrs


class Driver:
    """Drives an SWF client through the steps of a workflow, one call at a time."""

    def __init__(self, client: Any, *, domain: str = DOMAIN) -> None:
        self.client = client
        self.domain = domain

    def setup(self, *, retention: str = "1", **workflow_defaults: Any) -> Driver:
        self.client.register_domain(name=self.domain, workflowExecutionRetentionPeriodInDays=retention)
        defaults = {
            "defaultTaskList": {"name": DECIDER_LIST},
            "defaultExecutionStartToCloseTimeout": "3600",
            "defaultTaskStartToCloseTimeout": "300",
            "defaultChildPolicy": "TERMINATE",
            **workflow_defaults,
        }
        self.client.register_workflow_type(domain=self.domain, **WORKFLOW, **defaults)
        self.client.register_activity_type(
            domain=self.domain,
            **ACTIVITY,
            defaultTaskList={"name": WORKER_LIST},
            defaultTaskScheduleToStartTimeout="300",
            defaultTaskScheduleToCloseTimeout="600",
            defaultTaskStartToCloseTimeout="300",
        )
        return self

    def start(self, workflow_id: str = "wf-1", **params: Any) -> str:
        params.setdefault("workflowType", WORKFLOW)
        run_id: str = self.client.start_workflow_execution(
            domain=self.domain, workflowId=workflow_id, **params
        )["runId"]
        return run_id

    def poll_decision(self, task_list: str = DECIDER_LIST, **params: Any) -> dict[str, Any]:
        task: dict[str, Any] = self.client.poll_for_decision_task(
            domain=self.domain, taskList={"name": task_list}, identity="decider", **params
        )
        return task

    def decide(
        self, *decisions: dict[str, Any], task_list: str = DECIDER_LIST, **params: Any
    ) -> dict[str, Any]:
        """Poll a decision task (which must come), answer it with ``decisions``, return the task."""
        task = self.poll_decision(task_list)
        assert task.get("taskToken"), "expected a decision task"
        self.client.respond_decision_task_completed(
            taskToken=task["taskToken"], decisions=list(decisions), **params
        )
        return task

    def poll_activity(self, task_list: str = WORKER_LIST) -> dict[str, Any]:
        task: dict[str, Any] = self.client.poll_for_activity_task(
            domain=self.domain, taskList={"name": task_list}, identity="worker"
        )
        return task

    def work(self, result: str = "done", task_list: str = WORKER_LIST) -> dict[str, Any]:
        """Poll an activity task (which must come) and complete it."""
        task = self.poll_activity(task_list)
        assert task.get("taskToken"), "expected an activity task"
        self.client.respond_activity_task_completed(taskToken=task["taskToken"], result=result)
        return task

    def events(self, workflow_id: str, run_id: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        token = None
        while True:
            page = self.client.get_workflow_execution_history(
                domain=self.domain,
                execution={"workflowId": workflow_id, "runId": run_id},
                **({"nextPageToken": token} if token else {}),
            )
            events.extend(page["events"])
            token = page.get("nextPageToken")
            if not token:
                return events

    def history(self, workflow_id: str, run_id: str) -> list[str]:
        return types_of(self.events(workflow_id, run_id))

    def describe(self, workflow_id: str, run_id: str) -> dict[str, Any]:
        detail: dict[str, Any] = self.client.describe_workflow_execution(
            domain=self.domain, execution={"workflowId": workflow_id, "runId": run_id}
        )
        return detail
