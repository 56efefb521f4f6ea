"""The run cache owns each kept run's folded history: a later task folds only its new events."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.executor import Executor
from simpleflow.history import History
from simpleflow.runtime.cache import RunCache
from simpleflow.testing import HistoryBuilder
from tests.unit.runtime.workflows import Chain


@pytest.fixture
def extensions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many new events each ``History.extended`` call folded."""
    calls: list[int] = []
    original = History.extended

    def spy(self: History, new_events: Any) -> History:
        new = list(new_events)
        calls.append(len(new))
        return original(self, new)

    monkeypatch.setattr(History, "extended", spy)
    return calls


class Driver:
    """One ``Chain`` execution decided through ``runs`` the way the decider does: history_of, then replay."""

    def __init__(self, runs: RunCache, *, workflow_id: str = "wf") -> None:
        self.builder = HistoryBuilder(Chain, input=[3], workflow_id=workflow_id)
        self.executor = Executor(Chain)
        self.runs = runs

    def task(self) -> dict[str, Any]:
        return dict(self.builder.decision_task())

    def decide(self, task: dict[str, Any] | None = None) -> History:
        task = task or self.task()
        history = self.runs.history_of(task)
        replay = self.executor.replay(task, history=history, runs=self.runs)
        self.builder.record_decisions(replay.decisions, execution_context=replay.execution_context)
        for decision in replay.decisions:
            if decision["decisionType"] == "ScheduleActivityTask":
                activity_id = decision["scheduleActivityTaskDecisionAttributes"]["activityId"]
                self.builder.activity_started(activity_id)
                self.builder.activity_completed(activity_id, result=1)
        return history


def test_a_later_task_of_a_kept_run_folds_only_its_new_events(extensions: list[int]) -> None:
    runs = RunCache(verify=True)
    driver = Driver(runs)
    first = driver.decide()
    assert extensions == []
    task = driver.task()
    second = driver.decide(task)
    assert extensions == [len(task["events"]) - len(first)]
    assert list(second.events) == list(History(task["events"]).events)
    assert runs.stats()["hits"] == 1
    runs.close()


def test_a_run_not_kept_is_folded_anew(extensions: list[int]) -> None:
    runs = RunCache(max_runs=0)
    driver = Driver(runs)
    driver.decide()
    driver.decide()
    assert extensions == [] and len(runs) == 0


def test_events_that_do_not_continue_the_kept_ones_are_folded_anew(extensions: list[int]) -> None:
    runs = RunCache()
    driver = Driver(runs)
    driver.decide()
    task = driver.task()
    assert len(runs.history_of({**task, "events": task["events"][:2]})) == 2  # a history read again
    seam = [{**event, "eventId": event["eventId"] + 100} for event in task["events"]]
    runs.history_of({**task, "events": seam})  # same run, another event at the seam
    other = {**task, "workflowExecution": {"workflowId": "other", "runId": "r"}}
    runs.history_of(other)  # another run: nothing kept for it
    assert extensions == []
    runs.close()


def test_an_evicted_run_takes_its_history_with_it(extensions: list[int]) -> None:
    runs = RunCache(max_runs=1)
    first, second = Driver(runs, workflow_id="wf-1"), Driver(runs, workflow_id="wf-2")
    first.decide()
    second.decide()  # evicts wf-1's run, and its history
    first.decide()
    assert extensions == []
    second.decide()  # wf-1's run took wf-2's place: wf-2 starts over, evicting wf-1 again
    assert extensions == [] and runs.stats()["evictions"] == 3
    runs.close()
