"""The Decider and ActivityWorker actors, against moto's SWF server and canned pages."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.swf.actors import ActivityWorker, Decider, default_identity
from simpleflow.swf.client import make_client
from simpleflow.swf.models import WorkflowExecution
from simpleflow.swf.querysets import ActivityTypeQuerySet
from tests.fixtures.swf_executions import start_execution
from tests.unit.swf.fake_http import answer_with, capture_params


@pytest.fixture
def execution(swf_client: Any, domain: str) -> WorkflowExecution:
    ActivityTypeQuerySet(swf_client, domain).get_or_create(
        "work",
        "1",
        default_task_list="activities",
        default_task_start_to_close_timeout="60",
        default_task_schedule_to_start_timeout="60",
        default_task_schedule_to_close_timeout="120",
        default_task_heartbeat_timeout="30",
    )
    return start_execution(swf_client, domain, "wf-actors")


def schedule(activity_id: str) -> dict[str, Any]:
    return {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityId": activity_id,
            "activityType": {"name": "work", "version": "1"},
            "input": '{"args": [1]}',
        },
    }


def last_event(execution: WorkflowExecution, event_type: str) -> dict[str, Any]:
    events = [e for e in execution.history() if e["eventType"] == event_type]
    assert events, f"no {event_type} in the history"
    return events[-1]


def decide(swf_client: Any, domain: str, decisions: list[dict[str, Any]]) -> dict[str, Any]:
    decider = Decider(swf_client, domain, task_list="decisions")
    task = decider.poll()
    assert task is not None
    decider.complete(task["taskToken"], decisions=decisions, execution_context="ctx")
    return task


def test_decider_polls_the_whole_task_and_completes(
    swf_client: Any, domain: str, execution: WorkflowExecution
) -> None:
    task = decide(swf_client, domain, [schedule("a-1")])
    assert task["workflowExecution"] == execution.reference
    assert task["workflowType"] == {"name": "wf", "version": "1"}
    assert [e["eventType"] for e in task["events"]] == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    assert "ResponseMetadata" not in task
    types = [e["eventType"] for e in execution.history()]
    assert types[-2:] == ["DecisionTaskCompleted", "ActivityTaskScheduled"]


def test_worker_polls_heartbeats_and_completes(
    swf_client: Any, domain: str, execution: WorkflowExecution
) -> None:
    decide(swf_client, domain, [schedule("a-1")])
    worker = ActivityWorker(swf_client, domain, task_list="activities", identity="worker-1")
    task = worker.poll()
    assert task is not None
    assert task["activityId"] == "a-1"
    assert task["input"] == '{"args": [1]}'
    assert worker.heartbeat(task["taskToken"], details="halfway") is False
    worker.complete(task["taskToken"], result="2")
    completed = last_event(execution, "ActivityTaskCompleted")
    assert completed["activityTaskCompletedEventAttributes"]["result"] == "2"
    started = [e for e in execution.history() if e["eventType"] == "ActivityTaskStarted"]
    assert started[0]["activityTaskStartedEventAttributes"]["identity"] == "worker-1"


def test_worker_fails_a_task(swf_client: Any, domain: str, execution: WorkflowExecution) -> None:
    decide(swf_client, domain, [schedule("a-1")])
    worker = ActivityWorker(swf_client, domain, task_list="activities")
    task = worker.poll()
    assert task is not None
    worker.fail(task["taskToken"], reason="ValueError: boom", details='{"error": "ValueError"}')
    failed = last_event(execution, "ActivityTaskFailed")
    assert failed["activityTaskFailedEventAttributes"]["reason"] == "ValueError: boom"


def test_polls_without_tasks_return_none(swf_client: Any, domain: str) -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1")
    answer_with(client, [(200, {"startedEventId": 0, "previousStartedEventId": 0})])
    assert Decider(client, domain, task_list="nothing").poll() is None
    assert ActivityWorker(client, domain, task_list="nothing").poll() is None


def page(events: range, **extra: Any) -> dict[str, Any]:
    return {
        "taskToken": "token",
        "startedEventId": 5,
        "previousStartedEventId": 0,
        "workflowExecution": {"workflowId": "w", "runId": "r"},
        "workflowType": {"name": "wf", "version": "1"},
        "events": [{"eventId": n, "eventType": "MarkerRecorded", "eventTimestamp": 0} for n in events],
        **extra,
    }


def test_decider_merges_every_page_of_a_long_history() -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1")
    pages = [page(range(1, 3), nextPageToken="p2"), page(range(3, 5), nextPageToken="p3"), page(range(5, 6))]
    answer_with(client, [(200, body) for body in pages])
    sent = capture_params(client)
    task = Decider(client, "d", task_list="decisions").poll(page_size=2)
    assert task is not None
    assert [e["eventId"] for e in task["events"]] == [1, 2, 3, 4, 5]
    assert "nextPageToken" not in task
    assert task["taskToken"] == "token"
    assert [params.get("nextPageToken") for _, params in sent] == [None, "p2", "p3"]
    assert all(params["maximumPageSize"] == 2 for _, params in sent)


def history_page(events: range) -> dict[str, Any]:
    return {"events": page(events)["events"]}


def test_a_cached_decider_fetches_only_the_events_since_its_previous_task() -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1")
    answer_with(
        client,
        [
            (200, page(range(1, 6))),
            (200, page(range(5, 10), startedEventId=9, previousStartedEventId=5)),
        ],
    )
    sent = capture_params(client)
    decider = Decider(client, "d", task_list="decisions")
    decider.poll()
    task = decider.poll()
    assert task is not None
    assert [e["eventId"] for e in task["events"]] == list(range(1, 10))
    assert [operation for operation, _ in sent] == ["PollForDecisionTask", "PollForDecisionTask"]
    assert all(params["startAtPreviousStartedEvent"] is True for _, params in sent)


def test_a_cached_decider_reads_the_whole_history_when_the_new_events_leave_a_gap() -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1")
    answer_with(
        client,
        [
            (200, page(range(7, 10), startedEventId=9, previousStartedEventId=7)),
            # The whole history goes beyond the task's started event: those are not the task's.
            (200, history_page(range(1, 12))),
        ],
    )
    sent = capture_params(client)
    decider = Decider(client, "d", task_list="decisions")
    task = decider.poll()
    assert task is not None
    assert [e["eventId"] for e in task["events"]] == list(range(1, 10))
    assert [operation for operation, _ in sent] == ["PollForDecisionTask", "GetWorkflowExecutionHistory"]
    assert decider.history_cache is not None and len(decider.history_cache) == 1


def test_a_decider_without_cache_asks_for_the_whole_history() -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1")
    answer_with(client, [(200, page(range(1, 6)))])
    sent = capture_params(client)
    decider = Decider(client, "d", task_list="decisions", cache_bytes=0)
    decider.poll()
    decider.poll()
    assert decider.history_cache is None
    assert all("startAtPreviousStartedEvent" not in params for _, params in sent)


def test_cached_and_uncached_deciders_see_the_same_history(
    swf_client: Any, domain: str, execution: WorkflowExecution
) -> None:
    """Decision tasks of one run, decided by the cached decider or a fresh one in turn."""
    cached = Decider(swf_client, domain, task_list="decisions")
    fresh = Decider(swf_client, domain, task_list="decisions")
    worker = ActivityWorker(swf_client, domain, task_list="activities")
    for round_number, decider in enumerate([cached, fresh, cached]):
        task = decider.poll()
        assert task is not None
        whole = [e for e in execution.history() if e["eventId"] <= task["startedEventId"]]
        assert [e["eventId"] for e in task["events"]] == [e["eventId"] for e in whole], round_number
        assert [e["eventType"] for e in task["events"]] == [e["eventType"] for e in whole]
        decider.complete(task["taskToken"], decisions=[schedule(f"a-{round_number}")])
        activity = worker.poll()
        assert activity is not None
        worker.complete(activity["taskToken"], result="1")


def test_decider_streams_pages() -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1")
    answer_with(client, [(200, page(range(1, 3), nextPageToken="p2")), (200, page(range(3, 4)))])
    pages = list(Decider(client, "d", task_list="decisions").iter_poll_pages())
    assert [[e["eventId"] for e in p["events"]] for p in pages] == [[1, 2], [3]]


@pytest.mark.parametrize(
    ("call", "operation", "expected"),
    [
        (lambda w: w.cancel("tok", details="stopped"), "RespondActivityTaskCanceled", {"details": "stopped"}),
        (lambda w: w.cancel("tok"), "RespondActivityTaskCanceled", {}),
        (lambda w: w.fail("tok"), "RespondActivityTaskFailed", {}),
        (lambda w: w.complete("tok"), "RespondActivityTaskCompleted", {}),
    ],
    ids=["cancel-with-details", "cancel", "fail-bare", "complete-bare"],
)
def test_worker_responses_send_swf_shapes(call: Any, operation: str, expected: dict[str, str]) -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1")
    answer_with(client, [(200, {})])
    sent = capture_params(client)
    call(ActivityWorker(client, "d", task_list="t"))
    assert sent == [(operation, {"taskToken": "tok", **expected})]


def test_heartbeat_reports_cancel_requests() -> None:
    client = make_client(endpoint_url="http://127.0.0.1:1")
    answer_with(client, [(200, {"cancelRequested": True})])
    assert ActivityWorker(client, "d", task_list="t").heartbeat("tok", details="x") is True


def test_default_identity_names_host_and_pid() -> None:
    identity = default_identity()
    assert identity.endswith(f":{__import__('os').getpid()}")
    assert len(identity) <= 256
