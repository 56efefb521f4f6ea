from __future__ import annotations

import pytest

from simpleflow.exceptions import ConfigurationError
from simpleflow.repair import completed_results, parse_repair, task_key


def event(event_id: int, event_type: str, **attributes):
    key = event_type[0].lower() + event_type[1:] + "EventAttributes"
    return {"eventId": event_id, "eventType": event_type, key: attributes}


def scheduled(event_id: int, activity_id: str, name: str, input_text: str):
    return event(
        event_id,
        "ActivityTaskScheduled",
        activityId=activity_id,
        activityType={"name": name, "version": "1"},
        input=input_text,
    )


def test_completed_results_keeps_only_completed_tasks():
    events = [
        scheduled(5, "activity-inc-1", "inc", "[1]"),
        scheduled(6, "activity-double-1", "double", "[2]"),
        event(7, "ActivityTaskCompleted", scheduledEventId=5, result="2"),
        event(8, "ActivityTaskFailed", scheduledEventId=6, reason="boom"),
    ]
    assert completed_results(events) == {("activity-inc-1", "inc", "1", "[1]"): "2"}


def test_task_key_matches_the_scheduled_event():
    task = {"activityId": "activity-inc-1", "activityType": {"name": "inc", "version": "1"}, "input": "[1]"}
    assert task_key(task) == ("activity-inc-1", "inc", "1", "[1]")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("wf-1", ("wf-1", None)), ("wf-1 run-2", ("wf-1", "run-2")), ("  wf-1   run-2 ", ("wf-1", "run-2"))],
    ids=["workflow-id", "with-run-id", "extra-spaces"],
)
def test_parse_repair(value, expected):
    assert parse_repair(value) == expected


@pytest.mark.parametrize("value", ["", "a b c"], ids=["empty", "three"])
def test_parse_repair_refuses(value):
    with pytest.raises(ConfigurationError, match="--repair takes"):
        parse_repair(value)
