"""Answers with history events spliced in as stored: the same JSON as decoding and encoding them again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from simpleflow.localswf.answers import EncodedEvents, decode_answer, encode_answer, json_answerer
from simpleflow.localswf.runs import attributes_key, dump, event_to_wire
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import ACTIVITY, DECIDER_LIST, DOMAIN, WORKER_LIST, WORKFLOW, schedule

TRICKY_TEXT = 'quote " backslash \\ newline \n tab \t nul \x00 é 漢 \u2028 \U0001f600'
# A lone surrogate: JSON can carry one ("\\ud800"), so a stored event's text must keep it escaped.
SURROGATE_TEXT = TRICKY_TEXT + " \ud800"


def stored_row(event_type: str, attrs: dict[str, Any], *, ts: float = 1733241600.123456) -> dict[str, Any]:
    """What an ``events`` row holds for this event (``append_event`` stores ``dump(attrs)``)."""
    return {"event_id": 7, "ts": ts, "event_type": event_type, "attrs": dump(attrs)}


@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"input": SURROGATE_TEXT, "taskList": {"name": "t"}, "tagList": ["a", "b"]},
        {"details": "x" * 40000, "scheduledEventId": 3, "cancelRequested": False},
    ],
    ids=["empty", "tricky-text", "large"],
)
@pytest.mark.parametrize(
    "ts", [0.0, 1733241600.123456, 1e-7, 4102444800.5], ids=["zero", "now", "tiny", "year-2100"]
)
def test_an_event_spliced_from_storage_decodes_to_the_event(attrs, ts):
    row = stored_row("WorkflowExecutionStarted", attrs, ts=ts)
    assert json.loads(event_to_wire(row)) == {
        "eventId": 7,
        "eventTimestamp": ts,
        "eventType": "WorkflowExecutionStarted",
        attributes_key("WorkflowExecutionStarted"): attrs,
    }


@pytest.mark.parametrize(
    "others",
    [{}, {"nextPageToken": "abc"}, {"taskToken": "t", "startedEventId": 3, "workflowType": {"name": "é"}}],
    ids=["events-only", "with-token", "decision-task"],
)
@pytest.mark.parametrize("count", [0, 1, 3], ids=["no-events", "one-event", "three-events"])
def test_encode_answer_splices_events_into_valid_json(others, count):
    attrs = [{"markerName": f"m{n}", "details": SURROGATE_TEXT} for n in range(count)]
    rows = [stored_row("MarkerRecorded", marker) for marker in attrs]
    result = {**others, "events": EncodedEvents(event_to_wire(row) for row in rows)}
    body = encode_answer(result)
    assert json.loads(body) == {**others, "events": [json.loads(event_to_wire(row)) for row in rows]}


def test_an_answer_without_encoded_events_is_plain_json():
    assert encode_answer({"events": [{"eventId": 1}], "count": 2}) == b'{"events":[{"eventId":1}],"count":2}'


def test_encode_answer_refuses_nan():
    with pytest.raises(ValueError):
        encode_answer({"value": float("nan")})


def test_decode_answer_gives_dicts():
    events = EncodedEvents([event_to_wire(stored_row("TimerFired", {"timerId": "t"}))])
    decoded = decode_answer({"events": events})
    assert decoded["events"][0]["timerFiredEventAttributes"] == {"timerId": "t"}
    assert type(decoded["events"]) is list


def test_json_answerer_falls_back_to_handle_for_a_service_without_handle_json():
    class HandleOnly:
        def handle(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
            return {"operation": operation}

    assert json_answerer(HandleOnly())("ListDomains", {}) == b'{"operation":"ListDomains"}'


@pytest.fixture
def started_run(swf_service: SWFService) -> dict[str, Any]:
    """A run with a few events, a decision task taken and answered, and one more scheduled."""
    call = swf_service.handle
    call("RegisterDomain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"})
    call(
        "RegisterWorkflowType",
        {
            "domain": DOMAIN,
            **WORKFLOW,
            "defaultTaskList": {"name": DECIDER_LIST},
            "defaultExecutionStartToCloseTimeout": "3600",
            "defaultTaskStartToCloseTimeout": "300",
            "defaultChildPolicy": "TERMINATE",
        },
    )
    call(
        "RegisterActivityType",
        {
            "domain": DOMAIN,
            **ACTIVITY,
            "defaultTaskList": {"name": WORKER_LIST},
            "defaultTaskScheduleToStartTimeout": "60",
            "defaultTaskScheduleToCloseTimeout": "120",
            "defaultTaskStartToCloseTimeout": "60",
            "defaultTaskHeartbeatTimeout": "NONE",
        },
    )
    run = call(
        "StartWorkflowExecution",
        {"domain": DOMAIN, "workflowId": "w", "workflowType": WORKFLOW, "input": TRICKY_TEXT},
    )
    task = call("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": DECIDER_LIST}})
    call(
        "RespondDecisionTaskCompleted",
        {"taskToken": task["taskToken"], "decisions": [schedule("a", input=TRICKY_TEXT)]},
    )
    call("SignalWorkflowExecution", {"domain": DOMAIN, "workflowId": "w", "signalName": "s", "input": "é"})
    return {"workflowId": "w", "runId": run["runId"]}


@pytest.mark.parametrize(
    "page",
    [{}, {"reverseOrder": True}, {"maximumPageSize": 2}],
    ids=["whole", "reverse", "paged"],
)
def test_history_json_is_the_history_handle_gives(swf_service, started_run, page):
    params = {"domain": DOMAIN, "execution": started_run, **page}
    body = json.loads(swf_service.handle_json("GetWorkflowExecutionHistory", params))
    assert body == swf_service.handle("GetWorkflowExecutionHistory", params)
    first = body["events"][-1 if page.get("reverseOrder") else 0]
    assert first["eventType"] == "WorkflowExecutionStarted"


def test_decision_task_json_carries_every_event_decoded(swf_service, started_run):
    history = swf_service.handle("GetWorkflowExecutionHistory", {"domain": DOMAIN, "execution": started_run})
    task = json.loads(
        swf_service.handle_json("PollForDecisionTask", {"domain": DOMAIN, "taskList": {"name": DECIDER_LIST}})
    )
    started = task["events"][-1]
    assert started["eventType"] == "DecisionTaskStarted"
    assert task["events"][:-1] == history["events"]
    assert task["events"][0]["workflowExecutionStartedEventAttributes"]["input"] == TRICKY_TEXT
    assert task["startedEventId"] == started["eventId"]
