"""What describe reads of a scheduler's history, from histories the scheduler itself made."""

from __future__ import annotations

from datetime import datetime, timezone

from simpleflow.schedules import ScheduleWorkflow
from simpleflow.schedules.view import RunView, read_schedule
from tests.unit.executor_driver import Run
from tests.unit.schedules.test_workflow import START, first_run_id, schedule, spec


def test_runs_markers_and_the_next_fire_times() -> None:
    run = schedule(overlap="buffer_one")
    run.step()
    run.builder.timer_fired("fire-1")
    run.step()
    run.builder.timer_fired("fire-2")  # the first run is open: this one is buffered
    run.step()
    view = read_schedule("nightly", run.builder.events, run_id="run-1")
    assert view.started == 1
    assert view.buffered == first_run_id(2)
    assert view.runs == (RunView(first_run_id(1), "running"),)
    assert view.next_fires == tuple(datetime(2024, 1, 1, hour, tzinfo=timezone.utc) for hour in (3, 4, 5))

    run.builder.child_completed(first_run_id(1), result=6)
    run.step()
    view = read_schedule("nightly", run.builder.events)
    assert (view.started, view.buffered) == (2, None)
    assert view.runs == (RunView(first_run_id(1), "completed"), RunView(first_run_id(2), "running"))


def test_paused_shows_no_next_fire_and_state_carries_over() -> None:
    state = {"last_slot": "2024-01-01T05:00:00Z", "started": 4, "skipped": 2, "recent": ["old-run"]}
    run = Run(ScheduleWorkflow, input=[spec(), state], start_time=START)
    run.step()
    run.builder.signaled("schedule.pause")
    run.step()
    view = read_schedule("nightly", run.builder.events)
    assert view.paused is True
    assert view.next_fires == ()
    assert (view.started, view.skipped) == (4, 2)
    assert view.runs == (RunView("old-run", "earlier"),)


def test_before_any_decision_the_next_fires_come_from_the_start() -> None:
    run = schedule()  # started 2024-01-01 00:30, hourly; no decision task handled yet
    view = read_schedule("nightly", run.builder.events)
    assert view.next_fires == tuple(datetime(2024, 1, 1, hour, tzinfo=timezone.utc) for hour in (1, 2, 3))
