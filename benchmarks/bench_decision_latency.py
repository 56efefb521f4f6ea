"""P3: the real decider's latency on one decision task, at about 100 and about 10,000 events of history.

The embedded service serves HTTP on 127.0.0.1 from this process, on the wall clock; ``simpleflow
decider.start`` and ``worker.start`` run as child processes, as in production. One ``ChainWorkflow``
execution runs long enough to pass 10,000 events: every step is one activity, then one decision task.

Latency of a decision task, read from the history (the service's clock, so the driver does not count):
from its ``DecisionTaskScheduled`` event (written when the previous activity completed) to its
``DecisionTaskCompleted`` event. It covers the decider's poll waking up, reading the history (the pages
it has not cached), replaying, and answering. Printed in two parts: scheduled to started (the wake-up
and the first page) and started to completed (the rest of the history, the replay and the answer).

The decision tasks scheduled within 50 events of event 100 make the short sample, those within 50 of
event 10,000 the long one. Goal: median(long) <= 2 x median(short).

``SIMPLEFLOW_BENCH_LATENCY_EVENTS`` moves the long sample (default 10,000) for a quick run;
``SIMPLEFLOW_BENCH_LATENCY_TIMEOUT`` bounds the run in seconds (default 3,600).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_long_chain import positive_setting
from benchmarks.process_tree import TreeSampler
from benchmarks.reference import our_pythonpath
from benchmarks.workflows import ChainWorkflow
from simpleflow.children import ChildProcesses, simpleflow_command
from simpleflow.execution import start_execution
from simpleflow.localswf.embedded import embedded_server
from simpleflow.localswf.service import SWFService
from simpleflow.swf.client import make_client

REPO_ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "bench"
TASK_LIST = "bench-decision-latency"
GOAL_RATIO = 2.0
SHORT_EVENTS = 100
WINDOW = 50
EVENTS_PER_STEP = 6


def wait_for_completion(client: Any, execution: dict[str, str], *, timeout: float) -> None:
    """Wait for ``execution`` to complete; RuntimeError if it closes otherwise or outlives ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.describe_workflow_execution(domain=DOMAIN, execution=execution)["executionInfo"]
        if info["executionStatus"] == "CLOSED":
            if info.get("closeStatus") != "COMPLETED":
                raise RuntimeError(f"execution closed as {info.get('closeStatus')}")
            return
        time.sleep(0.5)
    raise RuntimeError(f"the chain did not complete within {timeout:.0f} s")


def read_history(client: Any, execution: dict[str, str]) -> list[dict[str, Any]]:
    """Every event of ``execution``, oldest first."""
    pages = client.get_paginator("get_workflow_execution_history").paginate(
        domain=DOMAIN, execution=execution
    )
    return [event for page in pages for event in page["events"]]


def decision_latencies(events: list[dict[str, Any]]) -> list[tuple[int, float, float]]:
    """``(scheduled event id, scheduled-to-started ms, started-to-completed ms)`` of every decision task
    scheduled right after an activity completed."""
    by_id = {event["eventId"]: event for event in events}
    started_of: dict[int, dict[str, Any]] = {}
    latencies = []
    for event in events:
        kind = event["eventType"]
        if kind == "DecisionTaskStarted":
            started_of[event["decisionTaskStartedEventAttributes"]["scheduledEventId"]] = event
        elif kind == "DecisionTaskCompleted":
            attributes = event["decisionTaskCompletedEventAttributes"]
            scheduled = by_id[attributes["scheduledEventId"]]
            previous = by_id.get(scheduled["eventId"] - 1)
            if previous is None or previous["eventType"] != "ActivityTaskCompleted":
                continue
            started = started_of[scheduled["eventId"]]
            latencies.append(
                (
                    scheduled["eventId"],
                    _ms(started["eventTimestamp"]) - _ms(scheduled["eventTimestamp"]),
                    _ms(event["eventTimestamp"]) - _ms(started["eventTimestamp"]),
                )
            )
    return latencies


def _ms(timestamp: Any) -> float:
    return float(timestamp.timestamp()) * 1000


def near(latencies: list[tuple[int, float, float]], events: int) -> list[tuple[int, float, float]]:
    """The latencies of the decision tasks scheduled within ``WINDOW`` events of event ``events``."""
    return [entry for entry in latencies if abs(entry[0] - events) <= WINDOW]


def summary(title: str, sample: list[tuple[int, float, float]]) -> float:
    """Prints the medians of ``sample``; returns the median total latency."""
    total = statistics.median(wake + rest for _, wake, rest in sample)
    print(
        f"  {title}: median {total:7.1f} ms over {len(sample)} decision tasks "
        f"(scheduled to started {statistics.median(w for _, w, _ in sample):.1f} ms, "
        f"started to completed {statistics.median(r for _, _, r in sample):.1f} ms)"
    )
    return total


def main() -> int:
    long_events = int(positive_setting("SIMPLEFLOW_BENCH_LATENCY_EVENTS", 10_000))
    timeout = positive_setting("SIMPLEFLOW_BENCH_LATENCY_TIMEOUT", 3600.0)
    if long_events < SHORT_EVENTS + 4 * WINDOW:
        raise SystemExit(f"SIMPLEFLOW_BENCH_LATENCY_EVENTS must be at least {SHORT_EVENTS + 4 * WINDOW}")
    steps = (long_events + WINDOW) // EVENTS_PER_STEP + 2
    with tempfile.TemporaryDirectory() as directory:
        service = SWFService(os.path.join(directory, "swf.db"))
        try:
            with embedded_server(service) as server, ChildProcesses() as children:
                client = make_client(endpoint_url=server.endpoint_url)
                client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
                env = {**os.environ, "AWS_ENDPOINT_URL_SWF": server.endpoint_url, "LOG_LEVEL": "WARNING"}
                env["PYTHONPATH"] = our_pythonpath()
                common = ["--domain", DOMAIN, "--task-list", TASK_LIST]
                decider = simpleflow_command(
                    "decider.start",
                    "benchmarks.workflows.ChainWorkflow",
                    *common,
                    "--activity-task-list",
                    TASK_LIST,
                )
                children.start("decider", decider, env=env, cwd=str(REPO_ROOT))
                children.start(
                    "worker", simpleflow_command("worker.start", *common), env=env, cwd=str(REPO_ROOT)
                )
                with TreeSampler(os.getpid(), ("decider.start",), interval=1.0) as cpu:
                    started = time.perf_counter()
                    execution = start_execution(
                        client, ChainWorkflow, [steps], domain=DOMAIN, task_list=TASK_LIST
                    )
                    wait_for_completion(client, execution, timeout=timeout)
                    elapsed = time.perf_counter() - started
                events = read_history(client, execution)
        finally:
            service.close()
    latencies = decision_latencies(events)
    print(
        f"decision latency of the real decider (decider.start over loopback), one {steps:,}-step chain: "
        f"{len(events):,} events in {elapsed:.1f} s, decider CPU {cpu.seconds['decider.start']:.1f} s"
    )
    short = summary(f"at {SHORT_EVENTS:>6,} events", near(latencies, SHORT_EVENTS))
    long = summary(f"at {long_events:>6,} events", near(latencies, long_events))
    ratio = long / short
    print(f"  ratio long / short: {ratio:.2f}; load average {os.getloadavg()[0]:.1f}")
    met = ratio <= GOAL_RATIO
    print(f"  goal: ratio <= {GOAL_RATIO:.0f} -> {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
