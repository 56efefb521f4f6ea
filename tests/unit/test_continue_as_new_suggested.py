"""``Workflow.is_continue_as_new_suggested()``: True once the history is long, the same under replay."""

from __future__ import annotations

import json
from typing import Any

import pytest

import simpleflow.workflow
from simpleflow.testing import Replayer
from tests.fixtures.long_history_workflows import AskingWorkflow, LoopingWorkflow, TimerAskingWorkflow
from tests.unit.executor_driver import Run, attributes

THRESHOLD = 40


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simpleflow.workflow, "CONTINUE_AS_NEW_SUGGESTED_EVENTS", THRESHOLD)


def run_to_close(run: Run) -> tuple[list[dict[str, Any]], list[int]]:
    """Decide and complete every activity until a closing decision; the last decisions and the
    ``startedEventId`` of each decision task."""
    started: list[int] = []
    for _ in range(200):
        task = run.builder.decision_task()
        started.append(task["startedEventId"])
        replay = run.executor.replay(task, runs=run.runs)
        # As the decider does: the execution context tells a fresh run where the last task parked.
        run.builder.record_decisions(replay.decisions, execution_context=replay.execution_context)
        decisions = replay.decisions
        for decision in decisions:
            if decision["decisionType"] == "StartTimer":
                run.builder.timer_fired(attributes(decision)["timerId"])
            if decision["decisionType"] == "ScheduleActivityTask":
                activity_id = attributes(decision)["activityId"]
                run.builder.activity_completed(
                    activity_id, result=json.loads(attributes(decision)["input"])["args"][0]
                )
        if any(d["decisionType"].endswith("WorkflowExecution") for d in decisions):
            return decisions, started
    raise AssertionError("no close in 200 decision tasks")


def test_a_long_run_continues_as_new_at_the_first_task_past_the_threshold() -> None:
    run = Run(LoopingWorkflow, input={"kwargs": {"steps": 50}})
    decisions, started = run_to_close(run)
    assert decisions[-1]["decisionType"] == "ContinueAsNewWorkflowExecution"
    assert started[-1] >= THRESHOLD > started[-2]  # the first decision task past the threshold
    next_input = json.loads(attributes(decisions[-1])["input"])
    assert next_input["kwargs"]["runs"] == 2 and 0 < next_input["kwargs"]["start"] < 50
    # The suggestion is recorded (a hidden patch marker) before the closing decision.
    assert [d["decisionType"] for d in decisions] == ["RecordMarker", "ContinueAsNewWorkflowExecution"]
    assert Replayer(LoopingWorkflow).replay(run.builder.events).ok


def test_the_answers_replay_the_same_old_ground_included() -> None:
    run = Run(AskingWorkflow, input=[12])
    decisions, _ = run_to_close(run)
    answers = json.loads(attributes(decisions[-1])["result"])
    first_true = answers.index(True)
    assert answers == [False] * first_true + [True] * (12 - first_true)  # once suggested, it stays so
    assert 0 < first_true < 11
    # Every decision task replayed from scratch gives the recorded decisions (the result included):
    # the early calls keep answering False although the history is now long.
    result = Replayer(AskingWorkflow).replay(run.builder.events)
    assert result.ok, result.describe()


def test_a_short_history_is_never_suggested(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simpleflow.workflow, "CONTINUE_AS_NEW_SUGGESTED_EVENTS", 10_000)
    run = Run(AskingWorkflow, input=[3])
    decisions, _ = run_to_close(run)
    assert json.loads(attributes(decisions[-1])["result"]) == [False, False, False]


def test_a_call_gone_over_again_keeps_its_answer_when_no_task_came_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first call is followed by a timer only: a fresh replay of the next decision task is at the
    # frontier there, with a long history, yet must answer what the first decision task answered.
    monkeypatch.setattr(simpleflow.workflow, "CONTINUE_AS_NEW_SUGGESTED_EVENTS", 10_000)
    _, started = run_to_close(Run(TimerAskingWorkflow, input=[3]))
    monkeypatch.setattr(simpleflow.workflow, "CONTINUE_AS_NEW_SUGGESTED_EVENTS", started[-2] + 1)
    run = Run(TimerAskingWorkflow, input=[3])
    decisions, _ = run_to_close(run)
    assert json.loads(attributes(decisions[-1])["result"]) == [False, True]
    result = Replayer(TimerAskingWorkflow).replay(run.builder.events)
    assert result.ok, result.describe()
