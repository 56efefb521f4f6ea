"""Many pollers on one task list: no task goes out twice, event ids stay dense."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

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
            if not task.get("taskToken"):
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
            if not task.get("taskToken"):
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


def waiting_pollers(service: SWFService, task_list: str) -> int:
    """Pollers asleep on the task list."""
    return service.waiting_polls("activity", DOMAIN, task_list)


@pytest.mark.parametrize("scheduled", [1, 3], ids=["one-task", "three-tasks"])
def test_a_scheduled_task_wakes_one_waiting_poller_not_all(scheduled: int) -> None:
    """64 pollers wait on one list: scheduling n tasks wakes n of them (no thundering herd), and each
    woken poller returns its task at once."""
    pollers = 64
    service = SWFService(poll_timeout=30)
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        tokens: list[str] = []
        threads = [
            threading.Thread(target=lambda: tokens.append(swf.poll_activity().get("taskToken", "")))
            for _ in range(pollers)
        ]
        for thread in threads:
            thread.start()
        wait_until(lambda: waiting_pollers(service, WORKER_LIST) == pollers)
        swf.start()
        swf.decide(*[schedule(f"a{index}") for index in range(scheduled)])
        # The decision call hands its tasks to the first waiting polls before it returns.
        assert waiting_pollers(service, WORKER_LIST) == pollers - scheduled
        wait_until(lambda: len(tokens) == scheduled)
        assert all(tokens) and len(set(tokens)) == scheduled
        assert waiting_pollers(service, WORKER_LIST) == pollers - scheduled
    service.close()
    for thread in threads:
        thread.join(timeout=5)
    assert len(tokens) == pollers and tokens[scheduled:] == [""] * (pollers - scheduled)


def wait_until(condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.005)
