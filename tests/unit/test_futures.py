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


def failed(reason: str = "boom", *, raises: bool = True) -> Future:
    future = Future(raises_on_failure=raises)
    future.set_exception(TaskFailed("activity-x-1", reason))
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
def test_wait_for_honours_return_when(
    return_when: str, makers: list, blocks: bool, done_count: int | None
) -> None:
    fs = [make() for make in makers]
    if blocks:
        with pytest.raises(ExecutionBlocked):
            futures.wait_for(*fs, return_when=return_when)
        return
    done, not_done = futures.wait_for(*fs, return_when=return_when)
    assert len(done) == done_count
    assert len(done) + len(not_done) == len(fs)


def test_wait_for_rejects_unknown_return_when() -> None:
    with pytest.raises(ValueError, match="return_when"):
        futures.wait_for(finished(), return_when="SOMETIMES")


def test_wait_returns_the_results_in_order() -> None:
    x, y = futures.wait(finished(1), finished(2))
    assert (x, y) == (1, 2)
    assert futures.wait() == []


def test_wait_gives_none_for_failed_and_cancelled_futures() -> None:
    cancelled = Future()
    cancelled.cancel()
    assert futures.wait(finished(3), failed(), failed(raises=False), cancelled) == [3, None, None, None]


@pytest.mark.parametrize("make", [Future, running], ids=["pending", "running"])
def test_wait_blocks_while_any_future_is_not_done(make: type[Future]) -> None:
    late = make()
    with pytest.raises(ExecutionBlocked) as blocked:
        futures.wait(finished(1), late)
    assert blocked.value.args == (late,)


def test_wait_with_return_when_names_wait_for() -> None:
    with pytest.raises(TypeError, match=r"futures\.wait_for\(\*futures, return_when=\.\.\.\)"):
        futures.wait(finished(), return_when=futures.FIRST_COMPLETED)


def test_wait_refuses_a_list_with_the_fix() -> None:
    with pytest.raises(TypeError, match=r"futures\.wait\(\*futures\)"):
        futures.wait([finished()])  # type: ignore[arg-type]


def test_future_not_raising_on_failure_gives_none_and_holds_the_error() -> None:
    future = failed("bad", raises=False)
    assert future.result is None
    assert isinstance(future.exception, TaskFailed) and future.exception.reason == "bad"


def test_get_result_or_raise_is_result() -> None:
    assert futures.get_result_or_raise(finished(5)) == 5


def test_as_completed_yields_done_futures_then_blocks() -> None:
    first, second, third = finished(1), running(), finished(3)
    seen = []
    with pytest.raises(ExecutionBlocked):
        for future in futures.as_completed(first, second, third):
            seen.append(future.result)
    assert seen == [1, 3]
