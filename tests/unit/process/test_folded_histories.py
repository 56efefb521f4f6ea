"""FoldedHistories: a run's history is folded once across its decision tasks, never reused wrongly."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.history import History
from simpleflow.process.decider import FoldedHistories
from simpleflow.testing import HistoryBuilder


def task_of(events: list[dict[str, Any]], *, run_id: str = "run-1") -> dict[str, Any]:
    return {"workflowExecution": {"workflowId": "wf", "runId": run_id}, "events": list(events)}


@pytest.fixture
def events() -> list[dict[str, Any]]:
    builder = HistoryBuilder(input=[1])
    builder.activity_scheduled("a-1", name="work")
    builder.activity_started("a-1")
    builder.activity_completed("a-1", result=2)
    builder.activity_scheduled("a-2", name="work")
    return builder.events


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


def test_a_later_task_of_the_run_folds_only_its_new_events(
    events: list[dict[str, Any]], extensions: list[int]
) -> None:
    histories = FoldedHistories()
    histories.history_of(task_of(events[:3]))
    history = histories.history_of(task_of(events))
    assert extensions == [len(events) - 3]
    activity = history.activity("a-1")
    assert activity is not None and activity.last.result == "2"
    assert history.activity("a-2") is not None


def test_events_that_do_not_continue_the_kept_ones_are_folded_anew(
    events: list[dict[str, Any]], extensions: list[int]
) -> None:
    histories = FoldedHistories()
    histories.history_of(task_of(events))
    shorter = histories.history_of(task_of(events[:2]))  # not an extension: a history read again
    assert extensions == []
    assert len(shorter) == 2
    other = [{**event, "eventId": event["eventId"] + 100} for event in events]
    histories.history_of(task_of(other[:3]))  # same run, a different event at the seam
    assert extensions == []


def test_runs_are_kept_apart_and_the_oldest_goes_first(
    events: list[dict[str, Any]], extensions: list[int]
) -> None:
    histories = FoldedHistories(max_runs=1)
    histories.history_of(task_of(events[:3], run_id="r1"))
    histories.history_of(task_of(events[:3], run_id="r2"))  # evicts r1
    histories.history_of(task_of(events, run_id="r1"))
    assert extensions == []
    histories.history_of(task_of(events[:4], run_id="r1"))
    assert extensions == []  # shorter than what r1 now holds
    histories.history_of(task_of(events, run_id="r1"))
    assert extensions == [len(events) - 4]


def test_no_run_is_kept_with_max_runs_zero(events: list[dict[str, Any]], extensions: list[int]) -> None:
    histories = FoldedHistories(max_runs=0)
    histories.history_of(task_of(events[:3]))
    histories.history_of(task_of(events))
    assert extensions == []


def test_kept_events_are_bounded_too(events: list[dict[str, Any]], extensions: list[int]) -> None:
    histories = FoldedHistories(max_events=len(events))
    histories.history_of(task_of(events[:3], run_id="r1"))
    histories.history_of(task_of(events, run_id="r2"))  # r1 and r2 together are over: r1 goes
    histories.history_of(task_of(events, run_id="r1"))
    assert extensions == []
    too_long = FoldedHistories(max_events=2)
    too_long.history_of(task_of(events[:3]))  # longer than the whole budget: not kept
    too_long.history_of(task_of(events))
    assert extensions == []
