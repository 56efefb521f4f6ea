"""Executor: activity outcomes, retries, SWF refusals, raises_on_failure, ids (table-driven)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from simpleflow.executor import Executor
from simpleflow.history import History
from simpleflow.testing import HistoryBuilder
from tests.fixtures import workflows
from tests.unit.executor_driver import Run, attributes

INCREMENT = "activity-fixtures.increment-1"


def test_basic_workflow_end_to_end() -> None:
    run = Run(workflows.BasicWorkflow, input=[1, 5])
    first = run.step()
    assert Run.types(first) == ["ScheduleActivityTask"]
    assert attributes(first[0])["activityId"] == INCREMENT
    assert attributes(first[0])["input"] == '{"args":[1],"kwargs":{}}'
    assert run.step() == []  # increment still running: nothing new to decide
    run.builder.activity_completed(INCREMENT, result=2)
    second = run.step()
    assert [attributes(d)["activityId"] for d in second] == [
        "activity-fixtures.delay-1",
        "activity-fixtures.double-1",
    ]
    assert attributes(second[0])["input"] == '{"args":[5,2],"kwargs":{}}'
    run.builder.activity_completed("activity-fixtures.double-1", result=4)
    assert run.step() == []  # still waiting on delay
    run.builder.activity_completed("activity-fixtures.delay-1", result=2)
    assert Run.result(run.step()) == 4


def single(which: str = "increment") -> Run:
    run = Run(workflows.SingleWorkflow, input=[which])
    run.step()
    return run


def activity_id(which: str) -> str:
    return f"activity-fixtures.{which}-1"


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (lambda b: b.activity_completed(INCREMENT, result=2), 2),
        (
            lambda b: b.activity_failed(INCREMENT, reason="bad"),
            {"error": "TaskFailed", "message": f"{INCREMENT}: bad"},
        ),
        *[
            (
                lambda b, t=timeout: b.activity_timed_out(INCREMENT, timeout_type=t),
                {"error": "TaskTimedOut", "message": f"{INCREMENT}: timed out ({timeout})"},
            )
            for timeout in ("START_TO_CLOSE", "SCHEDULE_TO_START", "SCHEDULE_TO_CLOSE", "HEARTBEAT")
        ],
        (
            lambda b: b.activity_canceled(INCREMENT),
            {"error": "TaskCanceled", "message": f"{INCREMENT}: canceled"},
        ),
        (
            lambda b: b.schedule_activity_failed(
                INCREMENT, name="fixtures.increment", cause="ACTIVITY_TYPE_DEPRECATED"
            ),
            {"error": "TaskFailed", "message": f"{INCREMENT}: ACTIVITY_TYPE_DEPRECATED"},
        ),
    ],
    ids=[
        "completed",
        "failed",
        "timed-out-start-to-close",
        "timed-out-schedule-to-start",
        "timed-out-schedule-to-close",
        "timed-out-heartbeat",
        "canceled",
        "schedule-failed-permanent",
    ],
)
def test_activity_outcomes(outcome: Callable[[HistoryBuilder], Any], expected: Any) -> None:
    run = single()
    outcome(run.builder)
    assert Run.result(run.step()) == expected


@pytest.mark.parametrize(
    ("failures", "rescheduled"),
    [(1, True), (2, True), (3, False)],
    ids=["first-failure-retried", "second-failure-retried", "retries-exhausted"],
)
def test_retries_reschedule_under_the_same_id(failures: int, rescheduled: bool) -> None:
    run = single("flaky")
    for attempt in range(failures):
        if attempt:
            run.step()
        run.builder.activity_failed(activity_id("flaky"), reason=f"attempt {attempt + 1}")
    decisions = run.replay()
    if rescheduled:
        assert Run.types(decisions) == ["ScheduleActivityTask"]
        assert attributes(decisions[0])["activityId"] == activity_id("flaky")
    else:
        assert run.result(decisions)["error"] == "TaskFailed"


def test_retry_then_success() -> None:
    run = single("flaky")
    run.builder.activity_timed_out(activity_id("flaky"), timeout_type="HEARTBEAT")
    run.step()
    run.builder.activity_completed(activity_id("flaky"), result=1)
    assert Run.result(run.step()) == 1


@pytest.mark.parametrize("cause", ["ACTIVITY_CREATION_RATE_EXCEEDED", "OPEN_ACTIVITIES_LIMIT_EXCEEDED"])
def test_throttled_schedule_is_retried_after_a_back_off_timer(cause: str) -> None:
    run = single()
    run.builder.schedule_activity_failed(INCREMENT, name="fixtures.increment", cause=cause)
    backoff = run.step()
    assert Run.types(backoff) == ["StartTimer"]
    assert attributes(backoff[0])["startToFireTimeout"] == "1"
    assert run.step() == []  # timer not fired yet: nothing lost, nothing doubled
    run.builder.timer_fired(attributes(backoff[0])["timerId"])
    again = run.step()
    assert Run.types(again) == ["ScheduleActivityTask"] and attributes(again[0])["activityId"] == INCREMENT
    run.builder.activity_completed(INCREMENT, result=2)
    assert Run.result(run.step()) == 2


def test_second_throttle_backs_off_longer() -> None:
    run = single()
    for _ in range(2):
        run.builder.schedule_activity_failed(
            INCREMENT, name="fixtures.increment", cause="ACTIVITY_CREATION_RATE_EXCEEDED"
        )
    decisions = run.replay()
    assert attributes(decisions[0])["startToFireTimeout"] == "2"


def test_raises_on_failure_fails_the_workflow() -> None:
    run = single("strict")
    run.builder.activity_failed(activity_id("strict"), reason="nope")
    decisions = run.step()
    assert Run.types(decisions) == ["FailWorkflowExecution"]
    assert attributes(decisions[0])["reason"] == "TaskFailed: activity-fixtures.strict-1: nope"


def test_idempotent_activity_is_scheduled_once_under_an_input_digest() -> None:
    run = Run(workflows.IdempotentWorkflow)
    decisions = run.step()
    assert len(decisions) == 1
    task_id = attributes(decisions[0])["activityId"]
    assert (
        task_id.startswith("activity-fixtures.lookup-")
        and len(task_id) > len("activity-fixtures.lookup-") + 8
    )
    run.builder.activity_completed(task_id, result="k")
    assert Run.result(run.step()) == [True, "k"]


def test_get_task_id_override_and_long_ids_are_shortened_deterministically() -> None:
    first = Run(workflows.CustomIdWorkflow).replay()
    second = Run(workflows.CustomIdWorkflow).replay()
    task_id = attributes(first[0])["activityId"]
    assert len(task_id) == 256 and task_id.startswith("custom-5xxx")
    assert task_id == attributes(second[0])["activityId"]


def test_activity_task_list_override() -> None:
    from simpleflow.executor import Executor

    builder = HistoryBuilder(workflows.SingleWorkflow, input=["increment"])
    decisions = (
        Executor(workflows.SingleWorkflow, activity_task_list="unique-123")
        .replay(builder.decision_task())
        .decisions
    )
    assert attributes(decisions[0])["taskList"] == {"name": "unique-123"}


def test_cancel_request_cancels_the_execution() -> None:
    workflows.CancelAwareWorkflow.canceled.clear()
    run = Run(workflows.CancelAwareWorkflow, verify=False)  # counts hook calls
    run.step()
    run.builder.cancel_requested()
    assert Run.types(run.step()) == ["CancelWorkflowExecution"]
    assert workflows.CancelAwareWorkflow.canceled == ["canceled"]


@pytest.mark.parametrize(
    ("how", "reason", "details"),
    [("fail", "bad input", '{"got":"fail"}'), ("raise", "ValueError: unexpected raise", None)],
    ids=["fail-called-and-swallowed", "unhandled-exception"],
)
def test_workflow_failure(how: str, reason: str, details: str | None) -> None:
    decisions = Run(workflows.FailingWorkflow, input=[how]).step()
    assert Run.types(decisions) == ["FailWorkflowExecution"]
    assert attributes(decisions[0])["reason"] == reason
    if details is not None:
        assert attributes(decisions[0])["details"] == details
    else:
        assert '"error":"ValueError"' in attributes(decisions[0])["details"]


def test_a_history_the_decider_kept_is_replayed_instead_of_the_events() -> None:
    run = single()
    task = run.builder.decision_task()
    run.builder.activity_completed(INCREMENT, result=2)
    folded = History(run.builder.events)
    # The task's own events still have the activity running; the folded history has it completed.
    replay = Executor(workflows.SingleWorkflow).replay(task, history=folded)
    assert Run.result(replay.decisions) == 2
    assert Executor(workflows.SingleWorkflow).replay(task).decisions == []
