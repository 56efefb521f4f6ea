from __future__ import annotations

import pytest

from simpleflow.exceptions import ConfigurationError, WorkflowFailed
from simpleflow.execution import close_of, parse_tags, result_or_raise


def event(event_id: int, event_type: str, **attributes):
    key = event_type[0].lower() + event_type[1:] + "EventAttributes"
    return {"eventId": event_id, "eventType": event_type, key: attributes}


HISTORY = [
    event(1, "WorkflowExecutionStarted", input="[1]"),
    event(2, "DecisionTaskScheduled"),
    event(5, "ActivityTaskScheduled", activityId="a1"),
    event(6, "ActivityTaskScheduled", activityId="a2"),
    event(7, "ActivityTaskScheduled", activityId="a3"),
    event(8, "ActivityTaskScheduled", activityId="a4"),
    event(9, "ActivityTaskStarted", scheduledEventId=5),
    event(10, "ActivityTaskCompleted", scheduledEventId=5, startedEventId=9),
    event(11, "ActivityTaskStarted", scheduledEventId=6),
    event(12, "ActivityTaskFailed", scheduledEventId=6, startedEventId=11),
    event(13, "ActivityTaskStarted", scheduledEventId=7),
    event(14, "StartChildWorkflowExecutionInitiated", workflowId="child"),
    event(15, "ChildWorkflowExecutionStarted", initiatedEventId=14),
    event(16, "ScheduleActivityTaskFailed", activityId="bad", cause="ACTIVITY_TYPE_DOES_NOT_EXIST"),
]


def test_close_of_open_history_is_none():
    assert close_of(HISTORY) is None
    assert close_of([]) is None


@pytest.mark.parametrize(
    ("event_type", "status"),
    [
        ("WorkflowExecutionCompleted", "COMPLETED"),
        ("WorkflowExecutionFailed", "FAILED"),
        ("WorkflowExecutionTimedOut", "TIMED_OUT"),
        ("WorkflowExecutionCanceled", "CANCELED"),
        ("WorkflowExecutionTerminated", "TERMINATED"),
        ("WorkflowExecutionContinuedAsNew", "CONTINUED_AS_NEW"),
    ],
    ids=["completed", "failed", "timed-out", "canceled", "terminated", "continued"],
)
def test_close_of(event_type, status):
    closed = close_of([*HISTORY, event(20, event_type, result="4")])
    assert closed == (status, {"result": "4"})


def test_result_of_completed_is_decoded():
    assert result_or_raise("COMPLETED", {"result": '{"x": [1, 2]}'}) == {"x": [1, 2]}
    assert result_or_raise("COMPLETED", {}) is None


def test_failed_raises_with_reason_and_decoded_details():
    with pytest.raises(WorkflowFailed) as caught:
        result_or_raise("FAILED", {"reason": "ValueError: bad", "details": '{"error": "ValueError"}'})
    assert caught.value.reason == "ValueError: bad"
    assert caught.value.details == {"error": "ValueError"}


@pytest.mark.parametrize(
    ("status", "attributes", "message"),
    [
        ("TIMED_OUT", {"timeoutType": "START_TO_CLOSE"}, r"timed out \(START_TO_CLOSE\)"),
        ("CANCELED", {}, "canceled"),
        ("TERMINATED", {"reason": "operator"}, "terminated: operator"),
    ],
    ids=["timed-out", "canceled", "terminated"],
)
def test_other_closes_raise(status, attributes, message):
    with pytest.raises(WorkflowFailed, match=message):
        result_or_raise(status, attributes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, []), ("", []), ("a", ["a"]), (" a , b,,c ", ["a", "b", "c"])],
    ids=["none", "empty", "one", "spaces"],
)
def test_parse_tags(text, expected):
    assert parse_tags(text) == expected


def test_parse_tags_refuses_more_than_five():
    with pytest.raises(ConfigurationError, match="at most 5 tags"):
        parse_tags("a,b,c,d,e,f")
