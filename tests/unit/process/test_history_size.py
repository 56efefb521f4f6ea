"""The decider warns once per run whose history passes SWF's advised 10,000 events."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import simpleflow.workflow
from examples.fanout import SquaresWorkflow
from simpleflow.local import LocalRun
from simpleflow.process.history_size import HistorySizeWarning

LOGGER = "simpleflow.process.history_size"


def task(started: int, *, run_id: str = "run-1") -> dict[str, Any]:
    return {
        "startedEventId": started,
        "workflowExecution": {"workflowId": "long", "runId": run_id},
        "workflowType": {"name": "looping", "version": "1"},
        "events": [],
    }


def test_the_threshold_is_swf_s_advice() -> None:
    assert simpleflow.workflow.CONTINUE_AS_NEW_SUGGESTED_EVENTS == 10_000
    assert HistorySizeWarning().threshold == 10_000


def test_it_warns_once_per_run_past_the_threshold(caplog: pytest.LogCaptureFixture) -> None:
    warning = HistorySizeWarning(threshold=100)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert [warning.check(task(size)) for size in (10, 99, 100, 150, 5000)] == [
            False,
            False,
            True,
            False,
            False,
        ]
        assert warning.check(task(100, run_id="run-2"))  # the next run (continue-as-new) is another run
    messages = [record.getMessage() for record in caplog.records if record.name == LOGGER]
    assert messages == [
        "the history of long (run-1), a looping run, has 100 events, past the 100 SWF advises (it fails an "
        "execution at 25,000): continue as new when self.is_continue_as_new_suggested()",
        "the history of long (run-2), a looping run, has 100 events, past the 100 SWF advises (it fails an "
        "execution at 25,000): continue as new when self.is_continue_as_new_suggested()",
    ]
    assert all(record.levelno == logging.WARNING for record in caplog.records if record.name == LOGGER)


def test_the_runs_remembered_are_bounded() -> None:
    warning = HistorySizeWarning(threshold=1, remembered=2)
    assert [warning.check(task(5, run_id=f"run-{n}")) for n in range(3)] == [True, True, True]
    assert not warning.check(task(5, run_id="run-2"))
    assert warning.check(task(5, run_id="run-0"))  # forgotten: the oldest went first


def test_a_task_without_started_event_id_counts_its_events() -> None:
    warning = HistorySizeWarning(threshold=3)
    assert warning.check({"events": [{}, {}, {}], "workflowExecution": {"workflowId": "w", "runId": "r"}})


def test_the_decider_warns_for_a_long_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(simpleflow.workflow, "CONTINUE_AS_NEW_SUGGESTED_EVENTS", 10)
    with caplog.at_level(logging.WARNING, logger=LOGGER), LocalRun(SquaresWorkflow, nb_workers=2) as run:
        assert run.execute([3], timeout=60) == 5
    warnings = [record.getMessage() for record in caplog.records if record.name == LOGGER]
    assert len(warnings) == 1, warnings  # several decision tasks past 10 events, one warning
    assert "a squares run, has" in warnings[0] and "past the 10 SWF advises" in warnings[0]
