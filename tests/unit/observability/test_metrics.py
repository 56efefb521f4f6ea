"""What the decider's metrics read from a decision task, and --metrics-port without its extra."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from click.testing import CliRunner
from prometheus_client import REGISTRY

from simpleflow.cli.main import main
from simpleflow.observability.interceptors import DecisionCall
from simpleflow.observability.task_metrics import DecisionMetrics

START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def event(event_id: int, kind: str, seconds: float, **attributes: Any) -> dict[str, Any]:
    key = kind[0].lower() + kind[1:] + "EventAttributes"
    return {
        "eventId": event_id,
        "eventType": kind,
        "eventTimestamp": START + timedelta(seconds=seconds),
        key: attributes,
    }


class Cache:
    def __init__(self, hits: int, misses: int) -> None:
        self.hits, self.misses = hits, misses

    def stats(self) -> dict[str, int]:
        return {"hits": self.hits, "misses": self.misses}


class Replay:
    decisions = [{"decisionType": "ScheduleActivityTask"}]


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_decision_task_gives_schedule_to_start_timeouts_and_cache_hits():
    kind = "tests.metrics.kind"
    events = [
        event(1, "WorkflowExecutionStarted", 0),
        event(2, "ActivityTaskScheduled", 1, activityType={"name": kind, "version": "1"}, activityId="a"),
        event(3, "ActivityTaskScheduled", 1, activityType={"name": kind, "version": "1"}, activityId="b"),
        event(4, "ActivityTaskStarted", 3.5, scheduledEventId=2),
        event(5, "ActivityTaskTimedOut", 9, scheduledEventId=3, timeoutType="SCHEDULE_TO_START"),
    ]
    task = {
        "workflowExecution": {"workflowId": "w", "runId": "r"},
        "previousStartedEventId": 3,
        "events": events,
    }
    before = {
        "waits": sample("simpleflow_activity_schedule_to_start_seconds_count", activity_type=kind),
        "waited": sample("simpleflow_activity_schedule_to_start_seconds_sum", activity_type=kind),
        "timeouts": sample("simpleflow_activity_tasks_total", activity_type=kind, state="timed_out"),
        "hits": sample("simpleflow_decider_run_cache_lookups_total", result="hit"),
        "misses": sample("simpleflow_decider_run_cache_lookups_total", result="miss"),
    }
    observer = DecisionMetrics()
    cache = Cache(hits=3, misses=1)
    observer.intercept_decision(DecisionCall(task, "tests.metrics.flow", run_cache=cache), Replay)
    cache.hits = 4
    observer.intercept_decision(
        DecisionCall({**task, "previousStartedEventId": 5}, "tests.metrics.flow", run_cache=cache), Replay
    )
    # Only the task's new events count: the started event once, waited 2.5 s; the timeout once.
    assert (
        sample("simpleflow_activity_schedule_to_start_seconds_count", activity_type=kind)
        == before["waits"] + 1
    )
    assert sample("simpleflow_activity_schedule_to_start_seconds_sum", activity_type=kind) == pytest.approx(
        before["waited"] + 2.5
    )
    assert (
        sample("simpleflow_activity_tasks_total", activity_type=kind, state="timed_out")
        == before["timeouts"] + 1
    )
    assert sample("simpleflow_decision_tasks_total", workflow_type="tests.metrics.flow", state="decided") == 2
    # The cache's counters are counted as they grow, not again at each task.
    assert sample("simpleflow_decider_run_cache_lookups_total", result="hit") == before["hits"] + 4
    assert sample("simpleflow_decider_run_cache_lookups_total", result="miss") == before["misses"] + 1
    assert sample("simpleflow_decider_run_cache_hit_ratio") == pytest.approx(0.8)


def test_a_failed_replay_is_counted_and_raised():
    def failing() -> None:
        raise RuntimeError("replay broke")

    with pytest.raises(RuntimeError, match="replay broke"):
        DecisionMetrics().intercept_decision(DecisionCall({"events": []}, "tests.metrics.broken"), failing)
    assert (
        sample("simpleflow_decision_tasks_total", workflow_type="tests.metrics.broken", state="replay_failed")
        == 1
    )


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(["worker.start", "--task-list", "x"], id="worker"),
        pytest.param(["decider.start", "tests.fixtures.runs.OneActivityWorkflow"], id="decider"),
        pytest.param(["localswf.start"], id="localswf"),
    ],
)
def test_without_the_extra_the_option_is_one_line_naming_it(monkeypatch, clean_logging, arguments):
    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # what an install without [metrics] gives
    result = CliRunner().invoke(main, [*arguments, "--metrics-port", "9999"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --metrics-port needs the prometheus-client package: pip install 'simpleflow[metrics]'"
    ]


def test_the_worker_hooks_count_tasks_polls_and_heartbeat_failures(monkeypatch):
    from simpleflow.observability import task_metrics

    monkeypatch.setattr(task_metrics, "is_enabled", lambda: True)
    kind = "tests.metrics.hooked"
    failures = sample("simpleflow_heartbeat_failures_total")

    from simpleflow.process.worker import TaskResult

    task = {"activityType": {"name": kind}}
    assert task_metrics.observe_activity_task(task, lambda: TaskResult.COMPLETED) is TaskResult.COMPLETED
    with pytest.raises(KeyboardInterrupt):
        task_metrics.observe_activity_task(task, lambda: (_ for _ in ()).throw(KeyboardInterrupt()))
    assert task_metrics.observe_poll("tests-kind", lambda: None) is None
    task_metrics.heartbeat_failed()

    assert sample("simpleflow_activity_tasks_total", activity_type=kind, state="started") == 2
    assert sample("simpleflow_activity_tasks_total", activity_type=kind, state="completed") == 1
    assert sample("simpleflow_activity_tasks_total", activity_type=kind, state="killed") == 1
    assert sample("simpleflow_activity_run_seconds_count", activity_type=kind) == 2
    assert sample("simpleflow_poll_wait_seconds_count", kind="tests-kind", result="empty") == 1
    assert sample("simpleflow_heartbeat_failures_total") == failures + 1


def test_hooks_only_call_through_when_metrics_are_off():
    from simpleflow.observability import task_metrics

    assert not task_metrics.is_enabled()
    kind = "tests.metrics.off"
    assert task_metrics.observe_activity_task({"activityType": {"name": kind}}, lambda: 7) == 7
    assert sample("simpleflow_activity_tasks_total", activity_type=kind, state="started") == 0


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(["worker.start", "--task-list", "x"], id="worker"),
        pytest.param(["localswf.start"], id="localswf"),
    ],
)
def test_a_port_in_use_is_one_line_and_switches_nothing_on(monkeypatch, clean_logging, arguments):
    import os
    import socket

    from simpleflow.observability import metrics

    monkeypatch.delenv(metrics.METRICS_DIR_ENV, raising=False)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, [*arguments, "--metrics-port", str(port)])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"error: --metrics-port {port}: cannot bind 127.0.0.1:{port}: ")
    assert metrics.METRICS_DIR_ENV not in os.environ
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    assert not metrics.is_enabled()
