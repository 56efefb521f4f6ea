"""``kill -9`` the service mid-run: whatever it answered must be there after a restart on the same db."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from typing import Any

import pytest

from simpleflow.localswf.embedded import make_local_client
from tests.fixtures.localswf_process import ServiceProcess
from tests.fixtures.swf_driver import Driver, Run, complete_workflow, schedule_activity

pytestmark = [pytest.mark.integration]

TASK_LIST = "durable"
ACTIVITIES_PER_WORKFLOW = 3


class Traffic:
    """Threads that start, decide and work as fast as they can, recording only what was answered."""

    def __init__(self, client: Any, domain: str) -> None:
        self.client = client
        self.domain = domain
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.started: list[Run] = []
        self.decided: list[tuple[str, int]] = []
        self.completed: list[tuple[str, str]] = []

    def _record(self, into: list[Any], item: Any) -> None:
        with self.lock:
            into.append(item)

    def _loop(self, step: Any) -> None:
        while not self.stop.is_set():
            try:
                step()
            except Exception:  # the kill: calls in flight fail, and were not answered
                if self.stop.is_set():
                    return
                time.sleep(0.01)

    def start_one(self) -> None:
        workflow_id = f"wf-{time.monotonic_ns()}"
        answer = self.client.start_workflow_execution(
            domain=self.domain,
            workflowId=workflow_id,
            workflowType={"name": "conformance-workflow", "version": "1"},
            taskList={"name": TASK_LIST},
        )
        self._record(self.started, Run(workflow_id, answer["runId"], TASK_LIST))

    def decide_one(self) -> None:
        task = self.client.poll_for_decision_task(domain=self.domain, taskList={"name": TASK_LIST})
        if not task.get("taskToken"):
            return
        run = Run(task["workflowExecution"]["workflowId"], task["workflowExecution"]["runId"], TASK_LIST)
        types = Counter(event["eventType"] for event in task["events"])
        if types["ActivityTaskScheduled"] == 0:
            decisions = [schedule_activity(f"a-{index}", run) for index in range(ACTIVITIES_PER_WORKFLOW)]
        elif types["ActivityTaskCompleted"] == ACTIVITIES_PER_WORKFLOW:
            decisions = [complete_workflow()]
        else:
            decisions = []
        self.client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
        self._record(self.decided, (run.run_id, task["startedEventId"]))

    def work_one(self) -> None:
        task = self.client.poll_for_activity_task(domain=self.domain, taskList={"name": TASK_LIST})
        if not task.get("taskToken"):
            return
        self.client.respond_activity_task_completed(taskToken=task["taskToken"], result="ok")
        self._record(self.completed, (task["workflowExecution"]["runId"], task["activityId"]))

    def threads(self) -> list[threading.Thread]:
        steps = [self.start_one] + [self.decide_one] * 2 + [self.work_one] * 3
        return [threading.Thread(target=self._loop, args=(step,), daemon=True) for step in steps]


def test_kill_minus_nine_loses_nothing_that_was_answered(tmp_path):
    db = str(tmp_path / "swf.db")
    first = ServiceProcess(db=db, extra_args=("--poll-timeout", "1")).start()
    try:
        client = make_local_client(first.endpoint_url, read_timeout=5)
        driver = Driver(client).register()
        traffic = Traffic(client, driver.domain)
        threads = traffic.threads()
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(traffic.completed) < 30 and time.monotonic() < deadline:
            time.sleep(0.01)
        first.kill()  # mid-run: every thread has calls in flight
    finally:
        traffic.stop.set()
        first.kill()
    for thread in threads:
        thread.join(10)
    with traffic.lock:
        started, decided, completed = list(traffic.started), list(traffic.decided), list(traffic.completed)
    assert len(completed) >= 30, "the traffic was too slow to test anything"

    with ServiceProcess(db=db, extra_args=("--poll-timeout", "1")) as second:
        after = Driver(make_local_client(second.endpoint_url, read_timeout=5), domain=driver.domain)
        histories = {run.run_id: after.history(run) for run in started}
        for run_id, events in histories.items():
            ids = [event["eventId"] for event in events]
            assert ids == list(range(1, len(ids) + 1)), f"{run_id}: event ids repeat or have gaps"
        for run_id, started_event_id in decided:
            assert any(
                event["eventType"] == "DecisionTaskCompleted"
                and event["decisionTaskCompletedEventAttributes"]["startedEventId"] == started_event_id
                for event in histories[run_id]
            ), f"{run_id}: an answered decision is lost"
        for run_id, activity_id in completed:
            scheduled = {
                event["eventId"]
                for event in histories[run_id]
                if event["eventType"] == "ActivityTaskScheduled"
                and event["activityTaskScheduledEventAttributes"]["activityId"] == activity_id
            }
            assert any(
                event["eventType"] == "ActivityTaskCompleted"
                and event["activityTaskCompletedEventAttributes"]["scheduledEventId"] in scheduled
                for event in histories[run_id]
            ), f"{run_id}: the answered completion of {activity_id} is lost"
        # The restarted service carries on with the same state.
        fresh = after.start()
        assert after.decision_task(fresh)["events"][0]["eventType"] == "WorkflowExecutionStarted"

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
