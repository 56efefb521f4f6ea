"""Executor: retry delays and the attempt number each scheduling carries to the worker (table-driven)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from simpleflow import activity, payload, settings
from simpleflow.exceptions import ConfigurationError, NondeterminismError
from simpleflow.executor import Executor
from simpleflow.testing import HistoryBuilder
from tests.fixtures import workflows
from tests.unit.executor_driver import Run, attributes

PATIENT = "activity-fixtures.patient-1"
FLAKY = "activity-fixtures.flaky-1"


def input_of(decision: dict[str, Any]) -> Any:
    return json.loads(attributes(decision)["input"])


def single(which: str) -> Run:
    run = Run(workflows.SingleWorkflow, input=[which])
    run.step()
    return run


def fail_once(builder: HistoryBuilder, task_id: str) -> None:
    builder.activity_failed(task_id, reason="boom")


def time_out_once(builder: HistoryBuilder, task_id: str) -> None:
    builder.activity_timed_out(task_id, timeout_type="HEARTBEAT")


@pytest.mark.parametrize("close", [fail_once, time_out_once], ids=["failed", "timed-out"])
@pytest.mark.parametrize(
    ("which", "task_id", "timer"),
    [
        ("patient", PATIENT, {"timerId": f"_simpleflow-retry-2-{PATIENT}", "startToFireTimeout": "30"}),
        ("flaky", FLAKY, None),
    ],
    ids=["retry-delay-30", "no-retry-delay"],
)
def test_retry_waits_for_its_delay_timer(
    which: str, task_id: str, timer: dict[str, str] | None, close: Callable[[HistoryBuilder, str], None]
) -> None:
    run = single(which)
    close(run.builder, task_id)
    decisions = run.step()
    if timer is not None:
        assert Run.types(decisions) == ["StartTimer"]
        assert attributes(decisions[0]) == timer
        assert run.step() == []  # the delay is running: nothing scheduled, nothing doubled
        run.builder.timer_fired(timer["timerId"])
        decisions = run.step()
    assert Run.types(decisions) == ["ScheduleActivityTask"]
    assert attributes(decisions[0])["activityId"] == task_id  # a retry keeps the id
    assert input_of(decisions[0]) == {"args": [1], "kwargs": {}, payload.ATTEMPT_KEY: 2}
    run.builder.activity_completed(task_id, result=1)
    assert Run.result(run.step()) == 1


@pytest.mark.parametrize(
    ("history", "expected_input"),
    [
        ([], {"args": [1], "kwargs": {}}),
        (["failed"], {"args": [1], "kwargs": {}, "__attempt": 2}),
        (["failed", "failed"], {"args": [1], "kwargs": {}, "__attempt": 3}),
        (["refused"], {"args": [1], "kwargs": {}}),
        (["failed", "refused"], {"args": [1], "kwargs": {}, "__attempt": 2}),
    ],
    ids=["first", "second", "third", "first-after-refusal", "second-after-refusal"],
)
def test_each_scheduling_carries_its_attempt_number(history: list[str], expected_input: Any) -> None:
    run = Run(workflows.SingleWorkflow, input=["flaky"])
    decisions = run.replay()
    for step in history:
        if step == "failed":
            run.builder.record_decisions(decisions)
            run.builder.activity_failed(FLAKY, reason="boom")
        else:  # SWF refused the schedule: the decision left no ActivityTaskScheduled
            run.builder.record_decisions([])
            run.builder.schedule_activity_failed(
                FLAKY, name="fixtures.flaky", cause="ACTIVITY_CREATION_RATE_EXCEEDED"
            )
            run.builder.timer_fired(attributes(run.step()[0])["timerId"])
        decisions = run.replay()
    assert Run.types(decisions) == ["ScheduleActivityTask"]
    assert input_of(decisions[0]) == expected_input
    run.builder.record_decisions(decisions)
    # Replaying over the recorded retry is deterministic: the attempt key is not a change of input.
    assert run.step() == []


def test_a_retry_with_other_arguments_is_nondeterministic() -> None:
    run = single("flaky")
    run.builder.activity_failed(FLAKY, reason="boom")
    run.step()
    changed = Executor(workflows.SingleWorkflow)
    task = run.builder.decision_task()
    start = task["events"][0]["workflowExecutionStartedEventAttributes"]
    start["input"] = json.dumps(["flaky", 7])
    with pytest.raises(NondeterminismError, match=FLAKY):
        changed.replay(task)


@pytest.mark.parametrize(
    ("setting", "given", "expected"),
    [(0, activity.DEFAULT, 0), (15, activity.DEFAULT, 15), (15, 4, 4)],
    ids=["default-0", "from-settings", "explicit-wins"],
)
def test_retry_delay_default_comes_from_settings(
    monkeypatch: pytest.MonkeyPatch, setting: int, given: Any, expected: int
) -> None:
    monkeypatch.setattr(settings, "ACTIVITY_RETRY_DELAY", setting)

    @activity.with_attributes(name="fixtures.retry-delay-setting", retry=1, retry_delay=given)
    def sample() -> None:
        return None

    assert sample.retry_delay == expected


@pytest.mark.parametrize("value", [-1, 1.5, True, "10"], ids=["negative", "float", "bool", "string"])
def test_retry_delay_must_be_whole_seconds(value: Any) -> None:
    with pytest.raises(ConfigurationError, match="retry_delay"):
        activity.with_attributes(name="fixtures.bad-delay", retry_delay=value)(lambda: None)
