"""When a virtual clock may skip time, for in-process pollers and for pollers in other processes.

The rule is checked in each in-flight state with the scheduler held back (a quiet period it never
reaches), so that no skip changes the state under the test; then a few runs show its effect.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from simpleflow.localswf.clock import SystemClock, VirtualClock
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import Driver, decision, schedule, types_of

HOUR_TIMER = decision("StartTimer", timerId="hour", startToFireTimeout="3600")
#: The driver's workflow type times out after an hour: its runs here get a day, the timer comes first.
DAY = "86400"
#: Longer than any test: the scheduler of a service on this clock never skips on its own.
NEVER = 3600.0


def make_service(*, remote_pollers: bool, quiet_period: float = NEVER, **options: Any) -> SWFService:
    return SWFService(clock=VirtualClock(quiet_period=quiet_period), remote_pollers=remote_pollers, **options)


@pytest.fixture(params=[False, True], ids=["in-process", "remote-pollers"])
def held(request: pytest.FixtureRequest) -> Iterator[tuple[SWFService, Driver]]:
    """A service whose scheduler never skips by itself, and a driver over it."""
    service = make_service(remote_pollers=request.param, poll_timeout=0.2)
    with embedded_client(service) as client:
        yield service, Driver(client).setup()
    service.close()


def is_quiescent(service: SWFService, *, quiet_period: float = 0.0) -> bool:
    with service._lock:
        return service._is_quiescent(quiet_period)


def timer_pending(swf: Driver) -> None:
    swf.start(executionStartToCloseTimeout=DAY)
    swf.decide(HOUR_TIMER)


def decision_scheduled(swf: Driver) -> None:
    """A decider between two polls: the execution's first decision task waits."""
    swf.start(executionStartToCloseTimeout=DAY)


def decision_started(swf: Driver) -> None:
    """A decider working on its task."""
    swf.start(executionStartToCloseTimeout=DAY)
    swf.poll_decision()


def activity_scheduled(swf: Driver) -> None:
    """A worker process starting up, or between two polls: nobody polls the activity's list now."""
    swf.start(executionStartToCloseTimeout=DAY)
    swf.decide(schedule("a1"), HOUR_TIMER)


def activity_started(swf: Driver) -> None:
    """A worker running the activity (or its forked child running it)."""
    activity_scheduled(swf)
    assert swf.poll_activity().get("taskToken")


def activity_heartbeating(swf: Driver) -> None:
    swf.start(executionStartToCloseTimeout=DAY)
    swf.decide(schedule("a1", heartbeatTimeout="10"), HOUR_TIMER)
    task = swf.poll_activity()
    swf.client.record_activity_task_heartbeat(taskToken=task["taskToken"])


def activity_done(swf: Driver) -> None:
    """The activity completed: its decision task is scheduled for the decider."""
    activity_scheduled(swf)
    swf.work()


def activity_done_and_decided(swf: Driver) -> None:
    """The decider answered the completion with nothing new: only the timer is left."""
    activity_done(swf)
    swf.decide()


# (state, quiescent in process, quiescent with remote pollers)
RULE: list[tuple[Callable[[Driver], None], bool, bool]] = [
    (timer_pending, True, True),
    (decision_scheduled, False, False),
    (decision_started, False, False),
    (activity_scheduled, True, False),
    (activity_started, False, False),
    (activity_heartbeating, False, False),
    (activity_done, False, False),
    (activity_done_and_decided, True, True),
]


@pytest.mark.parametrize(
    ("reach", "in_process", "remote"), RULE, ids=[reach.__name__.replace("_", "-") for reach, *_ in RULE]
)
def test_the_quiescence_rule_in_each_state(
    held: tuple[SWFService, Driver], reach: Callable[[Driver], None], in_process: bool, remote: bool
) -> None:
    service, swf = held
    reach(swf)
    assert is_quiescent(service) is (remote if service.remote_pollers else in_process)


def test_a_recent_change_holds_the_clock_for_the_quiet_period(held: tuple[SWFService, Driver]) -> None:
    """A client that just changed something (it started a run, a decider or worker may follow) holds the
    clock, whichever pollers there are."""
    service, swf = held
    timer_pending(swf)
    assert not is_quiescent(service, quiet_period=NEVER)
    assert is_quiescent(service, quiet_period=0.0)


def test_a_scheduled_activity_waits_for_a_late_worker_with_remote_pollers() -> None:
    """The worker process comes after many quiet periods: its task did not time out meanwhile, and the
    clock did not jump to the timer pending beside it."""
    service = make_service(remote_pollers=True, quiet_period=0.02, poll_timeout=0.5)
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        swf.start(executionStartToCloseTimeout=DAY)
        swf.decide(schedule("a1", scheduleToStartTimeout="60"), HOUR_TIMER)
        before = service.clock.now()
        # A decision task would come at once if a skip timed the activity out or fired the timer.
        assert "taskToken" not in swf.poll_decision()
        assert service.clock.now() - before < 60
        assert swf.poll_activity()["activityId"] == "a1"
    service.close()


def test_with_remote_pollers_an_hour_timer_still_fires_at_once() -> None:
    service = make_service(remote_pollers=True, quiet_period=0.02, poll_timeout=5.0)
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        swf.start(executionStartToCloseTimeout=DAY)
        swf.decide(HOUR_TIMER)
        began, before = time.monotonic(), service.clock.now()
        task = swf.poll_decision()
        assert "TimerFired" in types_of(task["events"])
        assert service.clock.now() - before >= 3600
        assert time.monotonic() - began < 5  # a poll_timeout: the skip did not wait for it
    service.close()


def skipped_an_hour(db: str) -> float:
    """Run a one-hour timer to its end on ``db`` (time skipped); returns the time of the last event."""
    service = make_service(remote_pollers=True, quiet_period=0.02, poll_timeout=5.0, db=db)
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        run_id = swf.start(executionStartToCloseTimeout=DAY)
        swf.decide(HOUR_TIMER)
        swf.decide(decision("CompleteWorkflowExecution"))
        closed_at: float = swf.events("wf-1", run_id)[-1]["eventTimestamp"].timestamp()
    service.close()
    return closed_at


def test_a_virtual_clock_resumes_where_the_database_left_it(tmp_path: Any) -> None:
    db = str(tmp_path / "swf.db")
    closed_at = skipped_an_hour(db)
    assert closed_at - time.time() >= 3599
    service = SWFService(db, clock=VirtualClock())
    try:
        assert service.clock.now() >= closed_at  # time never goes back past the history
    finally:
        service.close()


def test_the_wall_clock_on_a_skipped_database_warns(tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    db = str(tmp_path / "swf.db")
    skipped_an_hour(db)
    with caplog.at_level(logging.WARNING, logger="simpleflow.localswf.service"):
        service = SWFService(db, clock=SystemClock())
    service.close()
    assert "ahead of the wall clock" in caplog.text


def test_the_wall_clock_on_an_ordinary_database_says_nothing(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    db = str(tmp_path / "swf.db")
    service = SWFService(db)
    with embedded_client(service) as client:
        Driver(client).setup().start()
    service.close()
    with caplog.at_level(logging.WARNING, logger="simpleflow.localswf.service"):
        SWFService(db).close()
    assert "ahead of the wall clock" not in caplog.text
