"""The parts of a --local activity measured one by one: what bench_local_trivial's figure is made of.

- one in-process botocore call (``describe_domain``, the cheapest SWF call), through the same local
  client ``--local`` uses: botocore builds, validates, serializes and parses it as it would for AWS;
- the activity worker's loop (poll, run a trivial activity, respond), in 1 thread and in 64 threads,
  on 1,000 activities scheduled beforehand;
- one replay of a workflow that submitted 1,000 activities, all completed, as its decider makes it
  every decision task (with the history folded already, and folded from its events);
- one activity isolated in a child process, as ``worker.start`` runs each (the forkserver forks it, it
  runs the activity and sends back the outcome): the CPU of the worker's side, and of the forkserver with
  its children (read from ``/proc``: its children are not this process's), which is the least a
  ``standalone`` or ``worker.start`` activity costs before any SWF call.

From these it prints the least any run of 1,000 activities through botocore can cost, next to what
simpleflow 0.36.0's whole run costs (bench_local_trivial prints that). No goal: these are facts for
the goal of bench_local_trivial.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from typing import Any

from benchmarks.swf_servers import register_types, schedule_decisions
from benchmarks.workflows import TrivialWorkflow
from simpleflow.executor import Executor
from simpleflow.history import History
from simpleflow.local import run_in_thread
from simpleflow.localswf.clock import VirtualClock
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from simpleflow.swf.actors import ActivityWorker
from simpleflow.testing import HistoryBuilder

ACTIVITIES = 1000
ACTIVITY_NAME = "benchmarks.workflows.identity"
ACTIVITY_TYPE = {"name": ACTIVITY_NAME, "version": "1"}
WORKFLOW_TYPE = {"name": "floor", "version": "1"}
DOMAIN = "floor"
TASK_LIST = "floor-activities"


def botocore_call_us(client: Any, *, calls: int = 2000) -> float:
    """Median microseconds of an in-process ``describe_domain``, over batches of 200 calls."""
    batches = []
    for _ in range(calls // 200):
        started = time.perf_counter()
        for _ in range(200):
            client.describe_domain(name=DOMAIN)
        batches.append((time.perf_counter() - started) / 200 * 1e6)
    return statistics.median(batches)


def schedule_activities(service: SWFService) -> None:
    """One execution with ``ACTIVITIES`` trivial activity tasks scheduled (100 per decision)."""
    handle = service.handle
    register_types(handle, DOMAIN, workflow_type=WORKFLOW_TYPE, activity_type=ACTIVITY_TYPE)
    decision_list = {"name": "floor-decisions"}
    handle(
        "StartWorkflowExecution",
        {"domain": DOMAIN, "workflowId": "floor", "workflowType": WORKFLOW_TYPE, "taskList": decision_list},
    )
    for first in range(0, ACTIVITIES, 100):
        task = handle("PollForDecisionTask", {"domain": DOMAIN, "taskList": decision_list})
        decisions = schedule_decisions(100, activity_type=ACTIVITY_TYPE, task_list=TASK_LIST, first=first)
        handle("RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": decisions})
        # A signal makes the next decision task: nothing else happens in the run meanwhile.
        handle("SignalWorkflowExecution", {"domain": DOMAIN, "workflowId": "floor", "signalName": "next"})


def worker_ms_per_activity(threads: int) -> float:
    """CPU milliseconds per activity of ``threads`` worker threads draining ``ACTIVITIES`` tasks."""
    service = SWFService(":memory:", clock=VirtualClock(), poll_timeout=0.2)
    try:
        schedule_activities(service)
        with embedded_client(service) as client:

            def drain() -> None:
                worker = ActivityWorker(client, DOMAIN, task_list=TASK_LIST, identity="floor")
                while (task := worker.poll()) is not None:
                    run_in_thread(worker, task)

            started = time.process_time()
            pool = [threading.Thread(target=drain) for _ in range(threads)]
            for thread in pool:
                thread.start()
            for thread in pool:
                thread.join()
            return (time.process_time() - started) * 1000 / ACTIVITIES
    finally:
        service.close()


def completed_run() -> dict[str, Any]:
    """The decision task of a TrivialWorkflow run whose ``ACTIVITIES`` activities all completed."""
    builder = HistoryBuilder(TrivialWorkflow, input=[ACTIVITIES])
    builder.open_decision_task()
    builder.complete_decision_task()
    for number in range(ACTIVITIES):
        activity_id = f"activity-{ACTIVITY_NAME}-{number + 1}"
        builder.activity_scheduled(
            activity_id, name=ACTIVITY_NAME, version="1", input={"args": [number], "kwargs": {}}
        )
        builder.activity_started(activity_id)
        builder.activity_completed(activity_id, result=number)
    return builder.decision_task()


def replay_ms(task: dict[str, Any], *, folded: bool, repeat: int = 7) -> float:
    """Median milliseconds of one replay (``folded``: the history already folded, as a decider keeps it)."""
    executor = Executor(TrivialWorkflow)
    history = History(task["events"]) if folded else None
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        replay = executor.replay(task, history=history)
        timings.append((time.perf_counter() - started) * 1000)
    assert replay.decisions[-1]["decisionType"] == "CompleteWorkflowExecution", replay.decisions
    return statistics.median(timings)


ISOLATED_ACTIVITIES = 200


def _tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` and of its reaped children, from ``/proc/<pid>/stat``."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def isolated_activity_ms() -> tuple[float, float, float]:
    """Wall, worker-side CPU and forkserver-tree CPU milliseconds of one trivial isolated activity."""
    from multiprocessing import forkserver

    from simpleflow.process.isolation import ActivityContextData, ActivityProcess, preload_plan

    task = {
        "taskToken": "floor",
        "activityId": "floor",
        "activityType": ACTIVITY_TYPE,
        "input": '{"args": [1], "kwargs": {}}',
        "workflowExecution": {"workflowId": "floor", "runId": "floor"},
    }
    data = ActivityContextData(DOMAIN, TASK_LIST, environ=dict(os.environ))

    def run_one() -> None:
        child = ActivityProcess(task, data)
        child.start()
        try:
            while child.next_event(timeout=30) is None:
                pass
        finally:
            child.close()

    # A busy worker's steady state: its forkserver preloads the activity's module. A worker replaces it
    # once children spent about a forkserver's start-up importing the module; here, at the first report.
    preload_plan.replace_after_seconds = 0.0
    run_one()  # starts the forkserver; the child reports the activity's module
    run_one()  # starts the forkserver that preloads it (see simpleflow.process.preload)
    server_pid = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    if server_pid is None:
        return float("nan"), float("nan"), float("nan")
    tree_before, own_before, started = _tree_cpu_seconds(server_pid), time.process_time(), time.perf_counter()
    for _ in range(ISOLATED_ACTIVITIES):
        run_one()
    wall = (time.perf_counter() - started) * 1000 / ISOLATED_ACTIVITIES
    own = (time.process_time() - own_before) * 1000 / ISOLATED_ACTIVITIES
    return wall, own, (_tree_cpu_seconds(server_pid) - tree_before) * 1000 / ISOLATED_ACTIVITIES


def main() -> int:
    service = SWFService(":memory:", clock=VirtualClock())
    try:
        service.handle("RegisterDomain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"})
        with embedded_client(service) as client:
            call_us = botocore_call_us(client)
    finally:
        service.close()
    one_thread, many_threads = worker_ms_per_activity(1), worker_ms_per_activity(64)
    task = completed_run()
    folded, unfolded = replay_ms(task, folded=True), replay_ms(task, folded=False)
    print(f"the parts of a --local activity ({ACTIVITIES:,} trivial activities)")
    print(f"  one in-process botocore call (describe_domain): median {call_us:.0f} us")
    print(
        f"  activity worker loop, CPU ms per activity: {one_thread:.3f} in 1 thread, {many_threads:.3f} in 64"
    )
    print(
        f"  one replay of {ACTIVITIES:,} completed submits: {folded:.1f} ms folded, {unfolded:.1f} unfolded"
    )
    wall_ms, worker_ms, tree_ms = isolated_activity_ms()
    print(
        f"  one isolated activity (forkserver child): {wall_ms:.2f} ms wall, CPU {worker_ms:.2f} ms in the "
        f"worker + {tree_ms:.2f} ms in the forkserver and the child"
    )
    floor_s = 2 * call_us * ACTIVITIES / 1e6
    print(
        f"  botocore alone, 2 calls per activity (poll, respond): at least {floor_s:.2f} s per {ACTIVITIES:,}"
        " activities, before the engine, the worker or the decider do anything"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
