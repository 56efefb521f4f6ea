"""The six timeouts, timers and retention, on a virtual clock that skips idle time.

Where a task is started the service is not idle and never skips; those tests move the clock by hand.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from simpleflow.localswf.clock import VirtualClock
from tests.unit.localswf.driver import DOMAIN, Driver, attrs_of, decision, schedule, types_of


def next_task(swf: Driver, **params: Any) -> dict[str, Any]:
    """The next decision task: long polls until one comes (bounded)."""
    for _ in range(5):
        task = swf.poll_decision(**params)
        if task.get("taskToken"):
            return task
    raise AssertionError("no decision task came")


def timed_out(task: dict[str, Any], event_type: str) -> dict[str, Any]:
    event = next(event for event in reversed(task["events"]) if event["eventType"] == event_type)
    return attrs_of(event)


def test_activity_schedule_to_start_timeout_skips_idle_time(
    virtual_swf: Driver, virtual_clock: VirtualClock
) -> None:
    swf = virtual_swf
    swf.start()
    swf.decide(schedule("a1", scheduleToStartTimeout="300"))
    before = virtual_clock.now()
    began = time.monotonic()
    task = next_task(swf)
    attrs = timed_out(task, "ActivityTaskTimedOut")
    assert attrs["timeoutType"] == "SCHEDULE_TO_START"
    assert attrs["startedEventId"] == 0
    assert virtual_clock.now() - before >= 299
    assert time.monotonic() - began < 30  # far below the idle time skipped: proves the jump


def test_activity_schedule_to_close_timeout(virtual_swf: Driver) -> None:
    swf = virtual_swf
    swf.start()
    swf.decide(schedule("a1", scheduleToStartTimeout="600", scheduleToCloseTimeout="100"))
    assert timed_out(next_task(swf), "ActivityTaskTimedOut")["timeoutType"] == "SCHEDULE_TO_CLOSE"


def test_activity_start_to_close_timeout_and_the_late_answer(
    virtual_swf: Driver, virtual_clock: VirtualClock
) -> None:
    swf = virtual_swf
    swf.start()
    swf.decide(schedule("a1", startToCloseTimeout="60"))
    activity = swf.poll_activity()
    virtual_clock.advance(61)
    attrs = timed_out(next_task(swf), "ActivityTaskTimedOut")
    assert attrs["timeoutType"] == "START_TO_CLOSE"
    assert attrs["startedEventId"] == activity["startedEventId"]
    with pytest.raises(ClientError) as excinfo:
        swf.client.respond_activity_task_completed(taskToken=activity["taskToken"], result="late")
    assert excinfo.value.response["Error"]["Code"] == "UnknownResourceFault"


def test_heartbeats_keep_an_activity_alive_until_they_stop(
    virtual_swf: Driver, virtual_clock: VirtualClock
) -> None:
    swf = virtual_swf
    swf.start()
    swf.decide(schedule("a1", heartbeatTimeout="10"))
    activity = swf.poll_activity()
    for step in range(3):
        virtual_clock.advance(6)
        swf.client.record_activity_task_heartbeat(taskToken=activity["taskToken"], details=f"step {step}")
    assert "taskToken" not in swf.poll_decision()  # 18 s went by, but never 10 without a beat
    virtual_clock.advance(11)
    attrs = timed_out(next_task(swf), "ActivityTaskTimedOut")
    assert attrs["timeoutType"] == "HEARTBEAT"
    assert attrs["details"] == "step 2"
    with pytest.raises(ClientError) as excinfo:
        swf.client.record_activity_task_heartbeat(taskToken=activity["taskToken"])
    assert excinfo.value.response["Error"]["Code"] == "UnknownResourceFault"


def test_decision_task_start_to_close_timeout(virtual_swf: Driver, virtual_clock: VirtualClock) -> None:
    swf = virtual_swf
    swf.start(taskStartToCloseTimeout="30")
    stale = swf.poll_decision()
    virtual_clock.advance(31)
    task = next_task(swf)
    assert types_of(task["events"])[-3:] == [
        "DecisionTaskTimedOut",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    attrs = timed_out(task, "DecisionTaskTimedOut")
    assert attrs == {"timeoutType": "START_TO_CLOSE", "scheduledEventId": 2, "startedEventId": 3}
    assert task["previousStartedEventId"] == 0
    with pytest.raises(ClientError) as excinfo:
        swf.client.respond_decision_task_completed(taskToken=stale["taskToken"], decisions=[])
    assert excinfo.value.response["Error"]["Code"] == "UnknownResourceFault"


def test_decision_task_schedule_to_start_timeout(virtual_swf: Driver, virtual_clock: VirtualClock) -> None:
    swf = virtual_swf
    swf.start()
    swf.decide(
        decision("StartTimer", timerId="t", startToFireTimeout="1000"),
        taskList={"name": "nobody-polls-here"},
        taskListScheduleToStartTimeout="20",
    )
    # The timer fires (skipped to); its decision task waits on a list nobody polls, which is pending
    # work, so time only moves by hand from there.
    deadline = time.monotonic() + 10
    while (
        swf.client.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": "nobody-polls-here"})[
            "count"
        ]
        == 0
    ):
        assert time.monotonic() < deadline, "the timer did not fire"
        swf.poll_activity()
    virtual_clock.advance(21)
    task = next_task(swf)
    attrs = timed_out(task, "DecisionTaskTimedOut")
    assert attrs["timeoutType"] == "SCHEDULE_TO_START"
    assert "TimerFired" in types_of(task["events"])


def test_execution_start_to_close_timeout_applies_the_child_policy(virtual_swf: Driver) -> None:
    swf = virtual_swf
    run_id = swf.start("parent", executionStartToCloseTimeout="500")
    swf.decide(
        decision(
            "StartChildWorkflowExecution", workflowId="kid", workflowType={"name": "wf", "version": "1"}
        ),
    )
    for _ in range(2):
        task = next_task(swf)
        swf.client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    deadline = time.monotonic() + 30
    while swf.describe("parent", run_id)["executionInfo"]["executionStatus"] == "OPEN":
        assert time.monotonic() < deadline, "the execution did not time out"
        swf.poll_activity()  # a long poll: waits without sleeping a fixed time
    events = swf.events("parent", run_id)
    assert events[-1]["eventType"] == "WorkflowExecutionTimedOut"
    assert attrs_of(events[-1]) == {"timeoutType": "START_TO_CLOSE", "childPolicy": "TERMINATE"}
    kid = swf.client.list_closed_workflow_executions(
        domain=DOMAIN, startTimeFilter={"oldestDate": 0}, executionFilter={"workflowId": "kid"}
    )["executionInfos"][0]
    assert kid["closeStatus"] == "TERMINATED"


def test_a_half_hour_timer_finishes_at_once(virtual_swf: Driver) -> None:
    swf = virtual_swf
    swf.start()
    swf.decide(decision("StartTimer", timerId="hour", startToFireTimeout="1800"))
    began = time.monotonic()
    task = next_task(swf)
    assert timed_out(task, "TimerFired")["timerId"] == "hour"
    assert time.monotonic() - began < 30  # far below the idle time skipped: proves the jump


def test_no_skip_while_an_activity_is_running(virtual_swf: Driver, virtual_clock: VirtualClock) -> None:
    swf = virtual_swf
    swf.start()
    swf.decide(schedule("a1"), decision("StartTimer", timerId="hour", startToFireTimeout="1800"))
    swf.poll_activity()
    before = virtual_clock.now()
    assert "taskToken" not in swf.poll_decision()
    assert virtual_clock.now() - before < 60


def test_retention_is_not_a_reason_to_skip_time(virtual_swf: Driver, virtual_clock: VirtualClock) -> None:
    swf = virtual_swf
    run_id = swf.start()
    swf.decide(decision("CompleteWorkflowExecution"))
    before = virtual_clock.now()
    swf.poll_activity()  # a 3-second long poll: the service is idle long enough to skip, if it would
    assert virtual_clock.now() - before < 60
    assert swf.describe("wf-1", run_id)["executionInfo"]["closeStatus"] == "COMPLETED"


def test_retention_purges_closed_executions(swf_client: Any) -> None:
    swf = Driver(swf_client).setup(retention="0")
    run_id = swf.start()
    swf.decide(decision("CompleteWorkflowExecution"))
    deadline = time.monotonic() + 30
    while True:
        try:
            swf.describe("wf-1", run_id)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "UnknownResourceFault"
            break
        assert time.monotonic() < deadline, "the closed execution was not purged after its retention"
        swf.poll_activity()


def test_a_decider_and_a_worker_polling_all_along_let_time_skip(
    virtual_swf: Driver, virtual_clock: VirtualClock
) -> None:
    """As a --local run does: long-polling threads are waiting, not working, so timers are skipped to."""
    swf = virtual_swf
    client = swf.client
    stop = threading.Event()

    def decider() -> None:
        while not stop.is_set():
            task = swf.poll_decision()
            if not task.get("taskToken"):
                continue
            last = task["events"][-3]["eventType"]
            if last == "WorkflowExecutionStarted":
                decisions = [decision("StartTimer", timerId="nap", startToFireTimeout="1800")]
            elif last == "TimerFired":
                decisions = [schedule("after-nap")]
            elif last == "ActivityTaskCompleted":
                decisions = [decision("CompleteWorkflowExecution")]
            else:
                decisions = []
            client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)

    def worker() -> None:
        while not stop.is_set():
            task = swf.poll_activity()
            if task.get("taskToken"):
                client.respond_activity_task_completed(taskToken=task["taskToken"], result="ok")

    threads = [threading.Thread(target=decider), threading.Thread(target=worker)]
    for thread in threads:
        thread.start()
    began_real, began_virtual = time.monotonic(), virtual_clock.now()
    run_id = swf.start()
    deadline = time.monotonic() + 20
    try:
        while swf.describe("wf-1", run_id)["executionInfo"]["executionStatus"] == "OPEN":
            assert time.monotonic() < deadline, "the workflow did not finish"
            stop.wait(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert swf.history("wf-1", run_id)[-1] == "WorkflowExecutionCompleted"
    assert virtual_clock.now() - began_virtual >= 1800
    assert time.monotonic() - began_real < 20
