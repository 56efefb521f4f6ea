"""The test environment: executions driven from a test, time skipping behind a gate, handles."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from simpleflow.exceptions import UnknownResource, WorkflowFailed
from simpleflow.testing import ClockRefused, WaitTimedOut, WorkflowEnvironment, WorkflowHandle
from tests.unit.testing.workflows import (
    CountdownWorkflow,
    GreetBothWorkflow,
    NapWorkflow,
    SignalThenGreetWorkflow,
)


@pytest.fixture
def env() -> Iterator[WorkflowEnvironment]:
    with WorkflowEnvironment() as environment:
        yield environment


def wait_until(condition: Callable[[], bool], *, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def event_types(handle: WorkflowHandle[object]) -> list[str]:
    return [event["eventType"] for event in handle.history()]


def waits_for_signal(handle: WorkflowHandle[object]) -> Callable[[], bool]:
    """True once the workflow greeted and decided on it: it now waits for the signal."""

    def check() -> bool:
        types = event_types(handle)
        return "ActivityTaskCompleted" in types and types[-1] == "DecisionTaskCompleted"

    return check


def test_execute_runs_a_workflow_to_its_result(env: WorkflowEnvironment) -> None:
    assert env.execute(GreetBothWorkflow, "ada") == "HELLO ADA"


def test_a_signal_sent_mid_run_reaches_the_workflow(env: WorkflowEnvironment) -> None:
    handle = env.start(SignalThenGreetWorkflow, "ada")
    wait_until(waits_for_signal(handle))
    handle.signal("name", "grace")
    assert handle.result(timeout=10) == "hello ada, hello grace"
    assert "WorkflowExecutionSignaled" in event_types(handle)


def test_a_two_hour_timer_is_skipped(env: WorkflowEnvironment) -> None:
    began = time.monotonic()
    handle = env.start(NapWorkflow, 7200)
    assert handle.result(timeout=10) == "RESTED"
    assert time.monotonic() - began < 1.0
    stamps = {event["eventType"]: event["eventTimestamp"] for event in handle.history()}
    assert (stamps["TimerFired"] - stamps["TimerStarted"]).total_seconds() >= 7200


def test_a_workflow_waiting_for_a_signal_does_not_time_out_while_the_test_sleeps(
    env: WorkflowEnvironment,
) -> None:
    """Its execution times out after ten virtual minutes: between the test's calls, time does not jump."""
    handle = env.start(SignalThenGreetWorkflow, "ada")
    wait_until(waits_for_signal(handle))
    time.sleep(1.0)  # real time passing is what is tested: the engine is quiescent all along
    assert handle.describe().status == "OPEN"
    handle.signal("name", "grace")
    assert handle.result(timeout=10) == "hello ada, hello grace"
    assert handle.describe().close_status == "COMPLETED"


def test_waiting_on_a_workflow_that_nobody_signals_skips_to_its_timeout(env: WorkflowEnvironment) -> None:
    handle = env.start(SignalThenGreetWorkflow, "ada")
    began = time.monotonic()
    with pytest.raises(WorkflowFailed, match=r"timed out \(START_TO_CLOSE\)"):
        handle.result(timeout=10)
    assert time.monotonic() - began < 5


def test_skip_moves_time_by_hand(env: WorkflowEnvironment) -> None:
    handle = env.start(NapWorkflow, 3600)
    wait_until(lambda: handle.describe().open_timers == 1)
    before = env.now
    env.skip(3600)
    assert (env.now - before).total_seconds() >= 3600
    wait_until(lambda: "TimerFired" in event_types(handle))  # without waiting on the result
    assert handle.result(timeout=10) == "RESTED"


@pytest.mark.parametrize(
    "seconds",
    [-1, -0.5, math.nan, math.inf, "60", None, True],
    ids=["negative", "negative-fraction", "nan", "infinite", "text", "none", "bool"],
)
def test_skip_refuses_what_is_not_a_forward_move(env: WorkflowEnvironment, seconds: object) -> None:
    before = env.now
    with pytest.raises(ClockRefused, match="cannot skip"):
        env.skip(seconds)  # type: ignore[arg-type]
    assert (env.now - before).total_seconds() < 60


def test_skip_is_refused_in_real_time() -> None:
    with WorkflowEnvironment(real_time=True) as env, pytest.raises(ClockRefused, match="real time"):
        env.skip(1)


def test_cancel_cancels_the_execution(env: WorkflowEnvironment) -> None:
    handle = env.start(SignalThenGreetWorkflow, "ada")
    wait_until(waits_for_signal(handle))
    handle.cancel()
    with pytest.raises(WorkflowFailed, match="canceled"):
        handle.result(timeout=10)
    description = handle.describe()
    assert (description.status, description.close_status) == ("CLOSED", "CANCELED")
    assert "WorkflowExecutionCancelRequested" in event_types(handle)


def test_terminate_ends_the_execution_with_its_reason(env: WorkflowEnvironment) -> None:
    handle = env.start(SignalThenGreetWorkflow, "ada")
    handle.terminate(reason="enough")
    with pytest.raises(WorkflowFailed, match="terminated: enough"):
        handle.result(timeout=10)
    assert handle.describe().close_status == "TERMINATED"
    assert event_types(handle)[-1] == "WorkflowExecutionTerminated"


def test_describe_an_open_execution(env: WorkflowEnvironment) -> None:
    handle = env.start(NapWorkflow, 3600)
    wait_until(lambda: handle.describe().open_timers == 1)
    description = handle.describe()
    assert (description.workflow_id, description.run_id) == (handle.workflow_id, handle.run_id)
    assert description.workflow_type == ("testing.nap", "1")
    assert (description.status, description.close_status, description.close_time) == ("OPEN", None, None)
    assert (description.open_activities, description.open_decision_tasks) == (0, 0)
    assert description.raw["executionInfo"]["execution"]["runId"] == handle.run_id


def test_history_holds_every_event_in_order(env: WorkflowEnvironment) -> None:
    handle = env.start(GreetBothWorkflow, "ada")
    handle.result(timeout=10)
    events = handle.history()
    assert [event["eventId"] for event in events] == list(range(1, len(events) + 1))
    types = [event["eventType"] for event in events]
    assert types[0] == "WorkflowExecutionStarted" and types[-1] == "WorkflowExecutionCompleted"
    assert types.count("ActivityTaskCompleted") == 2
    completed = events[-1]["workflowExecutionCompletedEventAttributes"]
    assert completed["result"] == '"HELLO ADA"'


def test_a_handle_follows_continue_as_new(env: WorkflowEnvironment) -> None:
    handle = env.start(CountdownWorkflow, 2)
    assert handle.result(timeout=10) == "liftoff"
    assert handle.execution["runId"] != handle.run_id
    assert handle.describe().close_status == "COMPLETED"
    assert event_types(handle)[-1] == "WorkflowExecutionCompleted"


def test_several_executions_run_side_by_side(env: WorkflowEnvironment) -> None:
    waiting = env.start(SignalThenGreetWorkflow, "ada")
    napping = env.start(NapWorkflow, 600)
    wait_until(waits_for_signal(waiting))
    waiting.signal("name", "grace")
    assert (waiting.result(timeout=10), napping.result(timeout=10)) == ("hello ada, hello grace", "RESTED")


def test_a_result_that_does_not_come_in_time_raises_and_the_execution_goes_on() -> None:
    with WorkflowEnvironment(real_time=True) as env:
        handle = env.start(SignalThenGreetWorkflow, "ada")
        with pytest.raises(WaitTimedOut, match=r"within 0\.2 s") as caught:
            handle.result(timeout=0.2)
        assert caught.value.execution["workflowId"] == handle.workflow_id
        handle.signal("name", "grace")
        assert handle.result(timeout=10) == "hello ada, hello grace"


def test_signalling_an_unknown_execution_is_an_swf_error(env: WorkflowEnvironment) -> None:
    handle = env.start(GreetBothWorkflow, "ada")
    handle.result(timeout=10)
    with pytest.raises(UnknownResource):
        handle.signal("name", "late")


def test_a_closed_environment_refuses_to_start() -> None:
    env = WorkflowEnvironment()
    env.close()
    env.close()  # twice: nothing happens
    with pytest.raises(Exception, match="closed"):
        env.start(GreetBothWorkflow, "ada")


def test_closing_leaves_no_thread_behind() -> None:
    before = set(threading.enumerate())
    with WorkflowEnvironment(nb_workers=4) as env:
        handle = env.start(SignalThenGreetWorkflow, "ada")
        wait_until(waits_for_signal(handle))
        assert len(set(threading.enumerate()) - before) >= 2  # the engine's, the decider, workers...
    wait_until(lambda: not (set(threading.enumerate()) - before), seconds=5)


def test_two_threads_wait_on_two_executions_at_once(env: WorkflowEnvironment) -> None:
    """Each waiter sees the close it waits for (a change wakes every waiter), and both hold time open."""
    handles = [env.start(NapWorkflow, 3600), env.start(NapWorkflow, 7200)]
    results: dict[int, str] = {}

    def wait(index: int) -> None:
        results[index] = handles[index].result(timeout=10)

    waiters = [threading.Thread(target=wait, args=(index,)) for index in range(2)]
    for waiter in waiters:
        waiter.start()
    for waiter in waiters:
        waiter.join(15)
    assert results == {0: "RESTED", 1: "RESTED"}
