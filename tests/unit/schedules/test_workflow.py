"""The scheduler workflow, decision task by decision task (each checked live against a fresh replay)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from simpleflow.schedules import ScheduleWorkflow
from simpleflow.schedules.naming import MARKER
from simpleflow.schedules.workflow import MAX_TIMER_SECONDS
from simpleflow.testing import HistoryBuilder
from tests.unit.executor_driver import Run, attributes

START = datetime(2024, 1, 1, 0, 30, tzinfo=timezone.utc)
NIGHTLY = "tests.unit.schedules.scheduled.Nightly"


def spec(**overrides: Any) -> dict[str, Any]:
    return {"workflow": NIGHTLY, "cadence": {"every": 3600}, "input": [3], **overrides}


def schedule(**overrides: Any) -> Run:
    return Run(ScheduleWorkflow, input=[spec(**overrides)], start_time=START)


def at(builder: HistoryBuilder, instant: datetime) -> None:
    """Move the builder's clock (one second per event) so that its next event comes at ``instant``."""
    builder._clock = instant - timedelta(seconds=1)


def summary(decisions: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """Each decision as (type, what matters of it); the scheduler's wake-up timers left out."""
    shown: list[tuple[str, Any]] = []
    for decision in decisions:
        kind, attrs = decision["decisionType"], attributes(decision)
        if kind == "StartTimer" and attrs["timerId"].startswith("_simpleflow"):
            continue
        if kind == "StartTimer":
            shown.append((kind, (attrs["timerId"], attrs.get("control", "keep-alive"))))
        elif kind == "StartChildWorkflowExecution":
            shown.append((kind, attrs["workflowId"]))
        elif kind == "RecordMarker":
            assert attrs["markerName"] == MARKER
            details = json.loads(attrs["details"])
            shown.append((kind, details.pop("event")))
        elif kind == "CancelTimer":
            shown.append((kind, attrs["timerId"]))
        else:
            shown.append((kind, None))
    return shown


def unordered(decisions: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Decisions whose relative order does not matter (markers are decided when run() blocks)."""
    return sorted(decisions, key=repr)


def first_run_id(hour: int) -> str:
    return f"workflow-1-20240101T{hour:02d}0000Z"


def test_first_decision_waits_for_the_next_fire_time() -> None:
    run = schedule()
    decisions = run.step()
    assert summary(decisions) == [("StartTimer", ("fire-1", "2024-01-01T01:00:00Z"))]
    # The decision task started at 00:30:03 (the third event): the timer ends on the hour, never before.
    assert attributes(decisions[0])["startToFireTimeout"] == str(30 * 60 - 3)


def test_a_cron_schedule_in_a_time_zone() -> None:
    run = Run(
        ScheduleWorkflow,
        input=[spec(cadence={"cron": "0 3 * * *", "timezone": "Europe/Paris"})],
        start_time=START,
    )
    assert summary(run.step()) == [("StartTimer", ("fire-1", "2024-01-01T02:00:00Z"))]


def test_each_fire_time_starts_a_child_named_after_it() -> None:
    run = schedule()
    run.step()
    at(run.builder, datetime(2024, 1, 1, 1, tzinfo=timezone.utc))
    run.builder.timer_fired("fire-1")
    decisions = run.step()
    assert summary(decisions) == [
        ("StartChildWorkflowExecution", first_run_id(1)),
        ("StartTimer", ("fire-2", "2024-01-01T02:00:00Z")),
    ]
    child = attributes(decisions[0])
    assert child["workflowType"] == {"name": "tests.schedules.Nightly", "version": "1.0"}
    assert json.loads(child["input"]) == {"args": [3], "kwargs": {}}
    assert child["taskList"] == {"name": "schedules-tests"}
    # Started at 01:00:02: the next timer ends at 02:00:00.
    assert attributes(decisions[1])["startToFireTimeout"] == str(3600 - 2)


# What a fire time does while the previous run is still open, and once that run closes.
OVERLAP_CASES = [
    ("skip", [("RecordMarker", "skipped")], []),
    ("buffer_one", [("RecordMarker", "buffered")], [("StartChildWorkflowExecution", first_run_id(2))]),
    ("allow_all", [("StartChildWorkflowExecution", first_run_id(2))], []),
]


@pytest.mark.parametrize(
    ("overlap", "on_busy_fire", "on_close"), OVERLAP_CASES, ids=[case[0] for case in OVERLAP_CASES]
)
def test_overlap_policies(overlap: str, on_busy_fire: list[Any], on_close: list[Any]) -> None:
    run = schedule(overlap=overlap)
    run.step()
    run.builder.timer_fired("fire-1")
    run.step()
    run.builder.timer_fired("fire-2")
    decisions = summary(run.step())
    assert unordered(decisions) == unordered(
        [("StartTimer", ("fire-3", "2024-01-01T03:00:00Z")), *on_busy_fire]
    )
    run.builder.child_completed(first_run_id(1), result=6)
    assert summary(run.step()) == on_close


# The decider comes back at 04:20 after the 01:00 timer fired: 01:00 to 04:00 fell due meanwhile.
CATCH_UP_CASES = [
    ("none", [("RecordMarker", "missed")], 4),
    ("last", [("RecordMarker", "missed"), ("StartChildWorkflowExecution", first_run_id(4))], 3),
]


@pytest.mark.parametrize(("catch_up", "expected", "missed"), CATCH_UP_CASES, ids=["none", "last"])
def test_catch_up_after_downtime(catch_up: str, expected: list[Any], missed: int) -> None:
    run = schedule(catch_up=catch_up)
    run.step()
    at(run.builder, datetime(2024, 1, 1, 4, 20, tzinfo=timezone.utc))
    run.builder.timer_fired("fire-1")
    decisions = run.step()
    assert unordered(summary(decisions)) == unordered(
        [*expected, ("StartTimer", ("fire-2", "2024-01-01T05:00:00Z"))]
    )
    marker = next(d for d in decisions if d["decisionType"] == "RecordMarker")
    assert json.loads(attributes(marker)["details"])["count"] == missed


def test_pause_cancels_the_timer_and_resume_takes_the_next_fire_time_after_now() -> None:
    run = schedule()
    run.step()
    run.builder.signaled("schedule.pause")
    decisions = run.step()
    assert unordered(summary(decisions)) == unordered(
        [("CancelTimer", "fire-1"), ("StartTimer", ("fire-2", "keep-alive")), ("RecordMarker", "paused")]
    )
    keep_alive = next(d for d in decisions if attributes(d).get("timerId") == "fire-2")
    assert attributes(keep_alive)["startToFireTimeout"] == str(MAX_TIMER_SECONDS)
    run.builder.timer_canceled("fire-1")
    run.builder.signaled("schedule.pause")  # already paused: nothing to do
    assert summary(run.step()) == []
    at(run.builder, datetime(2024, 1, 1, 2, 10, tzinfo=timezone.utc))
    run.builder.signaled("schedule.resume")
    assert unordered(summary(run.step())) == unordered(
        [
            ("CancelTimer", "fire-2"),
            ("StartTimer", ("fire-3", "2024-01-01T03:00:00Z")),
            ("RecordMarker", "resumed"),
        ]
    )


def test_trigger_starts_a_run_now_even_when_paused() -> None:
    run = schedule()
    run.step()
    run.builder.signaled("schedule.pause")
    run.step()
    at(run.builder, datetime(2024, 1, 1, 0, 45, tzinfo=timezone.utc))
    run.builder.signaled("schedule.trigger")
    run.builder.signaled("schedule.trigger")
    assert summary(run.step()) == [
        # Named after the decision task that saw the signal (started at 00:45:03).
        ("StartChildWorkflowExecution", "workflow-1-20240101T004503Z-trigger-1"),
        ("RecordMarker", "skipped"),  # the second trigger, while the first run is open (skip)
    ]


def test_events_done_together_are_handled_in_event_order() -> None:
    # The pause came before the timer fired: the fire time is not acted on, whatever the future order.
    run = schedule()
    run.step()
    run.builder.signaled("schedule.pause")
    run.builder.timer_fired("fire-1")
    assert summary(run.step()) == [("StartTimer", ("fire-2", "keep-alive")), ("RecordMarker", "paused")]


def test_continue_as_new_after_wakes_per_run_carries_the_state() -> None:
    run = schedule(wakes_per_run=2, overlap="allow_all")
    run.step()
    run.builder.timer_fired("fire-1")
    run.step()
    run.builder.timer_fired("fire-2")
    decisions = run.step()
    assert summary(decisions)[0] == ("StartChildWorkflowExecution", first_run_id(2))
    closing = decisions[-1]
    assert closing["decisionType"] == "ContinueAsNewWorkflowExecution"
    attrs = attributes(closing)
    assert attrs["childPolicy"] == "ABANDON"
    schedule_input, state = json.loads(attrs["input"])["args"]
    assert schedule_input["wakes_per_run"] == 2
    assert state["last_slot"] == "2024-01-01T02:00:00Z"
    assert state["started"] == 2
    assert state["recent"] == [first_run_id(1), first_run_id(2)]


def test_continue_as_new_waits_for_the_open_run_it_must_watch() -> None:
    run = schedule(wakes_per_run=1)
    run.step()
    run.builder.timer_fired("fire-1")
    assert "ContinueAsNewWorkflowExecution" not in Run.types(run.step())  # its run is open (skip)
    run.builder.child_completed(first_run_id(1), result=6)
    assert Run.types(run.step())[-1] == "ContinueAsNewWorkflowExecution"


def test_a_continued_run_goes_on_from_the_state() -> None:
    state = {"last_slot": "2024-01-01T05:00:00Z", "started": 4, "paused": False}
    run = Run(ScheduleWorkflow, input=[spec(), state], start_time=START)
    assert summary(run.step()) == [("StartTimer", ("fire-1", "2024-01-01T06:00:00Z"))]


def test_limit_ends_the_schedule_once_its_runs_closed() -> None:
    run = schedule(limit=1)
    run.step()
    run.builder.timer_fired("fire-1")
    assert summary(run.step()) == [("StartChildWorkflowExecution", first_run_id(1))]  # no next timer
    run.builder.child_failed(first_run_id(1), reason="boom")
    result = Run.result(run.step())
    assert result["started"] == 1
    assert result["closed"] == {first_run_id(1): "TaskFailed"}


def test_a_failing_run_does_not_fail_the_schedule() -> None:
    run = schedule(workflow="tests.unit.schedules.scheduled.Fragile", input=None)
    run.step()
    run.builder.timer_fired("fire-1")
    run.step()
    run.builder.child_failed("workflow-1-20240101T010000Z", reason="always")
    assert summary(run.step()) == []


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"workflow": "tests.unit.schedules.scheduled.Missing"}, "Missing"),
        ({"cadence": {"cron": "not cron"}}, "schedule cron"),
    ],
    ids=["unknown-workflow", "bad-cron"],
)
def test_a_broken_schedule_fails_with_a_clear_reason(overrides: dict[str, Any], reason: str) -> None:
    run = schedule(**overrides)
    decisions = run.step()
    assert decisions[-1]["decisionType"] == "FailWorkflowExecution"
    assert reason in attributes(decisions[-1])["reason"]


def starter(decision: dict[str, Any]) -> tuple[str, list[Any]]:
    attrs = attributes(decision)
    assert attrs["activityType"] == {"name": "simpleflow.schedules.start_run", "version": "1"}
    assert attrs["taskList"] == {"name": "simpleflow.schedules"}
    return attrs["activityId"], json.loads(attrs["input"])["args"]


def test_independent_runs_are_started_by_the_starter_activity() -> None:
    run = schedule(start="independent")
    run.step()
    run.builder.timer_fired("fire-1")
    decisions = run.step()
    assert Run.types(decisions) == ["ScheduleActivityTask", "StartTimer"]
    activity_id, args = starter(decisions[0])
    assert activity_id == f"start-{first_run_id(1)}"
    assert args == [NIGHTLY, first_run_id(1), [3], None]
    run.builder.activity_completed(activity_id, result={"started": True, "workflow_id": first_run_id(1)})
    assert summary(run.step()) == [("RecordMarker", "started")]

    # The next fire time: the starter is told the previous run, and skips while it is open.
    run.builder.timer_fired("fire-2")
    decisions = run.step()
    activity_id, args = starter(decisions[0])
    assert args[3] == first_run_id(1)
    run.builder.activity_completed(activity_id, result={"started": False, "open": first_run_id(1)})
    assert summary(run.step()) == [("RecordMarker", "skipped")]


def test_an_independent_run_that_cannot_start_is_noted_and_the_schedule_goes_on() -> None:
    run = schedule(start="independent", limit=2)
    run.step()
    run.builder.timer_fired("fire-1")
    activity_id, _ = starter(run.step()[0])
    for _attempt in range(3):  # the starter is retried three times
        run.builder.activity_failed(activity_id, reason="UnknownResourceFault")
        assert Run.types(run.step()) == ["ScheduleActivityTask"]
    run.builder.activity_failed(activity_id, reason="UnknownResourceFault")
    decisions = run.step()
    (recorded,) = [d for d in decisions if d["decisionType"] == "RecordMarker"]
    marker = json.loads(attributes(recorded)["details"])
    assert (marker["event"], marker["workflow_id"]) == ("not started", first_run_id(1))
    assert "StartTimer" in Run.types(decisions)  # the limit counts started runs only: it goes on


def test_a_far_fire_time_is_waited_for_in_timers_of_at_most_30_days() -> None:
    run = schedule(cadence={"cron": "0 0 1 1 *"})  # once a year: the next is 2025-01-01
    decisions = run.step()
    assert summary(decisions) == [("StartTimer", ("fire-1", "2025-01-01T00:00:00Z"))]
    assert attributes(decisions[0])["startToFireTimeout"] == str(MAX_TIMER_SECONDS)
    at(run.builder, datetime(2024, 1, 31, 0, 30, tzinfo=timezone.utc))
    run.builder.timer_fired("fire-1")
    # Not the fire time yet: wait again, start nothing.
    assert summary(run.step()) == [("StartTimer", ("fire-2", "2025-01-01T00:00:00Z"))]


def test_a_run_half_a_year_old_continues_as_new_at_its_next_wake_up() -> None:
    run = schedule(cadence={"every": 86400 * 20})
    run.step()
    at(run.builder, datetime(2024, 7, 1, tzinfo=timezone.utc))
    run.builder.signaled("schedule.pause")
    decisions = run.step()
    assert decisions[-1]["decisionType"] == "ContinueAsNewWorkflowExecution"
    _, state = json.loads(attributes(decisions[-1])["input"])["args"]
    assert state["paused"] is True
