"""Many pollers on one task list: no task goes out twice, event ids stay dense."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import DECIDER_LIST, DOMAIN, WORKER_LIST, Driver, complete, schedule

WORKFLOWS = 4
ACTIVITIES = 10


def test_concurrent_pollers_never_share_a_task() -> None:
    service = SWFService(poll_timeout=0.2)
    handed_out: Counter[str] = Counter()
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []

    def guarded(loop: Any) -> Any:
        def run() -> None:
            try:
                while not stop.is_set():
                    loop()
            except BaseException as error:  # surfaced by the assertion below
                errors.append(error)
                stop.set()

        return run

    with embedded_client(service) as client:
        swf = Driver(client).setup()

        def decide() -> None:
            task = client.poll_for_decision_task(domain=DOMAIN, taskList={"name": DECIDER_LIST})
            if not task["taskToken"]:
                return
            with lock:
                handed_out[f"d{task['startedEventId']}-{task['workflowExecution']['runId']}"] += 1
            done = sum(event["eventType"] == "ActivityTaskCompleted" for event in task["events"])
            if any(event["eventType"] == "DecisionTaskCompleted" for event in task["events"]):
                decisions = [complete()] if done == ACTIVITIES else []
            else:
                decisions = [schedule(f"a{index}") for index in range(ACTIVITIES)]
            client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)

        def work() -> None:
            task = client.poll_for_activity_task(domain=DOMAIN, taskList={"name": WORKER_LIST})
            if not task["taskToken"]:
                return
            with lock:
                handed_out[f"{task['workflowExecution']['runId']}/{task['activityId']}"] += 1
            client.respond_activity_task_completed(taskToken=task["taskToken"])

        threads = [threading.Thread(target=guarded(decide)) for _ in range(4)]
        threads += [threading.Thread(target=guarded(work)) for _ in range(8)]
        for thread in threads:
            thread.start()
        runs = [swf.start(f"wf-{index}") for index in range(WORKFLOWS)]
        closed = threading.Event()

        def all_closed() -> bool:
            return all(
                swf.describe(f"wf-{index}", run_id)["executionInfo"]["executionStatus"] == "CLOSED"
                for index, run_id in enumerate(runs)
            )

        for _ in range(100):
            if all_closed() or stop.is_set():
                closed.set()
                break
            closed.wait(0.1)
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        assert not errors
        assert all_closed()
        assert max(handed_out.values()) == 1
        assert sum(1 for key in handed_out if "/" in key) == WORKFLOWS * ACTIVITIES
        for index, run_id in enumerate(runs):
            events = swf.events(f"wf-{index}", run_id)
            assert [event["eventId"] for event in events] == list(range(1, len(events) + 1))
            assert events[-1]["eventType"] == "WorkflowExecutionCompleted"
    service.close()
