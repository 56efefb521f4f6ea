"""Live runs kept between decision tasks: hits, misses, divergences, eviction, and what users see."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import pytest

from simpleflow.exceptions import NondeterminismError
from simpleflow.executor import Executor
from simpleflow.runtime.cache import RUN_OVERHEAD_BYTES, LiveRunMismatch, RunCache, estimate_bytes
from simpleflow.runtime.live_run import LiveRun
from simpleflow.testing import HistoryBuilder
from tests.unit.runtime import workflows
from tests.unit.runtime.workflows import (
    Chain,
    FirstCompleted,
    LogsOnce,
    PeeksAtFinished,
    SwallowsEverything,
    Unwinds,
    WaitsOnAFailingGroup,
)


def _scheduled_ids(decisions: list[dict[str, Any]]) -> list[str]:
    return [
        d["scheduleActivityTaskDecisionAttributes"]["activityId"]
        for d in decisions
        if d["decisionType"] == "ScheduleActivityTask"
    ]


class Driver:
    """One execution decided through ``runs``, with activities completed as the test says."""

    def __init__(self, workflow: type, runs: RunCache, *, input: Any = None, workflow_id: str = "wf") -> None:
        self.builder = HistoryBuilder(workflow, input=input, workflow_id=workflow_id)
        self.executor = Executor(workflow)
        self.runs = runs

    def decide(self) -> list[dict[str, Any]]:
        replay = self.executor.replay(self.builder.decision_task(), runs=self.runs)
        self.builder.record_decisions(replay.decisions, execution_context=replay.execution_context)
        return replay.decisions

    def complete_all(self, decisions: list[dict[str, Any]], result: Any = None) -> None:
        for activity_id in _scheduled_ids(decisions):
            self.builder.activity_started(activity_id)
            self.builder.activity_completed(activity_id, result=result)


def test_a_chain_runs_run_once_and_hits_the_cache_at_every_later_task() -> None:
    Chain.starts = 0
    runs = RunCache(verify=True)
    driver = Driver(Chain, runs, input=[5])
    decisions = driver.decide()
    value = 0
    while decisions[-1]["decisionType"] != "CompleteWorkflowExecution":
        value += 1
        driver.complete_all(decisions, result=value)
        decisions = driver.decide()
    attributes = decisions[-1]["completeWorkflowExecutionDecisionAttributes"]
    assert json.loads(attributes["result"]) == 5
    # One start by the live run; the verifying fresh runs start it once per hit too.
    stats = runs.stats()
    assert stats["misses"] == 1 and stats["hits"] == 5 and stats["divergences"] == 0
    assert Chain.starts == 1 + 5
    assert stats["runs"] == 0  # a closed run is not kept


def test_without_verification_a_hit_does_not_run_run_again() -> None:
    Chain.starts = 0
    runs = RunCache(verify=False)
    driver = Driver(Chain, runs, input=[3])
    decisions = driver.decide()
    for value in (1, 2, 3):
        driver.complete_all(decisions, result=value)
        decisions = driver.decide()
    assert decisions[-1]["decisionType"] == "CompleteWorkflowExecution"
    assert Chain.starts == 1 and runs.stats()["hits"] == 3


def test_a_run_that_read_a_changed_state_diverges_and_is_decided_afresh() -> None:
    runs = RunCache(verify=True)
    driver = Driver(PeeksAtFinished, runs)
    first = driver.decide()
    assert _scheduled_ids(first) == [
        "activity-tests.unit.runtime.workflows.inc-1",
        "activity-tests.unit.runtime.workflows.inc-2",
    ]
    # a completes: a replay now sees a.finished and submits the extra task; so must the cache.
    driver.builder.activity_started(_scheduled_ids(first)[0])
    driver.builder.activity_completed(_scheduled_ids(first)[0], result=2)
    second = driver.decide()
    assert _scheduled_ids(second) == ["activity-tests.unit.runtime.workflows.inc-3"]
    assert runs.stats()["divergences"] == 1


def test_what_a_replay_finds_nondeterministic_a_live_run_reports_the_same_way() -> None:
    """FIRST_COMPLETED then a submission built on which came first: a replay cannot tell arrival order.

    The live run saw b finish first and submitted ``inc(0)``; once a is done too, a replay of the whole
    history sees a first and produces ``inc(2)`` under the same id. The live run diverges (it had seen a
    running) and the fresh run raises the replay's ``NondeterminismError``, as a decider without the
    cache would.
    """
    runs = RunCache()
    driver = Driver(FirstCompleted, runs)
    first = driver.decide()
    a_id, b_id = _scheduled_ids(first)
    driver.builder.activity_started(b_id)
    driver.builder.activity_failed(b_id)
    assert len(_scheduled_ids(driver.decide())) == 1
    driver.builder.activity_started(a_id)
    driver.builder.activity_completed(a_id, result=2)
    task = driver.builder.decision_task()
    with pytest.raises(NondeterminismError) as live:
        driver.executor.replay(task, runs=runs)
    with pytest.raises(NondeterminismError) as fresh:
        Executor(FirstCompleted).replay(task)
    assert str(live.value) == str(fresh.value)
    assert runs.stats()["divergences"] == 1 and runs.stats()["runs"] == 0


def test_a_task_decided_elsewhere_meanwhile_is_a_miss() -> None:
    runs = RunCache(verify=True)
    driver = Driver(Chain, runs, input=[3])
    decisions = driver.decide()
    driver.complete_all(decisions, result=1)
    # Another decider answers this task: the cached run is now behind the history.
    other = Executor(Chain).replay(driver.builder.decision_task())
    driver.builder.record_decisions(other.decisions)
    driver.complete_all(other.decisions, result=2)
    driver.decide()
    stats = runs.stats()
    assert stats["misses"] == 2 and stats["hits"] == 0


def test_eviction_by_count_unwinds_the_least_recently_used_runs() -> None:
    Unwinds.unwound = 0
    baseline = threading.active_count()
    runs = RunCache(max_runs=2)
    for number in range(5):
        Driver(Unwinds, runs, workflow_id=f"wf-{number}").decide()
    stats = runs.stats()
    assert stats["runs"] == 2 and stats["evictions"] == 3
    assert Unwinds.unwound == 3  # each evicted run went through its finally
    assert threading.active_count() == baseline + 2
    runs.close()
    assert Unwinds.unwound == 5 and threading.active_count() == baseline


def test_eviction_by_memory_holds_the_byte_bound() -> None:
    # Room for a few runs: each costs RUN_OVERHEAD_BYTES plus its events.
    bound = 3 * RUN_OVERHEAD_BYTES + 20_000
    runs = RunCache(max_runs=100, max_bytes=bound)
    for number in range(10):
        Driver(Unwinds, runs, input=["x" * 3000], workflow_id=f"wf-{number}").decide()
        assert runs.stats()["bytes"] <= bound
    assert 0 < runs.stats()["runs"] < 10 and runs.stats()["evictions"] > 0
    runs.close()


def test_a_bare_except_in_run_does_not_leak_the_thread_of_an_evicted_run() -> None:
    baseline = threading.active_count()
    runs = RunCache(max_runs=1)
    Driver(SwallowsEverything, runs, workflow_id="a").decide()
    Driver(SwallowsEverything, runs, workflow_id="b").decide()
    assert threading.active_count() == baseline + 1
    runs.close()
    assert threading.active_count() == baseline


def test_cache_bounds_are_checked() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        RunCache(max_runs=-1)


def test_a_mismatch_between_live_and_fresh_is_reported_with_both(monkeypatch: pytest.MonkeyPatch) -> None:
    baseline = threading.active_count()
    runs = RunCache(verify=True)
    driver = Driver(Chain, runs, input=[3])
    decisions = driver.decide()
    driver.complete_all(decisions, result=1)
    real_decide = LiveRun.decide

    def wrong(self: LiveRun, task: Any, history: Any) -> Any:
        resumed = self.thread is not None
        replay = real_decide(self, task, history)
        if not resumed:
            return replay  # the fresh run the check compares with
        return type(replay)(decisions=[], execution_context=replay.execution_context)

    monkeypatch.setattr(LiveRun, "decide", wrong)
    with pytest.raises(LiveRunMismatch, match="live:  \\[\\]"):
        driver.decide()
    # The mismatched run is dropped and unwound: no parked thread is left behind.
    assert len(runs) == 0 and threading.active_count() == baseline


def test_the_workflows_module_is_importable_by_path() -> None:
    assert workflows.Chain is Chain


def test_the_workflow_logger_logs_each_thing_once_across_a_restart(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="simpleflow.workflows")
    driver = Driver(LogsOnce, RunCache(verify=False), input=[3])
    decisions = driver.decide()
    driver.complete_all(decisions, result=1)
    decisions = driver.decide()  # a hit
    # The decider restarts: a fresh run goes over "starting" and "got 1" again, quietly.
    driver.runs.close()
    driver.runs = RunCache(verify=False)
    driver.complete_all(decisions, result=2)
    decisions = driver.decide()
    driver.complete_all(decisions, result=3)
    decisions = driver.decide()
    assert decisions[-1]["decisionType"] == "CompleteWorkflowExecution"
    lines = [
        record.getMessage() for record in caplog.records if record.name == "simpleflow.workflows.runtime-logs"
    ]
    assert lines == ["starting 3 steps", "got 1", "got 2", "got 3"]


def test_the_workflow_logger_logs_everything_after_another_deciders_task(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="simpleflow.workflows")
    builder = HistoryBuilder(LogsOnce, input=[1])
    # A decision task answered by a decider that is not ours: no execution context to go by.
    builder.record_decisions(
        Executor(LogsOnce).replay(builder.decision_task()).decisions, execution_context="x"
    )
    caplog.clear()
    Executor(LogsOnce).replay(builder.decision_task(), runs=RunCache(verify=False))
    lines = [
        record.getMessage() for record in caplog.records if record.name == "simpleflow.workflows.runtime-logs"
    ]
    assert lines == ["starting 1 steps"]


def test_a_group_read_before_it_is_done_gives_its_list_once_done_even_with_failures() -> None:
    # Found by the generated orders: a parked group read raised its AggregateError where a replay
    # (reading it done) gives the list of results.
    runs = RunCache(verify=True)
    driver = Driver(WaitsOnAFailingGroup, runs)
    first = driver.decide()
    inc_id, fail_id = _scheduled_ids(first)
    driver.builder.activity_started(fail_id)
    driver.builder.activity_failed(fail_id)
    assert driver.decide() == []
    driver.builder.activity_started(inc_id)
    driver.builder.activity_completed(inc_id, result=2)
    last = driver.decide()
    assert json.loads(last[-1]["completeWorkflowExecutionDecisionAttributes"]["result"]) == [2, None]
    assert runs.stats()["hits"] == 2


def test_a_kept_run_costs_its_fixed_overhead_plus_its_events() -> None:
    runs = RunCache(max_runs=10)
    driver = Driver(Unwinds, runs, workflow_id="wf-size")
    driver.decide()
    events = runs._entries[("wf-size", driver_run_id(runs))].run.history.events
    assert runs.stats()["bytes"] == RUN_OVERHEAD_BYTES + estimate_bytes(events)
    runs.close()


def driver_run_id(runs: RunCache) -> str:
    (key,) = runs._entries
    return key[1]
