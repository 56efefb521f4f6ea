"""Decision and activity tasks: the round trip, long polls, tokens, heartbeats, pending counts."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.unit.localswf.driver import (
    DECIDER_LIST,
    DOMAIN,
    WORKER_LIST,
    Driver,
    attrs_of,
    complete,
    decision,
    schedule,
    types_of,
)


def test_workflow_round_trip(swf: Driver) -> None:
    run_id = swf.start("wf-1", input="[1]", tagList=["a", "b"])
    first = swf.decide(schedule("a1", input="x", control="c"))
    assert types_of(first["events"]) == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    assert first["startedEventId"] == 3
    assert first["previousStartedEventId"] == 0
    assert first["workflowExecution"] == {"workflowId": "wf-1", "runId": run_id}
    started = attrs_of(first["events"][0])
    assert started["input"] == "[1]"
    assert started["tagList"] == ["a", "b"]
    assert started["taskList"] == {"name": DECIDER_LIST}
    assert started["childPolicy"] == "TERMINATE"
    activity = swf.poll_activity()
    assert activity["activityId"] == "a1"
    assert activity["input"] == "x"
    assert activity["activityType"] == {"name": "act", "version": "1"}
    assert activity["workflowExecution"] == {"workflowId": "wf-1", "runId": run_id}
    swf.client.respond_activity_task_completed(taskToken=activity["taskToken"], result="42")
    second = swf.decide(complete("done"))
    assert second["previousStartedEventId"] == 3
    assert types_of(second["events"])[3:] == [
        "DecisionTaskCompleted",
        "ActivityTaskScheduled",
        "ActivityTaskStarted",
        "ActivityTaskCompleted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    scheduled = attrs_of(second["events"][4])
    assert scheduled["activityId"] == "a1"
    assert scheduled["taskList"] == {"name": WORKER_LIST}
    assert scheduled["scheduleToStartTimeout"] == "300"
    assert scheduled["heartbeatTimeout"] == "NONE"
    assert scheduled["decisionTaskCompletedEventId"] == 4
    completed = attrs_of(second["events"][6])
    assert completed == {"result": "42", "scheduledEventId": 5, "startedEventId": 6}
    events = swf.events("wf-1", run_id)
    assert types_of(events)[-2:] == ["DecisionTaskCompleted", "WorkflowExecutionCompleted"]
    assert [event["eventId"] for event in events] == list(range(1, len(events) + 1))
    info = swf.describe("wf-1", run_id)["executionInfo"]
    assert info["executionStatus"] == "CLOSED"
    assert info["closeStatus"] == "COMPLETED"


def test_empty_poll_returns_an_empty_token_after_the_poll_timeout(swf: Driver) -> None:
    started = time.monotonic()
    assert "taskToken" not in swf.poll_decision()
    assert "taskToken" not in swf.poll_activity()
    assert time.monotonic() - started >= 0.9  # two polls of 0.5 s each


def test_long_poll_wakes_as_soon_as_a_task_is_scheduled(swf: Driver) -> None:
    results: list[dict[str, Any]] = []
    poller = threading.Thread(target=lambda: results.append(swf.poll_decision()))
    service_poll_timeout = 0.5
    poller.start()
    time.sleep(0.05)  # let the poll start waiting; the assertion below does not depend on it
    began = time.monotonic()
    swf.start("wf-wake")
    poller.join(timeout=5)
    assert results and results[0]["taskToken"]
    assert time.monotonic() - began < service_poll_timeout


def test_a_long_poll_does_not_block_other_calls(swf: Driver) -> None:
    poller = threading.Thread(target=swf.poll_activity)
    poller.start()
    began = time.monotonic()
    swf.client.describe_domain(name=DOMAIN)
    assert time.monotonic() - began < 0.3
    poller.join(timeout=5)


def test_one_decision_task_at_a_time_and_exactly_one_after_events_during_a_started_task(swf: Driver) -> None:
    run_id = swf.start("wf-1")
    for index in range(3):
        swf.client.signal_workflow_execution(domain=DOMAIN, workflowId="wf-1", signalName=f"s{index}")
    assert (
        swf.client.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": DECIDER_LIST})["count"] == 1
    )
    task = swf.poll_decision()
    swf.client.signal_workflow_execution(domain=DOMAIN, workflowId="wf-1", signalName="during")
    swf.client.signal_workflow_execution(domain=DOMAIN, workflowId="wf-1", signalName="during-2")
    assert (
        swf.client.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": DECIDER_LIST})["count"] == 0
    )
    swf.client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    assert (
        swf.client.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": DECIDER_LIST})["count"] == 1
    )
    history = swf.history("wf-1", run_id)
    assert history.count("DecisionTaskScheduled") == 2
    assert history[-1] == "DecisionTaskScheduled"
    assert swf.describe("wf-1", run_id)["openCounts"]["openDecisionTasks"] == 1


def test_no_new_decision_task_without_new_events(swf: Driver) -> None:
    swf.start("wf-1")
    swf.decide()
    assert (
        swf.client.count_pending_decision_tasks(domain=DOMAIN, taskList={"name": DECIDER_LIST})["count"] == 0
    )


def test_decision_task_history_pages(swf: Driver) -> None:
    run_id = swf.start("wf-1")
    for index in range(5):
        swf.client.signal_workflow_execution(domain=DOMAIN, workflowId="wf-1", signalName=f"s{index}")
    first = swf.poll_decision(maximumPageSize=3)
    assert len(first["events"]) == 3
    events = list(first["events"])
    token = first.get("nextPageToken")
    while token:
        page = swf.poll_decision(nextPageToken=token, maximumPageSize=3)
        assert page["taskToken"] == first["taskToken"]
        assert page["startedEventId"] == first["startedEventId"]
        events.extend(page["events"])
        token = page.get("nextPageToken")
    assert [event["eventId"] for event in events] == list(range(1, first["startedEventId"] + 1))
    assert types_of(events) == swf.history("wf-1", run_id)
    reverse = swf.poll_decision(reverseOrder=True)
    assert "taskToken" not in reverse  # the task is started: nothing else to hand out


def test_decision_task_in_reverse_order_and_from_the_previous_started_event(swf: Driver) -> None:
    swf.start("wf-1")
    swf.decide()
    swf.client.signal_workflow_execution(domain=DOMAIN, workflowId="wf-1", signalName="s")
    task = swf.poll_decision(reverseOrder=True, startAtPreviousStartedEvent=True)
    ids = [event["eventId"] for event in task["events"]]
    assert ids == sorted(ids, reverse=True)
    assert ids[-1] == task["previousStartedEventId"] == 3
    assert ids[0] == task["startedEventId"]


def test_activity_failed_and_canceled_responses(swf: Driver) -> None:
    run_id = swf.start("wf-1")
    swf.decide(schedule("a1"), schedule("a2"))
    first, second = swf.poll_activity(), swf.poll_activity()
    swf.client.respond_activity_task_failed(taskToken=first["taskToken"], reason="boom", details="trace")
    swf.client.respond_activity_task_canceled(taskToken=second["taskToken"], details="gave up")
    events = swf.events("wf-1", run_id)
    by_type = {event["eventType"]: attrs_of(event) for event in events}
    assert by_type["ActivityTaskFailed"]["reason"] == "boom"
    assert by_type["ActivityTaskFailed"]["details"] == "trace"
    assert by_type["ActivityTaskCanceled"]["details"] == "gave up"


@pytest.mark.parametrize(
    "respond",
    [
        lambda client, token: client.respond_activity_task_completed(taskToken=token),
        lambda client, token: client.respond_activity_task_failed(taskToken=token),
        lambda client, token: client.record_activity_task_heartbeat(taskToken=token),
        lambda client, token: client.respond_decision_task_completed(taskToken=token),
    ],
    ids=["completed", "failed", "heartbeat", "decision"],
)
def test_unknown_tokens_are_unknown_resources(swf: Driver, respond: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        respond(swf.client, "no-such-token")
    assert excinfo.value.response["Error"]["Code"] == "UnknownResourceFault"


def test_a_token_answers_once(swf: Driver) -> None:
    swf.start("wf-1")
    task = swf.decide(schedule("a1"))
    with pytest.raises(ClientError) as excinfo:
        swf.client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    assert excinfo.value.response["Error"]["Code"] == "UnknownResourceFault"
    activity = swf.work()
    with pytest.raises(ClientError) as excinfo:
        swf.client.respond_activity_task_completed(taskToken=activity["taskToken"])
    assert excinfo.value.response["Error"]["Code"] == "UnknownResourceFault"


def test_heartbeat_reports_cancel_requests(swf: Driver) -> None:
    run_id = swf.start("wf-1")
    swf.decide(schedule("a1"))
    activity = swf.poll_activity()
    beat = swf.client.record_activity_task_heartbeat(taskToken=activity["taskToken"], details="10%")
    assert beat["cancelRequested"] is False
    swf.client.signal_workflow_execution(domain=DOMAIN, workflowId="wf-1", signalName="stop")
    swf.decide(request_cancel("a1"))
    beat = swf.client.record_activity_task_heartbeat(taskToken=activity["taskToken"], details="50%")
    assert beat["cancelRequested"] is True
    swf.client.respond_activity_task_canceled(taskToken=activity["taskToken"])
    events = swf.events("wf-1", run_id)
    requested = next(event for event in events if event["eventType"] == "ActivityTaskCancelRequested")
    canceled = attrs_of(next(event for event in events if event["eventType"] == "ActivityTaskCanceled"))
    assert canceled["latestCancelRequestedEventId"] == requested["eventId"]


def request_cancel(activity_id: str) -> dict[str, Any]:
    return decision("RequestCancelActivityTask", activityId=activity_id)


def test_pending_activity_counts_and_priorities(swf: Driver) -> None:
    swf.start("wf-1")
    swf.decide(schedule("low", taskPriority="1"), schedule("high", taskPriority="10"), schedule("mid"))
    pending = swf.client.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": WORKER_LIST})
    assert (pending["count"], pending["truncated"]) == (3, False)
    order = [swf.poll_activity()["activityId"] for _ in range(3)]
    assert order == ["high", "low", "mid"]
    assert (
        swf.client.count_pending_activity_tasks(domain=DOMAIN, taskList={"name": WORKER_LIST})["count"] == 0
    )


def test_describe_counts_open_work(swf: Driver) -> None:
    run_id = swf.start("wf-1", tagList=["t"])
    timer = decision("StartTimer", timerId="t1", startToFireTimeout="600")
    swf.decide(schedule("a1"), schedule("a2"), timer, executionContext="ctx-1")
    detail = swf.describe("wf-1", run_id)
    assert detail["openCounts"] == {
        "openActivityTasks": 2,
        "openDecisionTasks": 0,
        "openTimers": 1,
        "openChildWorkflowExecutions": 0,
        "openLambdaFunctions": 0,
    }
    assert detail["latestExecutionContext"] == "ctx-1"
    assert "latestActivityTaskTimestamp" in detail
    assert detail["executionInfo"]["tagList"] == ["t"]
    assert detail["executionConfiguration"]["taskList"] == {"name": DECIDER_LIST}
    assert detail["executionConfiguration"]["executionStartToCloseTimeout"] == "3600"
