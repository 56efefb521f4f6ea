"""Poll wake-up latency and the ``describe_domain`` round trip of the embedded service.

- wake-up: an activity poller is waiting; the time from the decider's ``RespondDecisionTaskCompleted``
  (which schedules the activity) being sent to the poll returning. Goal: median <= 10 ms.
- ``describe_domain``: median and p90 of a round trip, over HTTP (service in its own process) and in
  process (botocore's ``before-send``; no socket).
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from benchmarks.bench_localswf_throughput import ACTIVITY_TYPE, WORKFLOW_TYPE, register
from benchmarks.swf_servers import localswf_client, localswf_server
from simpleflow.localswf.embedded import embedded_client

GOAL_WAKE_UP_MS = 10.0
WAKE_UPS = 100
ROUND_TRIPS = 1000


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure_wake_ups(client: Any, *, count: int) -> list[float]:
    """Milliseconds from sending the scheduling decision to the waiting poll's return, ``count`` times."""
    domain = f"latency-{uuid.uuid4().hex[:8]}"
    register(client, domain)
    returned_at: list[float] = []
    polled = threading.Event()
    waiting = threading.Event()

    def poller() -> None:
        for _ in range(count):
            waiting.set()
            task = client.poll_for_activity_task(domain=domain, taskList={"name": "work"})
            returned_at.append(time.perf_counter())
            assert task["taskToken"], "the poll returned empty: the wake-up was missed"
            client.respond_activity_task_completed(taskToken=task["taskToken"])
            polled.set()

    thread = threading.Thread(target=poller, daemon=True)
    thread.start()
    samples: list[float] = []
    for index in range(count):
        client.start_workflow_execution(
            domain=domain, workflowId=f"wf-{index}", workflowType=WORKFLOW_TYPE, taskList={"name": "decide"}
        )
        task = client.poll_for_decision_task(domain=domain, taskList={"name": "decide"})
        waiting.wait()
        waiting.clear()
        time.sleep(0.005)  # let the poller's request reach the service and wait there
        polled.clear()
        sent_at = time.perf_counter()
        client.respond_decision_task_completed(
            taskToken=task["taskToken"],
            decisions=[
                {
                    "decisionType": "ScheduleActivityTask",
                    "scheduleActivityTaskDecisionAttributes": {
                        "activityId": "a",
                        "activityType": ACTIVITY_TYPE,
                        "taskList": {"name": "work"},
                    },
                }
            ],
        )
        polled.wait(10)
        samples.append((returned_at[-1] - sent_at) * 1000)
    thread.join(10)
    return samples


def measure_round_trips(call: Callable[[], Any], *, count: int) -> list[float]:
    for _ in range(50):  # warm connections and caches
        call()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    return f"median {statistics.median(samples):6.2f} ms   p90 {percentile(samples, 0.9):6.2f} ms"


def main() -> int:
    results: dict[str, tuple[list[float], list[float]]] = {}
    with localswf_server() as server:
        client = localswf_client(server.endpoint_url)
        wake_ups = measure_wake_ups(client, count=WAKE_UPS)
        client.register_domain(name="rt", workflowExecutionRetentionPeriodInDays="1")
        trips = measure_round_trips(lambda: client.describe_domain(name="rt"), count=ROUND_TRIPS)
        results["HTTP"] = (wake_ups, trips)
    with embedded_client() as client:
        wake_ups = measure_wake_ups(client, count=WAKE_UPS)
        client.register_domain(name="rt", workflowExecutionRetentionPeriodInDays="1")
        trips = measure_round_trips(lambda: client.describe_domain(name="rt"), count=ROUND_TRIPS)
        results["in process"] = (wake_ups, trips)
    met = True
    for transport, (wake_ups, trips) in results.items():
        print(f"{transport}:")
        print(f"  poll wake-up ({WAKE_UPS}):          {summary(wake_ups)}")
        print(f"  describe_domain round trip ({ROUND_TRIPS}): {summary(trips)}")
        met = met and statistics.median(wake_ups) <= GOAL_WAKE_UP_MS
    http_trip = statistics.median(results["HTTP"][1])
    local_trip = statistics.median(results["in process"][1])
    print(f"  HTTP / in-process describe_domain median ratio: {http_trip / local_trip:.2f}x")
    verdict = "met" if met else "NOT met"
    print(f"  goal: wake-up median <= {GOAL_WAKE_UP_MS:.0f} ms on both transports -> {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
