"""The history query layer answers per-task questions from boto3-shaped events."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simpleflow.history import ExternalState, History, TaskKind, TaskState, TimerState
from simpleflow.testing import HistoryBuilder, Raw

ACTIVITY = "activity-tests.fixtures.increment-1"


def scheduled() -> HistoryBuilder:
    builder = HistoryBuilder(input=[1])
    builder.activity_scheduled(ACTIVITY, name="tests.fixtures.increment", input={"args": [1]})
    return builder


@pytest.mark.parametrize(
    ("outcome", "state", "field", "value"),
    [
        (lambda b: None, TaskState.SCHEDULED, "result", None),
        (lambda b: b.activity_started(ACTIVITY), TaskState.STARTED, "result", None),
        (lambda b: b.activity_completed(ACTIVITY, result=2), TaskState.COMPLETED, "result", "2"),
        (lambda b: b.activity_failed(ACTIVITY, reason="bad"), TaskState.FAILED, "reason", "bad"),
        (
            lambda b: b.activity_timed_out(ACTIVITY, timeout_type="HEARTBEAT"),
            TaskState.TIMED_OUT,
            "timeout_type",
            "HEARTBEAT",
        ),
        (lambda b: b.activity_canceled(ACTIVITY, details="bye"), TaskState.CANCELED, "details", '"bye"'),
    ],
    ids=["scheduled", "started", "completed", "failed", "timed-out", "canceled"],
)
def test_activity_outcomes(outcome: Callable, state: TaskState, field: str, value: object) -> None:
    builder = scheduled()
    outcome(builder)
    record = History(builder.events).activity(ACTIVITY)
    assert record is not None
    assert record.state is state
    assert getattr(record.last, field) == value
    assert record.last.name == "tests.fixtures.increment"
    assert record.last.input == '{"args":[1]}'


def test_retries_add_attempts_to_the_same_id() -> None:
    builder = scheduled()
    builder.activity_failed(ACTIVITY)
    builder.activity_scheduled(ACTIVITY, name="tests.fixtures.increment")
    builder.activity_timed_out(ACTIVITY)
    builder.schedule_activity_failed(
        ACTIVITY, name="tests.fixtures.increment", cause="OPEN_ACTIVITIES_LIMIT_EXCEEDED"
    )
    record = History(builder.events).activity(ACTIVITY)
    assert record is not None
    assert [attempt.state for attempt in record.attempts] == [
        TaskState.FAILED,
        TaskState.TIMED_OUT,
        TaskState.SCHEDULE_FAILED,
    ]
    assert record.attempt_count == 2
    assert record.consecutive_schedule_failures == 1
    assert record.last.cause == "OPEN_ACTIVITIES_LIMIT_EXCEEDED"
    assert record.scheduled is record.attempts[1]


def test_flowy_style_predicates_and_open_count() -> None:
    builder = scheduled()
    builder.activity_scheduled("other", name="x")
    builder.activity_completed("other")
    history = History(builder.events)
    assert history.is_running(TaskKind.ACTIVITY, ACTIVITY)
    assert history.has_result(TaskKind.ACTIVITY, "other")
    assert not history.is_error(TaskKind.ACTIVITY, "other")
    assert history.open_activity_count() == 1
    assert [record.task_id for record in history.tasks()] == [ACTIVITY, "other"]


@pytest.mark.parametrize(
    ("outcome", "state", "attribute", "value"),
    [
        (lambda b: b.child_completed("c", result=[1]), TaskState.COMPLETED, "result", "[1]"),
        (lambda b: b.child_failed("c", reason="r"), TaskState.FAILED, "reason", "r"),
        (lambda b: b.child_timed_out("c"), TaskState.TIMED_OUT, "timeout_type", "START_TO_CLOSE"),
        (lambda b: b.child_canceled("c"), TaskState.CANCELED, "details", None),
        (lambda b: b.child_terminated("c"), TaskState.TERMINATED, "reason", None),
        (lambda b: b.child_started("c"), TaskState.STARTED, "run_id", "c-run"),
        (
            lambda b: b.start_child_failed("c", name="child", cause="WORKFLOW_ALREADY_RUNNING"),
            TaskState.SCHEDULE_FAILED,
            "cause",
            "WORKFLOW_ALREADY_RUNNING",
        ),
    ],
    ids=["completed", "failed", "timed-out", "canceled", "terminated", "started", "start-failed"],
)
def test_child_workflow_outcomes(outcome: Callable, state: TaskState, attribute: str, value: object) -> None:
    builder = HistoryBuilder()
    builder.child_initiated("c", name="child", input=[2])
    outcome(builder)
    record = History(builder.events).child_workflow("c")
    assert record is not None and record.state is state
    assert getattr(record.last, attribute) == value


def test_child_start_failed_without_initiated_event() -> None:
    builder = HistoryBuilder()
    builder.start_child_failed("c", name="child", cause="WORKFLOW_TYPE_DOES_NOT_EXIST")
    record = History(builder.events).child_workflow("c")
    assert record is not None and record.state is TaskState.SCHEDULE_FAILED


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        (lambda b: b.lambda_completed("l", result=1), TaskState.COMPLETED),
        (lambda b: b.lambda_failed("l"), TaskState.FAILED),
        (lambda b: b.lambda_timed_out("l"), TaskState.TIMED_OUT),
        (
            lambda b: b.add_event(
                "StartLambdaFunctionFailed", scheduledEventId=b.scheduled_event, cause="ASSUME_ROLE_FAILED"
            ),
            TaskState.FAILED,
        ),
    ],
    ids=["completed", "failed", "timed-out", "start-failed"],
)
def test_lambda_outcomes(outcome: Callable, state: TaskState) -> None:
    builder = HistoryBuilder()
    builder.scheduled_event = builder.lambda_scheduled("l", name="f")  # type: ignore[attr-defined]
    outcome(builder)
    record = History(builder.events).lambda_function("l")
    assert record is not None and record.state is state


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        (lambda b: None, TimerState.STARTED),
        (lambda b: b.timer_fired("t"), TimerState.FIRED),
        (lambda b: b.timer_canceled("t"), TimerState.CANCELED),
    ],
    ids=["started", "fired", "canceled"],
)
def test_timers(outcome: Callable, state: TimerState) -> None:
    builder = HistoryBuilder()
    builder.timer_started("t", timeout=30)
    outcome(builder)
    timer = History(builder.events).timer("t")
    assert timer is not None and timer.state is state and timer.start_to_fire_timeout == "30"


def test_start_timer_failed_keeps_a_running_timer() -> None:
    builder = HistoryBuilder()
    builder.timer_started("t")
    builder.start_timer_failed("t", cause="TIMER_ID_ALREADY_IN_USE")
    builder.start_timer_failed("u", cause="OPEN_TIMERS_LIMIT_EXCEEDED")
    history = History(builder.events)
    assert history.timer("t").state is TimerState.STARTED  # type: ignore[union-attr]
    assert history.timer("u").cause == "OPEN_TIMERS_LIMIT_EXCEEDED"  # type: ignore[union-attr]


def test_signals_markers_and_cancel_requests() -> None:
    builder = HistoryBuilder()
    builder.signaled("go", input=[1], sender_workflow_id="parent")
    builder.signaled("stop")
    builder.marker_recorded("m", details=Raw("x"))
    builder.add_event(
        "RecordMarkerFailed", markerName="n", cause="OPERATION_NOT_PERMITTED", decisionTaskCompletedEventId=1
    )
    builder.cancel_requested(cause="CHILD_POLICY_APPLIED")
    history = History(builder.events)
    assert [(s.name, s.input, s.sender_workflow_id) for s in history.signals("go")] == [
        ("go", "[1]", "parent")
    ]
    assert len(history.signals()) == 2
    assert [(m.name, m.details, m.failed_cause) for m in history.markers()] == [
        ("m", "x", None),
        ("n", None, "OPERATION_NOT_PERMITTED"),
    ]
    assert history.cancel_requested is not None and history.cancel_requested.cause == "CHILD_POLICY_APPLIED"


@pytest.mark.parametrize(
    ("close", "state", "cause"),
    [
        (lambda b: b.external_signaled("ctl", workflow_id="w"), ExternalState.DELIVERED, None),
        (
            lambda b: b.signal_external_failed("ctl", workflow_id="w"),
            ExternalState.FAILED,
            "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
        ),
        (lambda b: None, ExternalState.INITIATED, None),
    ],
    ids=["delivered", "failed", "initiated"],
)
def test_sent_signals(close: Callable, state: ExternalState, cause: str | None) -> None:
    builder = HistoryBuilder()
    builder.signal_initiated("w", "go", control="ctl", input=[1])
    close(builder)
    sent = History(builder.events).sent_request("ctl")
    assert sent is not None and (sent.state, sent.cause, sent.signal_name) == (state, cause, "go")


def test_workflow_start_and_decision_failures() -> None:
    builder = HistoryBuilder(input=[1, 5], workflow_name="basic", tag_list=["a"], parent_workflow_id="p")
    builder.complete_decision_task(execution_context="ctx")
    builder.add_event(
        "CompleteWorkflowExecutionFailed", cause="UNHANDLED_DECISION", decisionTaskCompletedEventId=4
    )
    history = History(builder.events)
    assert history.start is not None
    assert (history.start.workflow_name, history.start.input, history.start.tag_list) == (
        "basic",
        "[1,5]",
        ("a",),
    )
    assert history.start.parent_workflow_id == "p"
    assert history.execution_context == "ctx"
    assert [(f.event_type, f.cause) for f in history.decision_failures] == [
        ("CompleteWorkflowExecutionFailed", "UNHANDLED_DECISION")
    ]
