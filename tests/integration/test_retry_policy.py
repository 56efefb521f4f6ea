"""End to end through ``--local``: a RetryPolicy's delays are timers (virtual time skips them), and a
non-retryable failure is attempted once."""

from __future__ import annotations

import time
from typing import Any

import pytest

from simpleflow.local import DOMAIN, LocalRun
from tests.fixtures.retry_workflows import END_TO_END, EndToEndPolicyWorkflow

pytestmark = pytest.mark.integration


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    name = event["eventType"][0].lower() + event["eventType"][1:]
    return event[f"{name}EventAttributes"]


def test_delays_are_decider_timers_and_a_non_retryable_failure_is_not_retried() -> None:
    started = time.monotonic()
    with LocalRun(EndToEndPolicyWorkflow, nb_workers=2) as run:
        result = run.execute([3], timeout=60)
        execution = {"workflowId": run.root["workflowId"], "runId": run.root["runId"]}
        events = run.client.get_workflow_execution_history(domain=DOMAIN, execution=execution)["events"]
    # Three minutes of retry delays, skipped by the virtual clock rather than slept.
    assert time.monotonic() - started < 30
    assert result == {
        "retried": {"attempt": 3},
        "refused": "activity-fixtures.retry.bad_input-1: BadInput: attempt 1: this input can never work",
    }
    scheduled = [attributes(e)["activityId"] for e in events if e["eventType"] == "ActivityTaskScheduled"]
    assert scheduled.count("activity-fixtures.retry.flaky-1") == 3
    assert scheduled.count("activity-fixtures.retry.bad_input-1") == 1
    delays = [int(attributes(e)["startToFireTimeout"]) for e in events if e["eventType"] == "TimerStarted"]
    # 30 s then 60 s, each within the policy's 10 % of jitter.
    assert len(delays) == 2
    for delay, nominal in zip(delays, (30, 60), strict=True):
        assert nominal * (1 - END_TO_END.jitter) <= delay <= nominal * (1 + END_TO_END.jitter) + 1
    fired = [e for e in events if e["eventType"] == "TimerFired"]
    assert len(fired) == 2
