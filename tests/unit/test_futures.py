"""Futures: states, result/exception reading, blocking, cancel, wait and as_completed."""

from __future__ import annotations

import pytest

from simpleflow import futures
from simpleflow.exceptions import ExecutionBlocked, TaskCanceled, TaskFailed
from simpleflow.futures import Future, FutureState


def finished(value: object = None) -> Future:
    future = Future()
    future.set_result(value)
    return future


def failed(reason: str = "boom") -> Future:
    future = Future()
    future.set_exception(TaskFailed(reason))
    return future


def running() -> Future:
    future = Future()
    future.set_running()
    return future


def test_state_enum_is_str() -> None:
    assert FutureState.FINISHED == "FINISHED"
    assert isinstance(futures.PENDING, str)


def test_finished_future_gives_its_result() -> None:
    future = finished(4)
    assert (future.done, future.finished, future.result, future.exception) == (True, True, 4, None)


def test_failed_future_raises_on_result_and_exposes_exception() -> None:
    future = failed("bad")
    with pytest.raises(TaskFailed, match="bad"):
        _ = future.result
    assert isinstance(future.exception, TaskFailed)


@pytest.mark.parametrize("make", [Future, running], ids=["pending", "running"])
def test_reading_an_unresolved_future_blocks_the_replay(make: type[Future]) -> None:
    future = make()
    with pytest.raises(ExecutionBlocked):
        _ = future.result
    with pytest.raises(ExecutionBlocked):
        _ = future.exception


def test_execution_blocked_escapes_except_exception() -> None:
    future = running()
    with pytest.raises(ExecutionBlocked):
        try:
            _ = future.result
        except Exception:  # what user code in run() might write
            pytest.fail("ExecutionBlocked must not be an Exception")


def test_cancel_pending_future_cancels_it() -> None:
    future = Future(task_id="activity-x-1")
    assert future.cancel() is True
    assert future.cancelled and future.done
    with pytest.raises(TaskCanceled, match="activity-x-1"):
        _ = future.result


def test_cancel_done_future_is_refused() -> None:
    assert finished(1).cancel() is False


def test_cancel_running_future_calls_the_canceller() -> None:
    future = running()
    calls: list[str] = []
    future.set_canceller(lambda: calls.append("cancel") or True)
    assert future.cancel() is True
    assert calls == ["cancel"] and future.running


def test_cancel_running_future_without_canceller_is_refused() -> None:
    assert running().cancel() is False


@pytest.mark.parametrize(
    ("return_when", "makers", "blocks", "done_count"),
    [
        (futures.ALL_COMPLETED, [finished, finished], False, 2),
        (futures.ALL_COMPLETED, [finished, running], True, None),
        (futures.FIRST_COMPLETED, [running, finished], False, 1),
        (futures.FIRST_COMPLETED, [running, running], True, None),
        (futures.FIRST_EXCEPTION, [finished, running], True, None),
        (futures.FIRST_EXCEPTION, [failed, running], False, 1),
        (futures.FIRST_EXCEPTION, [finished, finished], False, 2),
    ],
    ids=[
        "all-done",
        "all-one-running",
        "first-completed-one-done",
        "first-completed-none-done",
        "first-exception-no-failure-yet",
        "first-exception-one-failed",
        "first-exception-all-done",
    ],
)
def test_wait_honours_return_when(
    return_when: str, makers: list, blocks: bool, done_count: int | None
) -> None:
    fs = [make() for make in makers]
    if blocks:
        with pytest.raises(ExecutionBlocked):
            futures.wait(*fs, return_when=return_when)
        return
    done, not_done = futures.wait(*fs, return_when=return_when)
    assert len(done) == done_count
    assert len(done) + len(not_done) == len(fs)


def test_wait_rejects_unknown_return_when() -> None:
    with pytest.raises(ValueError, match="return_when"):
        futures.wait(finished(), return_when="SOMETIMES")


def test_as_completed_yields_done_futures_then_blocks() -> None:
    first, second, third = finished(1), running(), finished(3)
    seen = []
    with pytest.raises(ExecutionBlocked):
        for future in futures.as_completed(first, second, third):
            seen.append(future.result)
    assert seen == [1, 3]
