"""Executor: retry policies decide each failed or timed-out attempt (table-driven), and retries resume."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from simpleflow import decisions, payload
from simpleflow.history import History
from simpleflow.runtime.events.backoff import REFILL_BY_CAUSE, BackOff
from simpleflow.runtime.turn import Turn
from simpleflow.testing import HistoryBuilder
from tests.fixtures import retry_workflows
from tests.unit.executor_driver import Run, attributes

Close = Callable[[HistoryBuilder, str], None]


def failed(builder: HistoryBuilder, task_id: str) -> None:
    builder.activity_failed(task_id, reason="RuntimeError: boom")


def value_error(builder: HistoryBuilder, task_id: str) -> None:
    builder.activity_failed(task_id, reason="ValueError: bad", details={"error": "builtins.ValueError"})


def heartbeat_timeout(builder: HistoryBuilder, task_id: str) -> None:
    builder.activity_timed_out(task_id, timeout_type="HEARTBEAT")


def task_id_of(which: str) -> str:
    return f"activity-fixtures.retry.{which}-1"


def drive(which: str, closes: list[Close], *, override: bool = False) -> tuple[Run, list[list[str]], Any]:
    """Close each attempt as ``closes`` says; fire every retry timer. Returns the decision types per step."""
    run = Run(retry_workflows.PolicyWorkflow, input=[which, override])
    task_id = task_id_of(which)
    steps = [Run.types(run.step())]
    timers: list[Any] = []
    for close in closes:
        close(run.builder, task_id)
        decisions = run.step()
        steps.append(Run.types(decisions))
        if decisions and decisions[0]["decisionType"] == "StartTimer":
            timers.append(attributes(decisions[0])["startToFireTimeout"])
            run.builder.timer_fired(attributes(decisions[0])["timerId"])
            decisions = run.step()
            steps.append(Run.types(decisions))
    return run, steps, (timers, decisions)


SCHEDULE, TIMER, DONE = ["ScheduleActivityTask"], ["StartTimer"], ["CompleteWorkflowExecution"]


@pytest.mark.parametrize(
    ("which", "closes", "override", "timers", "outcome"),
    [
        ("exponential", [failed], False, ["2"], SCHEDULE),
        ("exponential", [failed, failed], False, ["2", "3"], SCHEDULE),  # 4 s capped at 3
        ("exponential", [failed, failed, failed], False, ["2", "3"], DONE),
        ("exponential", [value_error], False, [], DONE),
        ("heartbeat_budget", [heartbeat_timeout] * 4, False, [], SCHEDULE),
        ("heartbeat_budget", [heartbeat_timeout] * 5, False, [], DONE),
        ("heartbeat_budget", [heartbeat_timeout, failed], False, [], SCHEDULE),
        ("heartbeat_budget", [failed, heartbeat_timeout, failed], False, [], DONE),
        ("plain", [failed], False, [], SCHEDULE),
        ("plain", [failed, failed], False, [], DONE),
        ("plain", [failed, failed, failed], True, ["1", "1", "1"], SCHEDULE),  # submit's policy wins
        ("exponential", [value_error], True, ["1"], SCHEDULE),  # ... over the definition's too
    ],
    ids=["first-retry-after-2s", "second-retry-capped", "attempts-spent", "non-retryable",
         "heartbeat-budget-left", "heartbeat-budget-spent", "failure-after-timeouts",
         "failures-spent-around-a-timeout", "retry-shorthand", "retry-shorthand-spent",
         "submit-overrides-retry", "submit-overrides-policy"],
)  # fmt: skip
def test_policy_outcomes(
    which: str, closes: list[Close], override: bool, timers: list[str], outcome: list[str]
) -> None:
    _, steps, (started, last) = drive(which, closes, override=override)
    assert steps[0] == SCHEDULE
    assert started == timers
    assert Run.types(last) == outcome
    if outcome == DONE:
        assert Run.result(last) == {
            "error": "TaskFailed" if closes[-1] is not heartbeat_timeout else "TaskTimedOut"
        }
    else:
        assert attributes(last[0])["activityId"] == task_id_of(which)  # a retry keeps the id


def test_jitter_gives_the_same_delay_at_every_replay_and_differs_by_run() -> None:
    delays = []
    for run_id in ("run-a", "run-a", "run-b"):
        run = Run(retry_workflows.PolicyWorkflow, input=["jittered"], run_id=run_id)
        run.step()
        failed(run.builder, task_id_of("jittered"))
        decisions = run.step()
        assert Run.types(decisions) == TIMER
        delays.append(int(attributes(decisions[0])["startToFireTimeout"]))
    assert delays[0] == delays[1]
    assert all(50 <= delay <= 150 for delay in delays)


def test_a_child_workflow_uses_its_class_retry_policy() -> None:
    run = Run(retry_workflows.ParentWorkflow)
    decisions = run.step()
    assert Run.types(decisions) == ["StartChildWorkflowExecution"]
    child_id = attributes(decisions[0])["workflowId"]
    run.builder.child_started(child_id)
    run.builder.child_failed(child_id, reason="RuntimeError: boom")
    decisions = run.step()
    assert Run.types(decisions) == TIMER
    assert attributes(decisions[0])["startToFireTimeout"] == "5"
    run.builder.timer_fired(attributes(decisions[0])["timerId"])
    assert Run.types(run.step()) == ["StartChildWorkflowExecution"]
    run.builder.child_started(child_id)
    run.builder.child_failed(child_id, reason="RuntimeError: boom")
    assert Run.result(run.step()) == "TaskFailed"


def input_of(decision: dict[str, Any]) -> Any:
    return json.loads(attributes(decision)["input"])


@pytest.mark.parametrize(
    ("closes", "carried"),
    [
        ([("timeout", {"done": 5})], {"done": 5}),
        ([("failed", {"done": 7})], {"done": 7}),
        ([("timeout", {"done": 5}), ("failed", None)], {"done": 5}),
        ([("timeout", {"done": 5}), ("timeout", {"done": 9})], {"done": 9}),
        ([("timeout", None)], None),
    ],
    ids=["timed-out", "failed-after-heartbeat", "failed-before-heartbeating-hands-on",
         "latest-wins", "never-heartbeated"],
)  # fmt: skip
def test_the_next_attempt_carries_the_last_heartbeat_details(
    closes: list[tuple[str, Any]], carried: Any
) -> None:
    run = Run(retry_workflows.PolicyWorkflow, input=["heartbeat_budget"])
    run.step()
    task_id = task_id_of("heartbeat_budget")
    for kind, details in closes:
        if kind == "timeout":
            run.builder.activity_timed_out(task_id, timeout_type="HEARTBEAT", details=details)
        else:
            sent = None if details is None else json.dumps(details)
            failure = {"error": "builtins.RuntimeError", "message": "x"}
            if sent is not None:
                failure[payload.HEARTBEAT_FAILURE_KEY] = sent
            run.builder.activity_failed(task_id, reason="RuntimeError: x", details=failure)
        decisions = run.step()
    assert Run.types(decisions) == SCHEDULE
    body = input_of(decisions[0])
    assert body.get(payload.HEARTBEAT_KEY) == carried
    assert payload.parse_input(body) == ([1], {})  # the function's arguments are unchanged
    run.builder.activity_completed(task_id, result=1)
    assert Run.result(run.step()) == 1  # replays of the carried input are not nondeterminism


def test_refusals_of_one_decision_task_are_spread_over_the_refill() -> None:
    refill = int(REFILL_BY_CAUSE["CHILD_CREATION_RATE_EXCEEDED"])  # 12 child starts a second
    count = refill + 2
    run = Run(retry_workflows.FanOutWorkflow, input=[count, True])
    decisions = run.step()
    assert Run.types(decisions) == ["StartChildWorkflowExecution"] * count
    for decision in decisions:  # SWF refused the whole batch (the account's bucket was empty)
        child_id = attributes(decision)["workflowId"]
        run.builder.start_child_failed(
            child_id, name="fixtures.retry.child", cause="CHILD_CREATION_RATE_EXCEEDED"
        )
    timers = run.step()
    delays = [int(attributes(timer)["startToFireTimeout"]) for timer in timers]
    assert Run.types(timers) == ["StartTimer"] * count
    # One second's refill comes back after 1 s, the rest after 2 s: not all at once, and not all late.
    assert delays == [1] * refill + [2, 2]


@pytest.mark.parametrize(
    ("count", "refusals_in_a_row", "backoff"),
    [(1, 1, 1.0), (100, 1, 1.0), (100, 2, 2.0), (100, 3, 4.0)],
    ids=["one-timer", "a-full-answer-within-one-seconds-refill", "refused-again-doubles", "third-time"],
)  # fmt: skip
def test_refused_timers_are_started_again_after_a_paced_wait(
    count: int, refusals_in_a_row: int, backoff: float
) -> None:
    """All refused timers are started again in one answer, once the decider waited for the refill."""
    run = Run(retry_workflows.ManyTimersWorkflow, input=[count])
    for _ in range(refusals_in_a_row):
        decisions = run.replay()
        assert Run.types(decisions) == ["StartTimer"] * count
        run.builder.record_decisions([])  # the decision task completed; SWF recorded refusals instead
        for decision in decisions:  # SWF refused every one of them: the account's bucket was empty
            run.builder.start_timer_failed(
                attributes(decision)["timerId"], cause="TIMER_CREATION_RATE_EXCEEDED"
            )
    answer = run.executor.replay(run.builder.decision_task(), runs=run.runs)
    assert Run.types(answer.decisions) == ["StartTimer"] * count
    assert answer.backoff_seconds == backoff
    run.builder.record_decisions(answer.decisions)
    for n in range(count):
        run.builder.timer_fired(f"pause-{n}")
    assert Run.result(run.step()) == count


@pytest.mark.parametrize(
    ("refused", "cause", "backoff"),
    [(200, "TIMER_CREATION_RATE_EXCEEDED", 1), (201, "TIMER_CREATION_RATE_EXCEEDED", 2),
     (450, "TIMER_CREATION_RATE_EXCEEDED", 3), (450, "OPEN_TIMERS_LIMIT_EXCEEDED", 1)],
    ids=["one-seconds-refill", "past-it", "over-three-seconds", "a-limit-is-not-a-bucket"],
)  # fmt: skip
def test_the_wait_for_refused_timers_covers_the_refill_of_the_last_of_them(
    refused: int, cause: str, backoff: int
) -> None:
    """Refusals outstanding from earlier answers count too: the wait is for the refill of all of them."""
    builder = HistoryBuilder(retry_workflows.ManyTimersWorkflow, input=[refused])
    for n in range(refused):
        builder.start_timer_failed(f"pause-{n}", cause=cause)
    history = History(builder.decision_task()["events"])
    pacing = BackOff(Turn(history))
    for n in range(refused):
        record = history.timer(f"pause-{n}")
        assert record is not None
        pacing.restart_refused_timer(record, decisions.start_timer(f"pause-{n}", start_to_fire_timeout=5))
    assert pacing.turn.decider_backoff == backoff
    assert len(pacing.turn.decisions) == refused
