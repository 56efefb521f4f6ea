"""The gate of a virtual clock: a quiescent service skips time only while somebody holds the gate open.

The test environment (and ``--local``) holds it while a caller waits for a result; between a test's
calls, a workflow waiting for a signal must not be timed out by a skip.
"""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from simpleflow.localswf.clock import VirtualClock
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import Driver, decision, types_of

HOUR_TIMER = decision("StartTimer", timerId="hour", startToFireTimeout="3600")
DAY = "86400"


@pytest.mark.parametrize(
    ("gated", "holders", "may_skip"),
    [(False, 0, True), (True, 0, False), (True, 1, True), (True, 2, True)],
    ids=["ungated", "gated-shut", "gated-held", "gated-held-twice"],
)
def test_may_skip(gated: bool, holders: int, may_skip: bool) -> None:
    clock = VirtualClock(gated=gated)
    with contextlib.ExitStack() as stack:
        for _ in range(holders):
            stack.enter_context(clock.allow_skipping())
        assert clock.may_skip is may_skip
    assert clock.may_skip is not gated


def test_holders_in_two_threads_are_counted() -> None:
    clock = VirtualClock(gated=True)
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with clock.allow_skipping():
            inside.set()
            release.wait(5)

    other = threading.Thread(target=hold)
    other.start()
    assert inside.wait(5)
    with clock.allow_skipping():
        pass
    assert clock.may_skip  # the other thread still holds it
    release.set()
    other.join(5)
    assert not clock.may_skip


def test_listeners_hear_the_gate_open_and_time_moved_by_hand() -> None:
    clock = VirtualClock(gated=True)
    heard: list[str] = []

    def listener() -> None:
        heard.append("told")

    clock.add_listener(listener)
    with clock.allow_skipping():
        pass
    clock.advance(10)
    clock.advance_to(clock.now() + 10)  # the scheduler's own skip: nobody to tell
    clock.remove_listener(listener)
    clock.advance(10)
    clock.remove_listener(listener)  # twice: no error
    assert heard == ["told", "told"]


def test_time_never_goes_back() -> None:
    with pytest.raises(ValueError, match="never goes back"):
        VirtualClock(gated=True).advance(-1)


def gated_service() -> SWFService:
    return SWFService(clock=VirtualClock(gated=True, quiet_period=0.02), poll_timeout=0.3)


def test_a_shut_gate_keeps_a_quiescent_service_from_skipping() -> None:
    service = gated_service()
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        swf.start(executionStartToCloseTimeout=DAY)
        swf.decide(HOUR_TIMER)
        before = service.clock.now()
        assert "taskToken" not in swf.poll_decision()  # many quiet periods: still no skip
        assert service.clock.now() - before < 60
    service.close()


def wait_until_the_scheduler_sleeps(service: SWFService) -> None:
    """Until the scheduler waits towards a deadline (it notes its target just before)."""
    deadline = time.monotonic() + 5
    while service._scheduler_target is None:
        assert time.monotonic() < deadline, "the scheduler never went to sleep"
        time.sleep(0.005)


def test_opening_the_gate_wakes_the_scheduler_at_once() -> None:
    """The scheduler slept towards the timer an hour away in real time: opening the gate wakes it."""
    service = gated_service()
    clock = service.clock
    assert isinstance(clock, VirtualClock)
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        swf.start(executionStartToCloseTimeout=DAY)
        swf.decide(HOUR_TIMER)
        wait_until_the_scheduler_sleeps(service)
        began = time.monotonic()
        with clock.allow_skipping():
            task = swf.poll_decision()
        assert "TimerFired" in types_of(task["events"])
        assert time.monotonic() - began < 0.3  # well within the poll's timeout
    service.close()


def test_moving_time_by_hand_fires_what_came_due_with_the_gate_shut() -> None:
    service = gated_service()
    clock = service.clock
    assert isinstance(clock, VirtualClock)
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        swf.start(executionStartToCloseTimeout=DAY)
        swf.decide(HOUR_TIMER)
        clock.advance(3600)
        task = swf.poll_decision()
        assert "TimerFired" in types_of(task["events"])
    service.close()
