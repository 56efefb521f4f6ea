"""Executor: on_task_failure decisions, raises_on_failure=False results, and __priority (table-driven)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from simpleflow.exceptions import NondeterminismError
from simpleflow.executor import Executor
from tests.fixtures import failure_workflows as flows
from tests.unit.executor_driver import Run, attributes

QUIET = "activity-failures.quiet-1"


def failed_run(decision: str) -> Run:
    run = Run(flows.DecidingWorkflow, input=[decision])
    assert Run.types(run.step()) == ["ScheduleActivityTask"]
    run.builder.activity_failed(QUIET, reason="ValueError: bad", details={"error": "builtins.ValueError"})
    return run


@pytest.mark.parametrize(
    ("decision", "outcome"),
    [
        ("none", {"result": None, "cancelled": False, "error": "TaskFailed"}),
        ("abort", {"result": None, "cancelled": False, "error": "TaskFailed"}),
        ("ignore", {"result": None, "cancelled": False, "error": None}),
        ("cancel", {"result": None, "cancelled": True, "error": "TaskCanceled"}),
    ],
    ids=["default-result-is-none", "abort", "ignore", "cancel"],
)
def test_a_decision_that_ends_the_task(decision: str, outcome: dict[str, Any]) -> None:
    assert Run.result(failed_run(decision).step()) == outcome


def test_retry_schedules_again_until_the_hook_stops() -> None:
    run = failed_run("retry")
    for attempt in (2, 3):
        decisions = run.step()
        assert Run.types(decisions) == ["ScheduleActivityTask"]
        assert json.loads(attributes(decisions[0])["input"])["__attempt"] == attempt
        run.builder.activity_failed(QUIET, reason="again")
    assert Run.result(run.step())["error"] == "TaskFailed"


def test_retry_later_waits_for_a_timer() -> None:
    run = failed_run("retry_later")
    decisions = run.step()
    assert Run.types(decisions) == ["StartTimer"]
    timer = attributes(decisions[0])
    assert timer["startToFireTimeout"] == "60"
    assert run.step() == []  # the timer runs: nothing is scheduled twice
    run.builder.timer_fired(timer["timerId"])
    assert Run.types(run.step()) == ["ScheduleActivityTask"]
    run.builder.activity_completed(QUIET, result=1)
    assert Run.result(run.step()) == {"result": 1, "cancelled": False, "error": None}


def test_a_retry_may_change_the_arguments_and_replays_stay_deterministic() -> None:
    run = failed_run("retry_changed")
    decisions = run.step()
    assert json.loads(attributes(decisions[0])["input"])["args"] == [101]
    run.builder.activity_completed(QUIET, result=101)
    assert Run.result(run.step())["result"] == 101


def test_a_changed_run_is_still_caught_as_nondeterministic() -> None:
    class Changed(flows.DecidingWorkflow):
        name = "failures.changed"

        def run(self, decision: str, x: int = 1) -> Any:
            return super().run(decision, x + 5)

    run = failed_run("retry_changed")
    run.step()
    run.builder.activity_completed(QUIET, result=101)
    with pytest.raises(NondeterminismError):
        Executor(Changed).replay(run.builder.decision_task())


def test_the_context_carries_upstreams_attributes() -> None:
    seen: dict[str, Any] = {}

    class Inspecting(flows.DecidingWorkflow):
        name = "failures.inspecting"

        def on_task_failure(self, failure_context: Any) -> None:
            seen.update(
                task_name=failure_context.task_name,
                retry_count=failure_context.retry_count,
                attempt_number=failure_context.attempt_number,
                reason=failure_context.exception.reason,
                task_error=failure_context.task_error,
                task_error_type=failure_context.task_error_type,
                state=failure_context.event["state"],
                args=failure_context.a_task.args,
                exception_class=failure_context.exception_class.__name__,
                decision=failure_context.decision,
            )

    run = Run(Inspecting, input=["none", 7])
    run.step()
    run.builder.activity_failed(
        "activity-failures.quiet-1", reason="ValueError: bad", details={"error": "builtins.ValueError"}
    )
    run.step()
    assert seen == {
        "task_name": "failures.quiet",
        "retry_count": 0,
        "attempt_number": 1,
        "reason": "ValueError: bad",
        "task_error": "ValueError",
        "task_error_type": ValueError,
        "state": "failed",
        "args": (7,),
        "exception_class": "TaskException",
        "decision": flows.TaskFailureContext.Decision.none,
    }


def test_abort_skips_the_retries_left_and_raises() -> None:
    run = Run(flows.AbortLoudWorkflow)
    run.step()
    run.builder.activity_failed("activity-failures.loud-1", reason="boom")
    decisions = run.step()
    assert Run.types(decisions) == ["FailWorkflowExecution"]
    assert "boom" in attributes(decisions[0])["reason"]


def test_the_older_hook_form_is_called_once_the_task_failed_for_good() -> None:
    flows.OldHookWorkflow.calls = []
    run = Run(flows.OldHookWorkflow)
    run.step()
    run.builder.activity_failed(QUIET, reason="boom")
    assert Run.result(run.step()) == {"error": "TaskFailed"}
    assert flows.OldHookWorkflow.calls == [(QUIET, "TaskFailed")]


def test_priorities_follow_upstreams_precedence() -> None:
    decisions = Run(flows.PriorityWorkflow).step()
    assert [attributes(d).get("taskPriority") for d in decisions] == ["5", "7", "12", None, "12", "-3"]
    assert all("__priority" not in attributes(d)["input"] for d in decisions)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"__prority": 5}, r"unknown scheduling option __prority="), ({"__priority": "high"}, "taskPriority")],
    ids=["typo", "not-an-integer"],
)
def test_bad_scheduling_options_are_refused(kwargs: dict[str, Any], message: str) -> None:
    class Bad(flows.Workflow):
        name = f"failures.bad-{next(iter(kwargs))}-{kwargs[next(iter(kwargs))]}"

        def run(self) -> Any:
            return self.submit(flows.quiet, 1, **kwargs).result

    decisions = Run(Bad).step()
    assert Run.types(decisions) == ["FailWorkflowExecution"]
    assert re.search(message, attributes(decisions[0])["reason"]), attributes(decisions[0])["reason"]
