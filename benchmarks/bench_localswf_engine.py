"""The engine's own cost per activity: ``SWFService.handle_json`` called directly, one thread, no socket.

``handle_json`` is what both transports call: the operation and its answer's JSON body, with a history's
events spliced in as stored. Only the time inside it is counted: reading the answer back (``json.loads``)
is the client's work.

The throughput benchmark measures the whole stack (HTTP, JSON, boto3) on a shared, noisy machine; this one
isolates what the engine adds, in CPU time (steady even when the machine is busy) and in SQL statements
per API call. It plays the throughput benchmark's workload: each workflow schedules its activities in
one decision, a worker takes and completes them one by one, and the decider answers a decision task
after every few completions, as a concurrent decider does.

``--profile`` prints the hottest functions (cProfile, sorted by own time).
"""

from __future__ import annotations

import cProfile
import json
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


class Engine:
    """Calls ``SWFService.handle_json`` and counts the CPU time spent inside it, by operation."""

    def __init__(self, service: SWFService) -> None:
        self.service = service
        self.cpu_by_operation: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def __call__(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        started = time.thread_time()
        body = self.service.handle_json(operation, params)
        self.cpu_by_operation[operation] += time.thread_time() - started
        self.calls[operation] += 1
        answer: dict[str, Any] = json.loads(body)
        return answer


def register(engine: Engine) -> None:
    register_types(engine, DOMAIN, workflow_type=WORKFLOW_TYPE, activity_type=ACTIVITY_TYPE)


def decide(engine: Engine, decisions: list[dict[str, Any]]) -> dict[str, Any]:
    task = engine(
        "PollForDecisionTask",
        {"domain": DOMAIN, "taskList": {"name": TASK_LIST}, "reverseOrder": True, "maximumPageSize": 25},
    )
    assert task["taskToken"], "no decision task was scheduled"
    engine("RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": decisions})
    return task


def run_workload(engine: Engine) -> None:
    """Every workflow to completion, one activity at a time."""
    for index in range(WORKFLOWS):
        engine(
            "StartWorkflowExecution",
            {
                "domain": DOMAIN,
                "workflowId": f"wf-{index}",
                "workflowType": WORKFLOW_TYPE,
                "taskList": {"name": TASK_LIST},
            },
        )
        schedule = schedule_decisions(ACTIVITIES, activity_type=ACTIVITY_TYPE, task_list=TASK_LIST)
        decide(engine, schedule)
        for number in range(1, ACTIVITIES + 1):
            task = engine("PollForActivityTask", {"domain": DOMAIN, "taskList": {"name": TASK_LIST}})
            engine("RespondActivityTaskCompleted", {"taskToken": task["taskToken"], "result": "1"})
            if number == ACTIVITIES:
                decide(engine, [{"decisionType": "CompleteWorkflowExecution"}])
            elif number % COMPLETIONS_PER_DECISION == 0:
                decide(engine, [])


class StatementCounter:
    """Counts the SQL statements the service runs, by operation (``sqlite3``'s trace callback)."""

    def __init__(self, service: SWFService) -> None:
        self.by_operation: Counter[str] = Counter()
        self._current = "-"
        with service._lock:  # the scheduler thread shares the connection
            service.store.connection.set_trace_callback(self._count)
        handle_json = service.handle_json

        def counted(operation: str, params: dict[str, Any]) -> bytes:
            self._current = operation
            return handle_json(operation, params)

        service.handle_json = counted  # type: ignore[method-assign]

    def _count(self, statement: str) -> None:
        self.by_operation[self._current] += 1


def main() -> int:
    profile = "--profile" in sys.argv
    cpu_ms: list[float] = []
    counts: StatementCounter | None = None
    engines: list[Engine] = []
    activities = WORKFLOWS * ACTIVITIES
    for repeat in range(REPEATS):
        service = SWFService(poll_timeout=0.5)
        try:
            register(Engine(service))
            if repeat == 0:
                counts = StatementCounter(service)
            engine = Engine(service)
            profiler = cProfile.Profile() if profile and repeat == REPEATS - 1 else None
            if profiler is not None:
                profiler.enable()
            run_workload(engine)
            if profiler is not None:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
            cpu_ms.append(sum(engine.cpu_by_operation.values()) * 1000 / activities)
            engines.append(engine)
        finally:
            service.close()
    assert counts is not None
    first = engines[0]
    calls = sum(first.calls.values())
    statements = sum(counts.by_operation.values())
    workload = f"{WORKFLOWS} workflows x {ACTIVITIES} activities"
    print(f"engine CPU per activity, answers encoded, no transport ({workload})")
    print(f"  median {statistics.median(cpu_ms):.3f} ms  (runs: {', '.join(f'{v:.3f}' for v in cpu_ms)})")
    print(
        f"  {calls / activities:.2f} API calls per activity, {statements / calls:.2f} SQL statements per call"
    )
    for operation, count in sorted(first.calls.items()):
        cpu_us = statistics.median(engine.cpu_by_operation[operation] / count for engine in engines) * 1e6
        print(
            f"    {operation:32} {counts.by_operation[operation] / count:6.2f} statements,"
            f" {cpu_us:6.1f} us CPU per call"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
