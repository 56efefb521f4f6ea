from datetime import datetime, timedelta, timezone

import pytest

from simpleflow.schedules.clock import EventClock
from simpleflow.testing import HistoryBuilder

START = datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def builder() -> HistoryBuilder:
    builder = HistoryBuilder(workflow_name="scheduler", start_time=START)
    builder.decision_task()
    builder.complete_decision_task()
    return builder


def at(seconds: int) -> datetime:
    return START + timedelta(seconds=seconds)


def test_the_time_of_a_wake_up_is_the_start_of_the_decision_task_after_its_event(builder) -> None:
    builder.timer_started("fire-1", timeout=60)
    fired = builder.timer_fired("fire-1")
    signal = builder.signaled("schedule.pause")
    started = builder.open_decision_task()
    clock = EventClock(builder.events)
    assert (clock.timer_fired("fire-1"), clock.signal("schedule.pause", 1)) == (fired, signal)
    assert clock.signal("schedule.pause", 2) is None
    # Both were handled by the decision task that started after them.
    assert clock.decision_time(fired) == clock.decision_time(signal) == at(started)
    # The first decision task handled the start.
    assert clock.decision_time(1) == at(3)


def test_refusals_end_their_futures_too(builder) -> None:
    refused_timer = builder.start_timer_failed("fire-1", cause="TIMER_CREATION_RATE_EXCEEDED")
    refused_activity = builder.schedule_activity_failed("start-x", name="simpleflow.schedules.start_run")
    clock = EventClock(builder.events)
    assert clock.timer_fired("fire-1") == refused_timer
    assert clock.activity_closed("start-x") == refused_activity


def test_an_unknown_event_takes_the_latest_decision_task(builder) -> None:
    started = builder.open_decision_task()
    assert EventClock(builder.events).decision_time(10_000) == at(started)
