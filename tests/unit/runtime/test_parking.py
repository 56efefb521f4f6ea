"""The run thread: stepping to a park, resuming, ending, unwinding; and parks outside a run."""

from __future__ import annotations

import threading

import pytest

from simpleflow.exceptions import ExecutionBlocked
from simpleflow.futures import Future
from simpleflow.runtime.parking import RunThread, current


def test_a_park_outside_a_run_thread_stops_the_replay() -> None:
    future = Future(task_id="a")
    with pytest.raises(ExecutionBlocked):
        future.result  # noqa: B018
    assert current() is None


def test_the_run_parks_until_its_future_is_done_then_returns() -> None:
    future = Future(task_id="a")
    seen: list[str] = []

    def run() -> int:
        seen.append("started")
        value = future.result
        seen.append("resumed")
        return value + 1  # type: ignore[no-any-return]

    thread = RunThread(run, name="test-run")
    thread.step()
    assert thread.parked and thread.waiting_on is future and not thread.ready()
    assert seen == ["started"]
    future.set_result(41)
    assert thread.ready()
    thread.step()
    assert thread.ended and thread.outcome == ("returned", 42)
    assert seen == ["started", "resumed"]
    with pytest.raises(RuntimeError, match="ended"):
        thread.step()


def test_what_run_raises_is_its_outcome() -> None:
    thread = RunThread(lambda: 1 / 0, name="test-run")
    thread.step()
    kind, error = thread.outcome
    assert thread.ended and kind == "raised" and isinstance(error, ZeroDivisionError)


def test_abandoning_unwinds_the_parked_run_through_its_finally() -> None:
    future = Future(task_id="a")
    unwound: list[bool] = []

    def run() -> None:
        try:
            future.result  # noqa: B018
        finally:
            unwound.append(True)

    before = threading.active_count()
    thread = RunThread(run, name="test-run")
    thread.step()
    assert threading.active_count() == before + 1
    assert thread.abandon()
    assert unwound == [True] and thread.outcome[0] == "abandoned"
    assert threading.active_count() == before


def test_a_bare_except_cannot_keep_an_abandoned_run_alive() -> None:
    future = Future(task_id="a")
    attempts: list[int] = []

    def run() -> None:
        for attempt in range(5):
            try:
                future.result  # noqa: B018
            except BaseException:
                attempts.append(attempt)

    thread = RunThread(run, name="test-run")
    thread.step()
    assert thread.abandon()
    # Every later park raises again at once: the loop runs out without ever waiting.
    assert attempts == [0, 1, 2, 3, 4] and thread.ended


def test_reading_the_state_of_an_open_future_is_remembered_in_a_run_thread() -> None:
    open_future, done_future = Future(task_id="open"), Future(task_id="done")
    open_future.set_running()
    done_future.set_result(1)

    def run() -> None:
        assert open_future.running and done_future.finished

    thread = RunThread(run, name="test-run")
    thread.step()
    assert thread.ended and thread.outcome == ("returned", None)
    assert [(future, state.value) for future, state in thread.observed.values()] == [(open_future, "RUNNING")]


def test_a_run_that_does_not_unwind_in_time_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    future = Future(task_id="a")
    release = threading.Event()

    def run() -> None:
        try:
            future.result  # noqa: B018
        finally:
            release.wait(10)  # user code that blocks while unwinding

    thread = RunThread(run, name="test-stuck-run")
    thread.step()
    with caplog.at_level("WARNING", logger="simpleflow.runtime.parking"):
        assert not thread.abandon(timeout=0.05)
    assert any("test-stuck-run did not unwind" in record.getMessage() for record in caplog.records)
    release.set()
    thread._thread.join(10)  # type: ignore[union-attr]
    assert thread.ended and thread.outcome[0] == "abandoned"
