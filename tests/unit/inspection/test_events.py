from __future__ import annotations

import pytest

from simpleflow.inspection.events import EventNarrator
from tests.fixtures.histories import HistoryBuilder


def narrated(history: HistoryBuilder):
    narrator = EventNarrator()
    return [narrator.narrate(event) for event in history.events]


def test_completion_names_its_task_and_result():
    history = HistoryBuilder()
    history.workflow_started(input="[1]")
    scheduled = history.activity_scheduled("activity-inc-1", "inc", input="[1]")
    started = history.activity_started(scheduled)
    history.activity_completed(scheduled, started, result="2")
    summaries = [(event.task_id, event.summary, event.details) for event in narrated(history)]
    assert summaries == [
        (None, "workflow execution started", "input=[1]"),
        ("activity-inc-1", "activity-inc-1: activity task scheduled", "input=[1]"),
        ("activity-inc-1", "activity-inc-1: activity task started", "identity=worker-1"),
        ("activity-inc-1", "activity-inc-1: activity task completed", "result=2"),
    ]


@pytest.mark.parametrize(
    ("event_type", "attributes", "task_id"),
    [
        pytest.param("DecisionTaskStarted", {"scheduledEventId": 1}, None, id="decision-is-no-task"),
        pytest.param("ActivityTaskCompleted", {"scheduledEventId": 99}, "#99", id="unknown-reference"),
        pytest.param("TimerFired", {"timerId": "t-1", "startedEventId": 3}, "t-1", id="timer"),
        pytest.param("WorkflowExecutionSignaled", {"signalName": "go"}, "go", id="signal"),
    ],
)
def test_task_of_events(event_type, attributes, task_id):
    history = HistoryBuilder()
    history.add(event_type, **attributes)
    (event,) = narrated(history)
    assert event.task_id == task_id


def test_long_details_are_shortened_to_one_line():
    history = HistoryBuilder()
    history.add("ActivityTaskFailed", scheduledEventId=1, reason="x" * 500, details="a\nb")
    (event,) = narrated(history)
    assert event.details is not None and "\n" not in event.details
    assert len(event.details) < 250 and event.details.endswith("details=a\\nb")
