"""Hypothesis-generated orders of what a history can bring, decided live and checked against fresh runs.

Every decision task is decided by a live run (``RunCache(verify=True)``), which raises when its
decisions or execution context differ from a fresh run of the whole history. The orders mix activity
completions, failures and timeouts, a timer firing, signals, a cancel request and child closes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simpleflow.exceptions import NondeterminismError
from simpleflow.executor import Executor
from simpleflow.runtime.cache import RunCache
from simpleflow.testing import HistoryBuilder
from tests.unit.runtime.workflows import Mixed

ACTIONS = ("complete", "fail", "time_out", "fire", "signal", "cancel", "child_complete", "child_fail")


def _open_work(decisions: list[dict[str, Any]], state: dict[str, set[str]]) -> None:
    for decision in decisions:
        kind = decision["decisionType"]
        if kind == "ScheduleActivityTask":
            state["activities"].add(decision["scheduleActivityTaskDecisionAttributes"]["activityId"])
        elif kind == "StartTimer":
            timer_id = decision["startTimerDecisionAttributes"]["timerId"]
            if not timer_id.startswith("__"):
                state["timers"].add(timer_id)
            else:
                state["internal_timers"].add(timer_id)
        elif kind == "StartChildWorkflowExecution":
            state["children"].add(decision["startChildWorkflowExecutionDecisionAttributes"]["workflowId"])


def _apply(builder: HistoryBuilder, action: str, pick: int, state: dict[str, set[str]]) -> None:
    activities = sorted(state["activities"])
    if action in ("complete", "fail", "time_out") and activities:
        activity_id = activities[pick % len(activities)]
        state["activities"].discard(activity_id)
        builder.activity_started(activity_id)
        if action == "complete":
            builder.activity_completed(activity_id, result=pick)
        elif action == "fail":
            builder.activity_failed(activity_id)
        else:
            builder.activity_timed_out(activity_id)
    elif action == "fire" and (state["timers"] or state["internal_timers"]):
        timers = sorted(state["timers"] | state["internal_timers"])
        timer_id = timers[pick % len(timers)]
        state["timers"].discard(timer_id)
        state["internal_timers"].discard(timer_id)
        builder.timer_fired(timer_id)
    elif action == "signal":
        builder.signaled("go", input={"args": [pick], "kwargs": {}})
    elif action == "cancel":
        builder.cancel_requested()
    elif action in ("child_complete", "child_fail") and state["children"]:
        children = sorted(state["children"])
        workflow_id = children[pick % len(children)]
        state["children"].discard(workflow_id)
        builder.child_started(workflow_id)
        if action == "child_complete":
            builder.child_completed(workflow_id, result=pick)
        else:
            builder.child_failed(workflow_id)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 7)), max_size=3)), max_size=25
    )
)
def test_every_decision_of_a_generated_order_is_a_fresh_runs(
    steps: list[tuple[list[tuple[str, int]]]],
) -> None:
    builder = HistoryBuilder(Mixed)
    executor = Executor(Mixed)
    runs = RunCache(verify=True)
    state: dict[str, set[str]] = {
        "activities": set(),
        "timers": set(),
        "internal_timers": set(),
        "children": set(),
    }
    decided = 0
    try:
        for (batch,) in steps:
            replay = executor.replay(builder.decision_task(), runs=runs)
            decided += 1
            builder.record_decisions(replay.decisions, execution_context=replay.execution_context)
            closing = [d for d in replay.decisions if d["decisionType"].endswith("WorkflowExecution")]
            if any(
                not d["decisionType"].startswith(("StartChild", "Signal", "RequestCancel")) for d in closing
            ):
                return  # the run closed
            _open_work(replay.decisions, state)
            for action, pick in batch:
                _apply(builder, action, pick, state)
    except NondeterminismError:
        # Mixed reads which of a, b, child came first: some orders make a replay of the whole history
        # nondeterministic. The check that matters: the live path raised the same as a fresh replay.
        fresh = Executor(Mixed)
        try:
            fresh.replay(builder.decision_task())
        except NondeterminismError:
            return
        raise
    finally:
        runs.close()
    # Every decision task was a hit or a miss (a divergence is a miss too), and each was checked.
    stats = runs.stats()
    assert stats["hits"] + stats["misses"] == decided
    assert stats["divergences"] <= stats["misses"]
