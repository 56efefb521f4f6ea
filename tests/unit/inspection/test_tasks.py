from __future__ import annotations

from datetime import timedelta

import pytest

from simpleflow.inspection.tasks import TaskStatus, collect_tasks, find_task
from tests.fixtures.histories import START, HistoryBuilder


def seconds(value: float):
    return START + timedelta(seconds=value)


def completed_activity() -> HistoryBuilder:
    history = HistoryBuilder()
    history.workflow_started()
    scheduled = history.at(1).activity_scheduled("activity-inc-1", "examples.basic.increment", input="[1]")
    started = history.at(3).activity_started(scheduled)
    history.at(7.5).activity_completed(scheduled, started, result="2")
    return history


def test_completed_activity_has_its_times_and_payloads():
    (record,) = collect_tasks(completed_activity().events)
    assert record.task_id == "activity-inc-1"
    assert record.kind == "activity"
    assert record.name == "examples.basic.increment"
    assert record.status is TaskStatus.COMPLETED
    assert (record.scheduled_time, record.started_time, record.closed_time) == (
        seconds(1),
        seconds(3),
        seconds(7.5),
    )
    assert record.last_state_time == seconds(7.5)
    assert (record.waiting_seconds, record.running_seconds) == (2.0, 4.5)
    assert (record.input, record.result, record.attempts) == ("[1]", "2", 1)


def test_retry_counts_attempts_and_keeps_the_last_attempt_times():
    history = HistoryBuilder()
    first = history.at(1).activity_scheduled("activity-flaky-1", "flaky")
    started = history.at(2).activity_started(first)
    history.at(3).activity_failed(first, started, reason="ValueError: boom", details="{}")
    second = history.at(4).activity_scheduled("activity-flaky-1", "flaky")
    started = history.at(5).activity_started(second)
    history.at(9).activity_completed(second, started)
    (record,) = collect_tasks(history.events)
    assert record.attempts == 2
    assert record.status is TaskStatus.COMPLETED
    assert record.first_scheduled_time == seconds(1)
    assert (record.scheduled_time, record.closed_time) == (seconds(4), seconds(9))
    # The record describes the last attempt: the first one's failure is not its reason.
    assert record.reason is None


def build_timed_out(history):
    scheduled = history.activity_scheduled("a-1", "slow")
    started = history.activity_started(scheduled)
    history.activity_timed_out(scheduled, started, timeout_type="HEARTBEAT")


def build_failed(history):
    scheduled = history.activity_scheduled("a-1", "bad")
    started = history.activity_started(scheduled)
    history.activity_failed(scheduled, started, reason="KeyError: 'x'", details='{"error": "KeyError"}')


def build_cancel_requested(history):
    scheduled = history.activity_scheduled("a-1", "long")
    history.activity_started(scheduled)
    history.add("ActivityTaskCancelRequested", activityId="a-1", decisionTaskCompletedEventId=0)


def build_schedule_failed(history):
    history.add(
        "ScheduleActivityTaskFailed",
        activityId="a-1",
        activityType={"name": "ghost", "version": "1"},
        cause="ACTIVITY_TYPE_DOES_NOT_EXIST",
        decisionTaskCompletedEventId=0,
    )


def build_timer(history):
    history.add("TimerStarted", timerId="timer-1", startToFireTimeout="30", decisionTaskCompletedEventId=0)
    history.add("TimerFired", timerId="timer-1", startedEventId=1)


def build_child(history):
    initiated = history.add(
        "StartChildWorkflowExecutionInitiated",
        workflowId="parent--child-1",
        workflowType={"name": "child", "version": "1"},
        input="[]",
        taskList={"name": "d"},
        childPolicy="TERMINATE",
        decisionTaskCompletedEventId=0,
    )
    started = history.add(
        "ChildWorkflowExecutionStarted",
        workflowExecution={"workflowId": "parent--child-1", "runId": "run-9"},
        workflowType={"name": "child", "version": "1"},
        initiatedEventId=initiated,
    )
    history.add(
        "ChildWorkflowExecutionTerminated",
        workflowExecution={"workflowId": "parent--child-1", "runId": "run-9"},
        workflowType={"name": "child", "version": "1"},
        initiatedEventId=initiated,
        startedEventId=started,
    )


def build_lambda(history):
    scheduled = history.add("LambdaFunctionScheduled", id="lambda-1", name="resize", input="{}")
    started = history.add("LambdaFunctionStarted", scheduledEventId=scheduled)
    history.add("LambdaFunctionCompleted", scheduledEventId=scheduled, startedEventId=started, result="3")


@pytest.mark.parametrize(
    ("build", "kind", "state", "checks"),
    [
        pytest.param(
            build_timed_out,
            "activity",
            TaskStatus.TIMED_OUT,
            {"timeout_type": "HEARTBEAT"},
            id="timed-out",
        ),
        pytest.param(build_failed, "activity", TaskStatus.FAILED, {"reason": "KeyError: 'x'"}, id="failed"),
        pytest.param(
            build_cancel_requested, "activity", TaskStatus.CANCEL_REQUESTED, {}, id="cancel-requested"
        ),
        pytest.param(
            build_schedule_failed,
            "activity",
            TaskStatus.SCHEDULE_FAILED,
            {"reason": "ACTIVITY_TYPE_DOES_NOT_EXIST", "name": "ghost"},
            id="schedule-failed",
        ),
        pytest.param(build_timer, "timer", TaskStatus.FIRED, {"input": "30"}, id="timer"),
        pytest.param(build_child, "child_workflow", TaskStatus.TERMINATED, {"run_id": "run-9"}, id="child"),
        pytest.param(
            build_lambda, "lambda", TaskStatus.COMPLETED, {"result": "3", "name": "resize"}, id="lambda"
        ),
    ],
)
def test_outcomes(build, kind, state, checks):
    history = HistoryBuilder()
    build(history)
    (record,) = collect_tasks(history.events)
    assert (record.kind, record.status) == (kind, state)
    for attribute, expected in checks.items():
        assert getattr(record, attribute) == expected


def test_records_are_ordered_by_first_schedule_and_found_by_id():
    history = HistoryBuilder()
    history.at(5).activity_scheduled("later", "x")
    history.at(1).activity_scheduled("earlier", "x")
    records = collect_tasks(history.events)
    assert [record.task_id for record in records] == ["earlier", "later"]
    assert find_task(records, "later") is records[1]
    assert find_task(records, "missing") is None
    assert records[0].status is TaskStatus.SCHEDULED and records[0].waiting_seconds is None
