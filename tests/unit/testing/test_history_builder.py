"""The shipped history builder fabricates events botocore's SWF model accepts, with consistent links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import botocore.session
import pytest

from simpleflow.testing import HistoryBuilder, Raw

MODEL = botocore.session.get_session().get_service_model("swf")


def assert_matches_shape(value: Any, shape: Any, where: str) -> None:
    if shape.type_name == "structure":
        assert isinstance(value, dict), where
        unknown = set(value) - set(shape.members)
        assert not unknown, f"{where}: members botocore does not know: {unknown}"
        missing = set(shape.required_members) - set(value)
        assert not missing, f"{where}: required members missing: {missing}"
        for name, member in value.items():
            assert_matches_shape(member, shape.members[name], f"{where}.{name}")
    elif shape.type_name == "list":
        for index, item in enumerate(value):
            assert_matches_shape(item, shape.member, f"{where}[{index}]")
    elif shape.type_name == "string":
        assert isinstance(value, str), where
        if shape.enum:
            assert value in shape.enum, f"{where}: {value!r} not in {shape.enum}"
    elif shape.type_name == "long":
        assert isinstance(value, int), where
    elif shape.type_name == "timestamp":
        assert isinstance(value, datetime) and value.tzinfo is not None, where


def full_history() -> HistoryBuilder:
    builder = HistoryBuilder(input=[1, 5], parent_workflow_id="parent", parent_run_id="parent-run")
    builder.complete_decision_task()
    builder.activity_scheduled("a-1", name="tests.fixtures.increment", input=[1])
    builder.activity_completed("a-1", result=2)
    builder.activity_scheduled("a-2", name="tests.fixtures.increment")
    builder.activity_timed_out("a-2", timeout_type="SCHEDULE_TO_START")
    builder.schedule_activity_failed("a-3", name="x", cause="ACTIVITY_CREATION_RATE_EXCEEDED")
    builder.timer_started("t", timeout=5)
    builder.timer_fired("t")
    builder.signaled("go", input={"args": [], "kwargs": {}}, sender_workflow_id="other")
    builder.marker_recorded("m", details={"k": 1})
    builder.child_initiated("parent--child-1", name="child")
    builder.child_terminated("parent--child-1")
    builder.lambda_scheduled("lambda-f-1", name="f", input={"x": 1})
    builder.lambda_failed("lambda-f-1", reason="oops")
    builder.signal_initiated("other", "go", control="signal-go-1")
    builder.external_signaled("signal-go-1", workflow_id="other")
    builder.cancel_requested()
    return builder


def test_every_event_matches_botocores_history_event_shape() -> None:
    shape = MODEL.shape_for("HistoryEvent")
    for event in full_history().decision_task()["events"]:
        assert_matches_shape(event, shape, f"event {event['eventId']} {event['eventType']}")


def test_event_ids_are_dense_and_timestamps_increase() -> None:
    events = full_history().events
    assert [event["eventId"] for event in events] == list(range(1, len(events) + 1))
    stamps = [event["eventTimestamp"] for event in events]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_links_point_at_the_right_events() -> None:
    builder = HistoryBuilder()
    scheduled = builder.activity_scheduled("a", name="n")
    started = builder.activity_started("a")
    completed = builder.activity_completed("a", result=1)
    attrs = builder.events[completed - 1]["activityTaskCompletedEventAttributes"]
    assert (attrs["scheduledEventId"], attrs["startedEventId"]) == (scheduled, started)
    decision_completed = builder.events[scheduled - 1]["activityTaskScheduledEventAttributes"][
        "decisionTaskCompletedEventId"
    ]
    assert builder.events[decision_completed - 1]["eventType"] == "DecisionTaskCompleted"


def test_decision_task_has_poll_response_shape() -> None:
    builder = HistoryBuilder(input=[1])
    task = builder.decision_task()
    assert task["events"][task["startedEventId"] - 1]["eventType"] == "DecisionTaskStarted"
    builder.record_decisions([])
    second = builder.decision_task()
    assert second["previousStartedEventId"] == task["startedEventId"]
    assert second["taskToken"] != task["taskToken"]


@pytest.mark.parametrize(
    ("value", "stored"),
    [([1, 5], "[1,5]"), ({"a": 1}, '{"a":1}'), (Raw("plain text"), "plain text"), ("s", '"s"')],
    ids=["list", "dict", "raw", "string"],
)
def test_payloads_are_json_unless_raw(value: Any, stored: str) -> None:
    builder = HistoryBuilder(input=value)
    assert builder.events[0]["workflowExecutionStartedEventAttributes"]["input"] == stored


def test_unknown_task_is_an_error() -> None:
    with pytest.raises(ValueError, match="never scheduled"):
        HistoryBuilder().activity_completed("nope")
