"""simpleflow 0.36's exception names and constructors, over this project's hierarchy."""

from __future__ import annotations

import pickle

import pytest

from simpleflow import exceptions
from simpleflow.exceptions import (
    AggregateError,
    AggregateException,
    SimpleflowError,
    TaskException,
    TaskFailed,
    TaskTimedOut,
    WorkflowException,
    raised_into_run,
)


def test_task_failed_takes_name_reason_details_positionally() -> None:
    error = TaskFailed("activity-x-1", "ValueError: bad", {"error": "ValueError"})
    assert (error.name, error.task_id, error.reason, error.details) == (
        "activity-x-1",
        "activity-x-1",
        "ValueError: bad",
        {"error": "ValueError"},
    )
    assert error.args == ("activity-x-1", "ValueError: bad", {"error": "ValueError"})
    assert str(error) == "activity-x-1: ValueError: bad"
    assert isinstance(error, SimpleflowError)


def test_task_failed_keeps_this_projects_keyword_form() -> None:
    error = TaskFailed("TIMER_ID_ALREADY_IN_USE", "refused", task_id="pause")
    assert (error.task_id, error.reason, error.details) == ("pause", "TIMER_ID_ALREADY_IN_USE", "refused")


def test_task_failed_survives_pickling() -> None:
    copy = pickle.loads(pickle.dumps(TaskFailed("activity-x-1", "boom", "details")))
    assert (copy.name, copy.reason, copy.details) == ("activity-x-1", "boom", "details")


def test_timeout_error_is_task_timed_out_with_upstream_arguments() -> None:
    assert exceptions.TimeoutError is TaskTimedOut
    error = exceptions.TimeoutError("HEARTBEAT", 30)
    assert (error.timeout_type, error.timeout_value) == ("HEARTBEAT", 30)


def test_aggregate_exception_handles_and_flattens() -> None:
    assert AggregateException is AggregateError
    first, second = TaskFailed("a-1", "one"), TaskFailed("a-2", "two")
    error = AggregateException([first, AggregateException([second]), None])
    assert error.exceptions == error.failures
    assert error.flatten().exceptions == [first, second]
    error.flatten().handle(lambda failure: True)  # all handled: nothing raised
    with pytest.raises(AggregateException) as unhandled:
        error.flatten().handle(lambda failure, name: failure.name == name, "a-1")
    assert unhandled.value.exceptions == [second]
    assert str(AggregateError([first, None])) == "1 task(s) failed: a-1: one"


def test_the_error_raised_into_run_is_both_the_failure_and_upstreams_wrapper() -> None:
    failure = TaskFailed("activity-x-1", "boom")
    raised = raised_into_run(failure, "the task")
    assert isinstance(raised, TaskFailed) and isinstance(raised, TaskException)
    assert not isinstance(raised, WorkflowException)
    assert (raised.task, raised.exception, raised.reason) == ("the task", failure, "boom")
    child = raised_into_run(TaskTimedOut("START_TO_CLOSE", task_id="w--child-1"), "child task", child=True)
    assert isinstance(child, WorkflowException) and isinstance(child, TaskTimedOut)
    assert child.workflow == "child task"


def test_upstream_wrappers_construct_as_upstream() -> None:
    failure = TaskFailed("activity-x-1", "boom")
    wrapped = TaskException("task", failure)
    assert (wrapped.task, wrapped.exception, wrapped.payload) == ("task", failure, "task")
    assert WorkflowException("child", failure).workflow == "child"
    assert exceptions.ExecutionTimeoutError("ls", 3).timeout_value == 3
