"""The 13 decisions and their failure causes, through the in-process client."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from simpleflow.localswf.limits import Limits
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import (
    ACTIVITY,
    DOMAIN,
    WORKFLOW,
    Driver,
    attrs_of,
    complete,
    decision,
    schedule,
    types_of,
)


def last_events(swf: Driver, run_id: str, count: int, *, workflow_id: str = "wf-1") -> list[dict[str, Any]]:
    return swf.events(workflow_id, run_id)[-count:]


def decide_after_signal(swf: Driver, *decisions: dict[str, Any], workflow_id: str = "wf-1") -> None:
    """Give the decider a reason to decide again, then answer with ``decisions``."""
    swf.client.signal_workflow_execution(domain=DOMAIN, workflowId=workflow_id, signalName="go")
    swf.decide(*decisions)


@pytest.mark.parametrize(
    ("setup", "attrs", "cause"),
    [
        (None, {"activityType": {"name": "nope", "version": "1"}}, "ACTIVITY_TYPE_DOES_NOT_EXIST"),
        ("deprecate", {}, "ACTIVITY_TYPE_DEPRECATED"),
        ("bare-type", {"activityType": {"name": "bare", "version": "1"}}, "DEFAULT_TASK_LIST_UNDEFINED"),
        (
            "bare-type",
            {"activityType": {"name": "bare", "version": "1"}, "taskList": {"name": "x"}},
            "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED",
        ),
        (
            "bare-type",
            {
                "activityType": {"name": "bare", "version": "1"},
                "taskList": {"name": "x"},
                "scheduleToCloseTimeout": "9",
            },
            "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED",
        ),
        (
            "bare-type",
            {
                "activityType": {"name": "bare", "version": "1"},
                "taskList": {"name": "x"},
                "scheduleToCloseTimeout": "9",
                "scheduleToStartTimeout": "9",
            },
            "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        ),
    ],
    ids=[
        "unknown-type",
        "deprecated",
        "no-task-list",
        "no-schedule-to-close",
        "no-schedule-to-start",
        "no-start-to-close",
    ],
)
def test_schedule_activity_task_failures(
    swf: Driver, setup: str | None, attrs: dict[str, Any], cause: str
) -> None:
    if setup == "deprecate":
        swf.client.deprecate_activity_type(domain=DOMAIN, activityType=ACTIVITY)
    elif setup == "bare-type":
        swf.client.register_activity_type(domain=DOMAIN, name="bare", version="1")
    run_id = swf.start()
    swf.decide(schedule("a1", **attrs))
    failed = last_events(swf, run_id, 2)
    assert types_of(failed) == ["ScheduleActivityTaskFailed", "DecisionTaskScheduled"]
    assert attrs_of(failed[0])["cause"] == cause
    assert attrs_of(failed[0])["activityId"] == "a1"
    assert attrs_of(failed[0])["decisionTaskCompletedEventId"] == 4


def test_schedule_activity_with_an_id_in_use(swf: Driver) -> None:
    run_id = swf.start()
    swf.decide(schedule("a1"), schedule("a1"))
    history = swf.history("wf-1", run_id)
    assert history[-3:] == ["ActivityTaskScheduled", "ScheduleActivityTaskFailed", "DecisionTaskScheduled"]
    failed = next(
        event for event in swf.events("wf-1", run_id) if event["eventType"] == "ScheduleActivityTaskFailed"
    )
    assert attrs_of(failed)["cause"] == "ACTIVITY_ID_ALREADY_IN_USE"


def test_open_activities_and_timers_limits() -> None:
    from simpleflow.localswf.embedded import embedded_client

    service = SWFService(poll_timeout=0.5, limits=Limits(max_open_activities=2, max_open_timers=1))
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        run_id = swf.start()
        swf.decide(
            schedule("a1"),
            schedule("a2"),
            schedule("a3"),
            decision("StartTimer", timerId="t1", startToFireTimeout="60"),
            decision("StartTimer", timerId="t2", startToFireTimeout="60"),
        )
        causes = [
            attrs_of(event)["cause"]
            for event in swf.events("wf-1", run_id)
            if event["eventType"].endswith("Failed")
        ]
        assert causes == ["OPEN_ACTIVITIES_LIMIT_EXCEEDED", "OPEN_TIMERS_LIMIT_EXCEEDED"]
    service.close()


def test_request_cancel_of_a_scheduled_activity_cancels_it_at_once(swf: Driver) -> None:
    run_id = swf.start()
    swf.decide(schedule("a1"))
    decide_after_signal(swf, decision("RequestCancelActivityTask", activityId="a1"))
    events = last_events(swf, run_id, 3)
    assert types_of(events) == [
        "ActivityTaskCancelRequested",
        "ActivityTaskCanceled",
        "DecisionTaskScheduled",
    ]
    assert attrs_of(events[1])["latestCancelRequestedEventId"] == events[0]["eventId"]
    assert "taskToken" not in swf.poll_activity()


def test_request_cancel_of_an_unknown_activity(swf: Driver) -> None:
    run_id = swf.start()
    swf.decide(decision("RequestCancelActivityTask", activityId="ghost"))
    failed = last_events(swf, run_id, 2)[0]
    assert failed["eventType"] == "RequestCancelActivityTaskFailed"
    assert attrs_of(failed) == {
        "activityId": "ghost",
        "cause": "ACTIVITY_ID_UNKNOWN",
        "decisionTaskCompletedEventId": 4,
    }


@pytest.mark.parametrize(
    ("close", "event_type", "close_status", "attrs"),
    [
        (complete("r"), "WorkflowExecutionCompleted", "COMPLETED", {"result": "r"}),
        (
            decision("FailWorkflowExecution", reason="why", details="how"),
            "WorkflowExecutionFailed",
            "FAILED",
            {"reason": "why", "details": "how"},
        ),
        (
            decision("CancelWorkflowExecution", details="bye"),
            "WorkflowExecutionCanceled",
            "CANCELED",
            {"details": "bye"},
        ),
    ],
    ids=["complete", "fail", "cancel"],
)
def test_close_decisions(
    swf: Driver, close: dict[str, Any], event_type: str, close_status: str, attrs: dict[str, Any]
) -> None:
    run_id = swf.start()
    swf.decide(decision("RecordMarker", markerName="m", details="d"), close)
    events = last_events(swf, run_id, 2)
    assert types_of(events) == ["MarkerRecorded", event_type]
    assert attrs_of(events[1]) == {**attrs, "decisionTaskCompletedEventId": 4}
    info = swf.describe("wf-1", run_id)["executionInfo"]
    assert (info["executionStatus"], info["closeStatus"]) == ("CLOSED", close_status)
    with pytest.raises(ClientError) as excinfo:
        swf.client.signal_workflow_execution(domain=DOMAIN, workflowId="wf-1", signalName="late")
    assert excinfo.value.response["Error"]["Code"] == "UnknownResourceFault"


def test_close_decision_that_is_not_last_fails_as_unhandled(swf: Driver) -> None:
    run_id = swf.start()
    swf.decide(complete("early"), decision("RecordMarker", markerName="m"))
    events = last_events(swf, run_id, 3)
    assert types_of(events) == ["CompleteWorkflowExecutionFailed", "MarkerRecorded", "DecisionTaskScheduled"]
    assert attrs_of(events[0])["cause"] == "UNHANDLED_DECISION"
    assert swf.describe("wf-1", run_id)["executionInfo"]["executionStatus"] == "OPEN"


def test_close_decision_racing_new_events_fails_as_unhandled(swf: Driver) -> None:
    run_id = swf.start()
    task = swf.poll_decision()
    swf.client.signal_workflow_execution(domain=DOMAIN, workflowId="wf-1", signalName="meanwhile")
    swf.client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[complete()])
    history = swf.history("wf-1", run_id)
    assert history[-3:] == [
        "DecisionTaskCompleted",
        "CompleteWorkflowExecutionFailed",
        "DecisionTaskScheduled",
    ]
    swf.decide(complete())
    assert swf.history("wf-1", run_id)[-1] == "WorkflowExecutionCompleted"


def test_timers_start_cancel_and_fail(swf: Driver) -> None:
    run_id = swf.start()
    swf.decide(
        decision("StartTimer", timerId="t1", startToFireTimeout="600", control="c"),
        decision("StartTimer", timerId="t1", startToFireTimeout="600"),
        decision("CancelTimer", timerId="t1"),
        decision("CancelTimer", timerId="t1"),
    )
    events = last_events(swf, run_id, 5)
    assert types_of(events) == [
        "TimerStarted",
        "StartTimerFailed",
        "TimerCanceled",
        "CancelTimerFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs_of(events[0]) == {
        "timerId": "t1",
        "control": "c",
        "startToFireTimeout": "600",
        "decisionTaskCompletedEventId": 4,
    }
    assert attrs_of(events[1])["cause"] == "TIMER_ID_ALREADY_IN_USE"
    assert attrs_of(events[2])["startedEventId"] == events[0]["eventId"]
    assert attrs_of(events[3])["cause"] == "TIMER_ID_UNKNOWN"
    assert swf.describe("wf-1", run_id)["openCounts"]["openTimers"] == 0


def test_a_timer_fires(swf: Driver) -> None:
    run_id = swf.start()
    swf.decide(decision("StartTimer", timerId="soon", startToFireTimeout="1"))
    task = poll_until_task(swf)
    assert types_of(task["events"])[-3:] == ["TimerFired", "DecisionTaskScheduled", "DecisionTaskStarted"]
    fired = attrs_of(task["events"][-3])
    assert fired == {"timerId": "soon", "startedEventId": 5}
    assert swf.describe("wf-1", run_id)["openCounts"]["openTimers"] == 0


def poll_until_task(swf: Driver, *, attempts: int = 10) -> dict[str, Any]:
    for _ in range(attempts):
        task = swf.poll_decision()
        if task.get("taskToken"):
            return task
    raise AssertionError("no decision task came")


def test_continue_as_new(swf: Driver) -> None:
    first_run = swf.start(tagList=["x"])
    swf.decide(decision("ContinueAsNewWorkflowExecution", input="next", tagList=["y"]))
    closed = swf.describe("wf-1", first_run)["executionInfo"]
    assert closed["closeStatus"] == "CONTINUED_AS_NEW"
    continued = attrs_of(swf.events("wf-1", first_run)[-1])
    new_run = continued["newExecutionRunId"]
    assert new_run != first_run
    assert continued["input"] == "next"
    assert continued["workflowType"] == WORKFLOW
    task = swf.poll_decision()
    assert task["workflowExecution"] == {"workflowId": "wf-1", "runId": new_run}
    started = attrs_of(task["events"][0])
    assert started["continuedExecutionRunId"] == first_run
    assert started["input"] == "next"
    assert started["tagList"] == ["y"]


def test_continue_as_new_with_unknown_version_fails(swf: Driver) -> None:
    run_id = swf.start()
    swf.decide(decision("ContinueAsNewWorkflowExecution", workflowTypeVersion="9"))
    failed = last_events(swf, run_id, 2)[0]
    assert failed["eventType"] == "ContinueAsNewWorkflowExecutionFailed"
    assert attrs_of(failed)["cause"] == "WORKFLOW_TYPE_DOES_NOT_EXIST"


def test_record_marker_does_not_schedule_a_decision(swf: Driver) -> None:
    run_id = swf.start()
    swf.decide(decision("RecordMarker", markerName="m", details="{}"))
    assert swf.history("wf-1", run_id)[-1] == "MarkerRecorded"


def test_unknown_decision_type_is_refused_without_changing_history(swf: Driver) -> None:
    run_id = swf.start()
    task = swf.poll_decision()
    before = swf.history("wf-1", run_id)
    with pytest.raises(ClientError) as excinfo:
        swf.client.respond_decision_task_completed(
            taskToken=task["taskToken"], decisions=[schedule("a1"), {"decisionType": "Dance"}]
        )
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    assert swf.history("wf-1", run_id) == before
    swf.client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[complete()])


def test_next_decision_task_on_another_task_list(swf: Driver) -> None:
    swf.start()
    swf.decide(schedule("a1"), taskList={"name": "elsewhere"})
    swf.work()
    task = swf.poll_decision("elsewhere")
    assert task["taskToken"]
