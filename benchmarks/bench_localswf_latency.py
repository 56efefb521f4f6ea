"""Poll wake-up latency, server CPU per activity, and the ``describe_domain`` round trip.

- service wake-up, over HTTP: an activity poll is waiting on a raw socket; the time from the decider's
  ``RespondDecisionTaskCompleted`` (which schedules the activity) leaving a raw socket, already encoded,
  to the poll's answer having fully arrived. That is the service's part: reading and applying the
  decision, waking the poll, starting the task, answering. Goal: median <= 1 ms.
- boto3 wake-up: the same through boto3 clients, on both transports: the service's part plus botocore
  building, sending, receiving and parsing two calls in a busy client process. Goal (issue 12): median
  <= 1 ms, from the scheduling call leaving the client to the waiting poll's return.
- server CPU per activity: the service process's CPU time over the wake-up rounds, each of which starts a
  workflow and runs one activity (start, decision poll and answer, activity poll and completion).
- ``describe_domain``: median and p90 of a round trip, over HTTP (service in its own process) and in
  process (botocore's ``before-send``; no socket).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from benchmarks.bench_localswf_throughput import ACTIVITY_TYPE, WORKFLOW_TYPE, register
from benchmarks.swf_servers import ServerProcess, localswf_client, localswf_server
from simpleflow.localswf.embedded import embedded_client

GOAL_SERVICE_WAKE_UP_MS = 1.0
GOAL_WAKE_UP_MS = 1.0
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


class RawConnection:
    """One kept-alive HTTP connection sending pre-encoded SWF requests: no client library in the timing."""

    def __init__(self, endpoint_url: str) -> None:
        host, port = endpoint_url.removeprefix("http://").rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=70)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""

    @staticmethod
    def encode(operation: str, params: dict[str, Any]) -> bytes:
        """The bytes of a request as botocore frames it."""
        body = json.dumps(params).encode()
        head = (
            f"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: SimpleWorkflowService.{operation}\r\n"
            f"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    def send(self, request: bytes) -> None:
        self.sock.sendall(request)

    def receive(self) -> bytes:
        """The body of the next answer, once it has fully arrived."""
        data = self.pending
        while (end := data.find(b"\r\n\r\n")) < 0:
            data += self._recv()
        head = data[:end].lower()
        start = head.index(b"content-length:") + len(b"content-length:")
        length = int(head[start : head.index(b"\r\n", start)])
        body_start = end + 4
        while len(data) < body_start + length:
            data += self._recv()
        self.pending = data[body_start + length :]
        return data[body_start : body_start + length]

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self.send(self.encode(operation, params))
        answer: dict[str, Any] = json.loads(self.receive())
        return answer

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the service closed the connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


def measure_service_wake_ups(server: ServerProcess, *, count: int) -> tuple[list[float], float]:
    """Milliseconds from the scheduling decision leaving a raw socket to the raw poll's answer, and the
    service's CPU milliseconds per round (each round runs one activity)."""
    client = localswf_client(server.endpoint_url)
    domain = f"raw-{uuid.uuid4().hex[:8]}"
    register(client, domain)
    decider, worker = RawConnection(server.endpoint_url), RawConnection(server.endpoint_url)
    poll = worker.encode("PollForActivityTask", {"domain": domain, "taskList": {"name": "work"}})
    decision = {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityId": "a",
            "activityType": ACTIVITY_TYPE,
            "taskList": {"name": "work"},
        },
    }
    samples: list[float] = []
    answers: list[bytes] = []
    arrived: list[float] = []

    def receive_poll() -> None:
        answers.append(worker.receive())
        arrived.append(time.perf_counter())

    cpu_started = server.cpu_seconds()
    try:
        for index in range(count):
            decider.call(
                "StartWorkflowExecution",
                {
                    "domain": domain,
                    "workflowId": f"wf-{index}",
                    "workflowType": WORKFLOW_TYPE,
                    "taskList": {"name": "decide"},
                },
            )
            task = decider.call("PollForDecisionTask", {"domain": domain, "taskList": {"name": "decide"}})
            respond = decider.encode(
                "RespondDecisionTaskCompleted", {"taskToken": task["taskToken"], "decisions": [decision]}
            )
            thread = threading.Thread(target=receive_poll)
            worker.send(poll)
            thread.start()
            time.sleep(0.005)  # let the poll reach the service and wait there
            sent_at = time.perf_counter()
            decider.send(respond)
            decider.receive()
            thread.join(10)
            samples.append((arrived[-1] - sent_at) * 1000)
            activity = json.loads(answers[-1])
            assert activity.get("taskToken"), "the poll returned empty: the wake-up was missed"
            worker.call("RespondActivityTaskCompleted", {"taskToken": activity["taskToken"]})
    finally:
        decider.close()
        worker.close()
    return samples, (server.cpu_seconds() - cpu_started) * 1000 / count


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
        service_wake_ups, cpu_per_activity = measure_service_wake_ups(server, count=WAKE_UPS)
        client = localswf_client(server.endpoint_url)
        cpu_started = server.cpu_seconds()
        wake_ups = measure_wake_ups(client, count=WAKE_UPS)
        boto3_cpu_per_activity = (server.cpu_seconds() - cpu_started) * 1000 / WAKE_UPS
        client.register_domain(name="rt", workflowExecutionRetentionPeriodInDays="1")
        trips = measure_round_trips(lambda: client.describe_domain(name="rt"), count=ROUND_TRIPS)
        results["HTTP"] = (wake_ups, trips)
    with embedded_client() as client:
        wake_ups = measure_wake_ups(client, count=WAKE_UPS)
        client.register_domain(name="rt", workflowExecutionRetentionPeriodInDays="1")
        trips = measure_round_trips(lambda: client.describe_domain(name="rt"), count=ROUND_TRIPS)
        results["in process"] = (wake_ups, trips)
    # Latencies on a shared machine depend on what else runs: the load says how much to trust them.
    print(f"load average at the end: {', '.join(f'{load:.1f}' for load in os.getloadavg())}")
    print("HTTP, service alone (pre-encoded requests on raw sockets):")
    print(f"  service wake-up ({WAKE_UPS}):       {summary(service_wake_ups)}")
    print(f"  server CPU per activity:     {cpu_per_activity:6.2f} ms")
    print(f"  server CPU per activity, boto3 clients: {boto3_cpu_per_activity:6.2f} ms")
    met = statistics.median(service_wake_ups) <= GOAL_SERVICE_WAKE_UP_MS
    for transport, (wake_ups, trips) in results.items():
        print(f"{transport}:")
        print(f"  poll wake-up ({WAKE_UPS}):          {summary(wake_ups)}")
        print(f"  describe_domain round trip ({ROUND_TRIPS}): {summary(trips)}")
        met = met and statistics.median(wake_ups) <= GOAL_WAKE_UP_MS
    http_trip = statistics.median(results["HTTP"][1])
    local_trip = statistics.median(results["in process"][1])
    print(f"  HTTP / in-process describe_domain median ratio: {http_trip / local_trip:.2f}x")
    verdict = "met" if met else "NOT met"
    print(
        f"  goals: service wake-up median <= {GOAL_SERVICE_WAKE_UP_MS:.0f} ms over HTTP, boto3 wake-up"
        f" median <= {GOAL_WAKE_UP_MS:.0f} ms on both transports -> {verdict}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
