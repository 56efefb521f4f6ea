"""The --local runner as a library: the real executor and pollers against the in-memory service."""

from __future__ import annotations

import threading
import time

import pytest

from examples.basic import BasicWorkflow
from examples.failing import FailingWorkflow
from examples.timers import ReminderWorkflow
from simpleflow.exceptions import ConfigurationError, WorkflowFailed
from simpleflow.local import run_workflow
from simpleflow.localswf.limits import Limits


def test_result_of_a_run():
    assert run_workflow(BasicWorkflow, [1, 0]) == 4


def test_activities_in_child_processes():
    assert run_workflow(BasicWorkflow, {"args": [2], "kwargs": {"t": 0}}, processes=True, nb_workers=2) == 6


def test_failure_raises_with_reason_and_details():
    with pytest.raises(WorkflowFailed) as caught:
        run_workflow(FailingWorkflow, [-4])
    assert caught.value.reason.endswith("ValueError: cannot take the square root of -4")
    assert "square_root" in caught.value.details["traceback"]


def test_timers_do_not_wait_on_the_virtual_clock():
    started = time.monotonic()
    assert run_workflow(ReminderWorkflow, ["tea", 3600]) == "reminder: tea"
    assert time.monotonic() - started < 30


def test_real_time_waits_for_the_timer():
    started = time.monotonic()
    assert run_workflow(ReminderWorkflow, ["tea", 1], real_time=True) == "reminder: tea"
    assert time.monotonic() - started >= 1


def test_no_thread_is_left_behind():
    before = threading.active_count()
    run_workflow(BasicWorkflow, [1, 0], nb_workers=4)
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() <= before


def test_workers_must_be_positive():
    with pytest.raises(ConfigurationError, match="nb_workers must be at least 1"):
        run_workflow(BasicWorkflow, [1, 0], nb_workers=0)


@pytest.mark.simpleflow(nb_workers=4, limits=Limits(creation_rates={"ScheduleActivityTask": 4}))
def test_activities_refused_for_swfs_creation_rate_are_scheduled_again_until_the_run_completes(
    workflow_environment,
):
    """SWF refuses schedules over its rate (ACTIVITY_CREATION_RATE_EXCEEDED); the decider retries them."""
    from tests.fixtures.workflows import ManyWorkflow

    handle = workflow_environment.start(ManyWorkflow, 10)
    assert handle.result(timeout=60) == sum(range(1, 11))
    events = handle.history()
    causes = [
        event["scheduleActivityTaskFailedEventAttributes"]["cause"]
        for event in events
        if event["eventType"] == "ScheduleActivityTaskFailed"
    ]
    assert causes and set(causes) == {"ACTIVITY_CREATION_RATE_EXCEEDED"}
    completed = [event for event in events if event["eventType"] == "ActivityTaskCompleted"]
    assert len(completed) == 10


def test_worker_threads_start_only_as_activities_overlap():
    """Two threads for one activity (the one running it, one polling); as many as run at once."""
    from simpleflow.local import LocalRun
    from tests.fixtures.rendezvous import PARTIES, RendezvousWorkflow
    from tests.fixtures.workflows import SingleWorkflow

    with LocalRun(SingleWorkflow, nb_workers=64) as run:
        assert run.execute(["increment", 1], timeout=60) == 2
        assert run.growth.started == 2
    with LocalRun(RendezvousWorkflow, nb_workers=PARTIES) as run:
        assert run.execute(None, timeout=60) == sum(range(PARTIES))
        assert run.growth.started == PARTIES


def test_thread_pool_growth_never_passes_its_limit():
    from simpleflow.local import ThreadPoolGrowth

    growth = ThreadPoolGrowth(2)
    assert growth.task_taken() is True  # the only poller took a task: start a second one
    assert growth.task_taken() is False  # the limit is reached
    growth.task_done()
    growth.task_done()
    assert growth.task_taken() is False  # the other thread still polls
    assert growth.started == 2


class _BrokenDecisionInterceptor:
    def intercept_decision(self, call, proceed):
        raise RuntimeError("the interceptor broke")


def test_an_error_around_the_replay_ends_the_run_instead_of_hanging():
    # A decision interceptor that raises fails the task outside the replay itself: a production decider
    # leaves it to time out and be redelivered, which in a local run would repeat until the timeout.
    from simpleflow.observability.interceptors import add_interceptor, remove_interceptor

    broken = _BrokenDecisionInterceptor()
    add_interceptor(broken)
    try:
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="the interceptor broke"):
            run_workflow(BasicWorkflow, [1, 0], timeout=60)
        assert time.monotonic() - started < 30
    finally:
        remove_interceptor(broken)
