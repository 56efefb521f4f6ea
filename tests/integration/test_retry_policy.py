"""End to end through ``--local``: a RetryPolicy's delays are timers (virtual time skips them), and a
non-retryable failure is attempted once; timers refused by the embedded service's StartTimer bucket are
started again after a paced wait."""

from __future__ import annotations

import time
from typing import Any

import pytest

from simpleflow.local import DOMAIN, LocalRun
from simpleflow.localswf.limits import Limits
from simpleflow.localswf.quotas import AWS_QUOTAS, BucketQuota
from tests.fixtures.retry_workflows import END_TO_END, EndToEndPolicyWorkflow, ManyTimersWorkflow

pytestmark = pytest.mark.integration


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    name = event["eventType"][0].lower() + event["eventType"][1:]
    return event[f"{name}EventAttributes"]


def history_of(run: LocalRun) -> list[dict[str, Any]]:
    execution = {"workflowId": run.root["workflowId"], "runId": run.root["runId"]}
    return run.client.get_workflow_execution_history(domain=DOMAIN, execution=execution)["events"]  # type: ignore[no-any-return]


def test_delays_are_decider_timers_and_a_non_retryable_failure_is_not_retried() -> None:
    started = time.monotonic()
    with LocalRun(EndToEndPolicyWorkflow, nb_workers=2) as run:
        result = run.execute([3], timeout=60)
        events = history_of(run)
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


def test_timers_refused_by_the_start_timer_bucket_are_started_again_once_it_refilled() -> None:
    # SWF's StartTimer bucket refills 200 tokens a second; a small one is emptied by a dozen timers.
    quotas = AWS_QUOTAS.with_buckets(decisions={"StartTimer": BucketQuota(8, 200)})
    with LocalRun(ManyTimersWorkflow, limits=Limits(quotas=quotas)) as run:
        assert run.execute([12], timeout=60) == 12
        events = history_of(run)
    refused = [attributes(e) for e in events if e["eventType"] == "StartTimerFailed"]
    assert {refusal["cause"] for refusal in refused} == {"TIMER_CREATION_RATE_EXCEEDED"}
    assert len(refused) == 4
    # The decider waited for the refill before starting them again: each was refused once, not in a loop.
    assert len({refusal["timerId"] for refusal in refused}) == 4
    assert sum(1 for e in events if e["eventType"] == "TimerFired") == 12
