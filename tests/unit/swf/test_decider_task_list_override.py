"""``Decider.complete(task_list=..., task_list_timeout=...)``: what it sends and refuses, where tasks go."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from simpleflow.exceptions import ConfigurationError
from simpleflow.localswf.clock import VirtualClock
from simpleflow.localswf.embedded import IN_PROCESS_ENDPOINT
from simpleflow.localswf.inprocess import attach
from simpleflow.localswf.service import SWFService
from simpleflow.swf.actors import ActivityWorker, Decider
from simpleflow.swf.client import make_client
from simpleflow.swf.querysets import ActivityTypeQuerySet
from tests.fixtures.swf_executions import start_execution
from tests.unit.swf.fake_http import answer_with, capture_params


def sent_by(**options: Any) -> dict[str, Any]:
    """The parameters ``Decider.complete("tok", **options)`` sends."""
    client = make_client(endpoint_url="http://127.0.0.1:1")
    answer_with(client, [(200, {})])
    sent = capture_params(client)
    Decider(client, "d", task_list="shared", cache_bytes=0).complete("tok", **options)
    assert len(sent) == 1 and sent[0][0] == "RespondDecisionTaskCompleted"
    return sent[0][1]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {}),
        ({"task_list": "host-1"}, {"taskList": {"name": "host-1"}}),
        (
            {"task_list": "host-1", "task_list_timeout": 30},
            {"taskList": {"name": "host-1"}, "taskListScheduleToStartTimeout": "30"},
        ),
        (
            {"task_list": "host-1", "task_list_timeout": 0},
            {"taskList": {"name": "host-1"}, "taskListScheduleToStartTimeout": "0"},
        ),
    ],
    ids=["no-override", "permanent", "temporary", "zero-timeout"],
)
def test_complete_sends_the_override(options: dict[str, Any], expected: dict[str, Any]) -> None:
    assert sent_by(**options) == {"taskToken": "tok", "decisions": [], **expected}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"task_list_timeout": 30}, "task_list_timeout needs a task_list"),
        ({"task_list": ""}, "task_list must be a non-empty task list name, not ''"),
        ({"task_list": "host-1", "task_list_timeout": -1}, "not -1"),
        ({"task_list": "host-1", "task_list_timeout": 100_000_000}, "not 100000000"),
        ({"task_list": "host-1", "task_list_timeout": 2.5}, "not 2.5"),
        ({"task_list": "host-1", "task_list_timeout": True}, "not True"),
        ({"task_list": "host-1", "task_list_timeout": "30"}, "not '30'"),
    ],
    ids=["timeout-without-list", "empty-list", "negative", "over-8-digits", "float", "bool", "string"],
)
def test_complete_refuses_an_unusable_override_before_sending(options: dict[str, Any], message: str) -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1")
    sent = capture_params(client)
    with pytest.raises(ConfigurationError, match=message):
        Decider(client, "d", task_list="shared", cache_bytes=0).complete("tok", **options)
    assert sent == []


@pytest.fixture
def embedded() -> Iterator[Any]:
    service = SWFService(poll_timeout=0.3)
    client = make_client(endpoint_url=IN_PROCESS_ENDPOINT, max_attempts=1)
    attach(client, service)
    client.register_domain(name="affinity", workflowExecutionRetentionPeriodInDays="1")
    yield client
    service.close()


def test_the_next_decision_task_comes_to_the_deciders_own_list(embedded: Any) -> None:
    start_execution(embedded, "affinity", "wf-sticky")
    shared = Decider(embedded, "affinity", task_list="decisions")
    own = Decider(embedded, "affinity", task_list="decisions-host-1")
    first = shared.poll()
    assert first is not None
    marker = {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": "m"}}
    timer = {
        "decisionType": "StartTimer",
        "startTimerDecisionAttributes": {"timerId": "t", "startToFireTimeout": "0"},
    }
    shared.complete(
        first["taskToken"], decisions=[marker, timer], task_list=own.task_list, task_list_timeout=60
    )
    assert shared.poll() is None
    second = own.poll()
    assert second is not None
    assert second["workflowExecution"] == first["workflowExecution"]
    scheduled = [e for e in second["events"] if e["eventType"] == "DecisionTaskScheduled"][-1]
    assert scheduled["decisionTaskScheduledEventAttributes"]["taskList"] == {"name": "decisions-host-1"}
    assert scheduled["decisionTaskScheduledEventAttributes"]["scheduleToStartTimeout"] == "60"


def test_a_run_whose_decider_is_gone_comes_back_to_another_with_its_whole_history() -> None:
    clock = VirtualClock(quiet_period=1.0)
    service = SWFService(poll_timeout=0.3, clock=clock)
    client = make_client(endpoint_url=IN_PROCESS_ENDPOINT, max_attempts=1)
    attach(client, service)
    try:
        client.register_domain(name="affinity", workflowExecutionRetentionPeriodInDays="1")
        ActivityTypeQuerySet(client, "affinity").get_or_create(
            "work",
            "1",
            default_task_list="activities",
            default_task_start_to_close_timeout="60",
            default_task_schedule_to_start_timeout="600",
            default_task_schedule_to_close_timeout="600",
            default_task_heartbeat_timeout="NONE",
        )
        start_execution(client, "affinity", "wf-gone")
        gone = Decider(client, "affinity", task_list="decisions")
        other = Decider(client, "affinity", task_list="decisions")
        first = gone.poll()
        assert first is not None
        work = {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {
                "activityId": "a1",
                "activityType": {"name": "work", "version": "1"},
            },
        }
        gone.complete(first["taskToken"], decisions=[work], task_list="decisions-gone", task_list_timeout=60)
        worker = ActivityWorker(client, "affinity", task_list="activities")
        activity = worker.poll()
        assert activity is not None
        worker.complete(activity["taskToken"], result="1")
        assert other.poll() is None  # the task waits on the list of the decider that is gone
        clock.advance(61)
        task = None
        deadline = time.monotonic() + 15
        while task is None and time.monotonic() < deadline:
            task = other.poll()
        assert task is not None, "the task did not come back to the shared list"
        events = task["events"]
        assert [event["eventId"] for event in events] == list(range(1, task["startedEventId"] + 1))
        timed_out = [event for event in events if event["eventType"] == "DecisionTaskTimedOut"]
        assert [event["decisionTaskTimedOutEventAttributes"]["timeoutType"] for event in timed_out] == [
            "SCHEDULE_TO_START"
        ]
        other.complete(task["taskToken"], task_list="decisions-other", task_list_timeout=60)
    finally:
        service.close()
