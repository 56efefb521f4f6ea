"""Many pollers on one task list: every task goes out once, and histories stay dense and ordered."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import pytest

from tests.fixtures.swf_driver import Driver, Run, complete_workflow, schedule_activity

pytestmark = [pytest.mark.conformance]

WORKFLOWS = 12
ACTIVITIES_PER_WORKFLOW = 4
DECIDERS = 4
WORKERS = 8


class Pollers:
    """Decider and worker threads sharing one client and one task list, recording what they got."""

    def __init__(self, driver: Driver, task_list: str) -> None:
        self.driver = driver
        self.task_list = task_list
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.decision_tasks: list[tuple[str, int]] = []
        self.activity_tasks: list[tuple[str, str]] = []
        self.tokens: list[str] = []
        self.errors: list[BaseException] = []

    def run_decider(self) -> None:
        client = self.driver.client
        while not self.stop.is_set():
            try:
                task = client.poll_for_decision_task(
                    domain=self.driver.domain, taskList={"name": self.task_list}, identity="decider"
                )
                if not task.get("taskToken"):
                    continue
                run_id = task["workflowExecution"]["runId"]
                with self.lock:
                    self.decision_tasks.append((run_id, task["startedEventId"]))
                    self.tokens.append(task["taskToken"])
                types = Counter(event["eventType"] for event in task["events"])
                if types["ActivityTaskScheduled"] == 0:
                    decisions = [
                        schedule_activity(f"a-{index}", _run_of(task, self.task_list))
                        for index in range(ACTIVITIES_PER_WORKFLOW)
                    ]
                elif types["ActivityTaskCompleted"] == ACTIVITIES_PER_WORKFLOW:
                    decisions = [complete_workflow("done")]
                else:
                    decisions = []
                client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
            except BaseException as error:  # reported by the test, which fails on any
                self.errors.append(error)
                return

    def run_worker(self) -> None:
        client = self.driver.client
        while not self.stop.is_set():
            try:
                task = client.poll_for_activity_task(
                    domain=self.driver.domain, taskList={"name": self.task_list}, identity="worker"
                )
                if not task.get("taskToken"):
                    continue
                with self.lock:
                    self.activity_tasks.append((task["workflowExecution"]["runId"], task["activityId"]))
                    self.tokens.append(task["taskToken"])
                client.respond_activity_task_completed(taskToken=task["taskToken"], result=task["activityId"])
            except BaseException as error:
                self.errors.append(error)
                return


def _run_of(task: dict[str, Any], task_list: str) -> Run:
    execution = task["workflowExecution"]
    return Run(execution["workflowId"], execution["runId"], task_list)


def test_twelve_pollers_on_one_task_list(client):
    driver = Driver(client).register()
    task_list = "shared"
    runs = [
        driver.client.start_workflow_execution(
            domain=driver.domain,
            workflowId=f"wf-{index}",
            workflowType={"name": "conformance-workflow", "version": "1"},
            taskList={"name": task_list},
        )["runId"]
        for index in range(WORKFLOWS)
    ]
    pollers = Pollers(driver, task_list)
    threads = [threading.Thread(target=pollers.run_decider) for _ in range(DECIDERS)]
    threads += [threading.Thread(target=pollers.run_worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not pollers.errors:
            closed = client.count_closed_workflow_executions(
                domain=driver.domain, startTimeFilter={"oldestDate": 0}
            )["count"]
            if closed == WORKFLOWS:
                break
            time.sleep(0.05)
    finally:
        pollers.stop.set()
        for thread in threads:
            thread.join(10)
    assert not pollers.errors, pollers.errors
    assert not any(thread.is_alive() for thread in threads)

    # Every task went out exactly once.
    assert len(pollers.activity_tasks) == WORKFLOWS * ACTIVITIES_PER_WORKFLOW
    assert len(set(pollers.activity_tasks)) == len(pollers.activity_tasks)
    assert len(set(pollers.decision_tasks)) == len(pollers.decision_tasks)
    assert len(set(pollers.tokens)) == len(pollers.tokens)

    for workflow_index, run_id in enumerate(runs):
        execution = {"workflowId": f"wf-{workflow_index}", "runId": run_id}
        events = driver.client.get_workflow_execution_history(domain=driver.domain, execution=execution)[
            "events"
        ]
        ids = [event["eventId"] for event in events]
        assert ids == list(range(1, len(ids) + 1)), "event ids must be dense and ordered"
        stamps = [event["eventTimestamp"] for event in events]
        assert stamps == sorted(stamps)
        types = [event["eventType"] for event in events]
        assert types[-1] == "WorkflowExecutionCompleted"
        assert types.count("ActivityTaskStarted") == ACTIVITIES_PER_WORKFLOW
        assert types.count("ActivityTaskCompleted") == ACTIVITIES_PER_WORKFLOW
        # At most one decision task in flight per execution: started and completed alternate.
        decision_steps = [kind for kind in types if kind in ("DecisionTaskStarted", "DecisionTaskCompleted")]
        assert decision_steps == ["DecisionTaskStarted", "DecisionTaskCompleted"] * (len(decision_steps) // 2)
        assert types.count("DecisionTaskStarted") == sum(
            1 for run, _ in pollers.decision_tasks if run == run_id
        )
