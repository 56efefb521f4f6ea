"""The engine's own cost per activity: ``SWFService.handle`` called directly, one thread, no transport.

The throughput benchmark measures the whole stack (HTTP, JSON, boto3) on a shared, noisy machine; this one
isolates what the engine adds, in CPU time (steady even when the machine is busy) and in SQL statements
per API call. It plays the throughput benchmark's workload: each workflow schedules its activities in
one decision, a worker takes and completes them one by one, and the decider answers a decision task
after every few completions, as a concurrent decider does.

``--profile`` prints the hottest functions (cProfile, sorted by own time).
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import sys
import time
from collections import Counter
from typing import Any

from benchmarks.swf_servers import register_types, schedule_decisions
from simpleflow.localswf.service import SWFService

WORKFLOWS = 20
ACTIVITIES = 50
# The throughput benchmark's decider sees a handful of completions per decision task.
COMPLETIONS_PER_DECISION = 4
REPEATS = 5
DOMAIN = "engine-bench"
TASK_LIST = "bench"
WORKFLOW_TYPE = {"name": "bench-workflow", "version": "1"}
ACTIVITY_TYPE = {"name": "bench-activity", "version": "1"}


def register(service: SWFService) -> None:
    register_types(service.handle, DOMAIN, workflow_type=WORKFLOW_TYPE, activity_type=ACTIVITY_TYPE)


def decide(service: SWFService, decisions: list[dict[str, Any]]) -> dict[str, Any]:
    task = service.handle(
        "PollForDecisionTask",
        {"domain": DOMAIN, "taskList": {"name": TASK_LIST}, "reverseOrder": True, "maximumPageSize": 25},
    )
    assert task["taskToken"], "no decision task was scheduled"
    service.handle("RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": decisions})
    return task


def run_workload(service: SWFService) -> None:
    """Every workflow to completion, one activity at a time."""
    for index in range(WORKFLOWS):
        service.handle(
            "StartWorkflowExecution",
            {
                "domain": DOMAIN,
                "workflowId": f"wf-{index}",
                "workflowType": WORKFLOW_TYPE,
                "taskList": {"name": TASK_LIST},
            },
        )
        schedule = schedule_decisions(ACTIVITIES, activity_type=ACTIVITY_TYPE, task_list=TASK_LIST)
        decide(service, schedule)
        for number in range(1, ACTIVITIES + 1):
            task = service.handle("PollForActivityTask", {"domain": DOMAIN, "taskList": {"name": TASK_LIST}})
            service.handle("RespondActivityTaskCompleted", {"taskToken": task["taskToken"], "result": "1"})
            if number == ACTIVITIES:
                decide(service, [{"decisionType": "CompleteWorkflowExecution"}])
            elif number % COMPLETIONS_PER_DECISION == 0:
                decide(service, [])


class StatementCounter:
    """Counts the SQL statements the service runs, by operation (``sqlite3``'s trace callback)."""

    def __init__(self, service: SWFService) -> None:
        self.by_operation: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self._current = "-"
        with service._lock:  # the scheduler thread shares the connection
            service.store.connection.set_trace_callback(self._count)
        handle = service.handle

        def counted(operation: str, params: dict[str, Any]) -> dict[str, Any]:
            self._current = operation
            self.calls[operation] += 1
            return handle(operation, params)

        service.handle = counted  # type: ignore[method-assign]

    def _count(self, statement: str) -> None:
        self.by_operation[self._current] += 1


def main() -> int:
    profile = "--profile" in sys.argv
    cpu_ms: list[float] = []
    counts: StatementCounter | None = None
    for repeat in range(REPEATS):
        service = SWFService(poll_timeout=0.5)
        try:
            register(service)
            if repeat == 0:
                counts = StatementCounter(service)
            profiler = cProfile.Profile() if profile and repeat == REPEATS - 1 else None
            started = time.thread_time()
            if profiler is not None:
                profiler.enable()
            run_workload(service)
            if profiler is not None:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
            cpu_ms.append((time.thread_time() - started) * 1000 / (WORKFLOWS * ACTIVITIES))
        finally:
            service.close()
    assert counts is not None
    calls = sum(counts.calls.values())
    statements = sum(counts.by_operation.values())
    print(
        f"engine CPU per activity, in process, no transport ({WORKFLOWS} workflows x {ACTIVITIES} activities)"
    )
    print(f"  median {statistics.median(cpu_ms):.3f} ms  (runs: {', '.join(f'{v:.3f}' for v in cpu_ms)})")
    print(
        f"  {calls / (WORKFLOWS * ACTIVITIES):.2f} API calls per activity,"
        f" {statements / calls:.2f} SQL statements per call"
    )
    for operation, count in sorted(counts.calls.items()):
        print(f"    {operation:32} {counts.by_operation[operation] / count:6.2f} statements per call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
