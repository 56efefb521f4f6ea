"""What SWF's quota profile costs the engine: CPU per activity with ``quotas="aws"`` against none.

Plays ``bench_localswf_engine``'s workload (``SWFService.handle`` in process, one thread, no transport) on
a service with the quota profile off and on, alternately, and prints the medians and their ratio. The
workload stays inside the AWS buckets (each repeat has a fresh service, so full buckets), so the figure
is the price of spending tokens, not of being throttled; the run checks that nothing was refused. A
second figure is the cost of a per-execution bucket: heartbeats, which look their task's run up.

Goal: the profile adds at most 10% to the CPU per activity.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from benchmarks.bench_localswf_engine import (
    ACTIVITIES,
    DOMAIN,
    TASK_LIST,
    WORKFLOWS,
    decide,
    register,
    run_workload,
)
from benchmarks.swf_servers import schedule_decisions
from simpleflow.localswf.quotas import AWS_QUOTAS, BucketQuota
from simpleflow.localswf.service import SWFService

REPEATS = 7
HEARTBEATS = 2000
GOAL_RATIO = 1.10
# Heartbeats as fast as one thread makes them would spend the run's bucket (1,000, refilled 1,000 a
# second): widened, so every call does the lookup and spends a token and none is refused.
HEARTBEAT_PROFILE = AWS_QUOTAS.with_buckets(
    name="aws, wide heartbeats",
    api={"RecordActivityTaskHeartbeat": BucketQuota(10 * HEARTBEATS, 10 * HEARTBEATS)},
    api_per_execution={"RecordActivityTaskHeartbeat": BucketQuota(10 * HEARTBEATS, 10 * HEARTBEATS)},
)


def workload_cpu_ms(quotas: Any) -> float:
    """CPU ms per activity of the engine workload on a fresh service."""
    service = SWFService(poll_timeout=0.5, quotas=quotas)
    try:
        register(service)
        started = time.thread_time()
        run_workload(service)
        spent = (time.thread_time() - started) * 1000 / (WORKFLOWS * ACTIVITIES)
        if service.throttle is not None and service.throttle.refused:
            raise AssertionError(f"the workload was throttled: {dict(service.throttle.refused)}")
        return spent
    finally:
        service.close()


def heartbeat_cpu_us(quotas: Any) -> float:
    """CPU µs per heartbeat of one started activity task."""
    service = SWFService(poll_timeout=0.5, quotas=quotas)
    try:
        register(service)
        service.handle(
            "StartWorkflowExecution",
            {
                "domain": DOMAIN,
                "workflowId": "beating",
                "workflowType": {"name": "bench-workflow", "version": "1"},
                "taskList": {"name": TASK_LIST},
            },
        )
        decide(
            service,
            schedule_decisions(
                1, activity_type={"name": "bench-activity", "version": "1"}, task_list=TASK_LIST
            ),
        )
        task = service.handle("PollForActivityTask", {"domain": DOMAIN, "taskList": {"name": TASK_LIST}})
        beat = {"taskToken": task["taskToken"]}
        started = time.thread_time()
        for _ in range(HEARTBEATS):
            service.handle("RecordActivityTaskHeartbeat", beat)
        spent = (time.thread_time() - started) * 1_000_000 / HEARTBEATS
        if service.throttle is not None and service.throttle.refused:
            raise AssertionError(f"heartbeats were throttled: {dict(service.throttle.refused)}")
        return spent
    finally:
        service.close()


def main() -> int:
    off: list[float] = []
    on: list[float] = []
    for _ in range(REPEATS):  # alternated, so a change in the machine's load hits both alike
        off.append(workload_cpu_ms(None))
        on.append(workload_cpu_ms("aws"))
    beats: dict[str, list[float]] = {"off": [], "on": []}
    for _ in range(REPEATS):
        beats["off"].append(heartbeat_cpu_us(None))
        beats["on"].append(heartbeat_cpu_us(HEARTBEAT_PROFILE))
    beats_off, beats_on = statistics.median(beats["off"]), statistics.median(beats["on"])
    ratio = statistics.median(on) / statistics.median(off)
    print(
        f"engine CPU per activity, quota profile off vs aws ({WORKFLOWS} workflows x {ACTIVITIES} activities)"
    )
    print(f"  off  median {statistics.median(off):.3f} ms  (runs: {', '.join(f'{v:.3f}' for v in off)})")
    print(f"  aws  median {statistics.median(on):.3f} ms  (runs: {', '.join(f'{v:.3f}' for v in on)})")
    print(f"  ratio aws/off {ratio:.3f} (goal <= {GOAL_RATIO:.2f})")
    print(
        f"RecordActivityTaskHeartbeat CPU per call: off {beats_off:.1f} µs, with account and run buckets"
        f" {beats_on:.1f} µs (ratio {beats_on / beats_off:.3f})"
    )
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
