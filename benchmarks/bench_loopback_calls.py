"""The CPU of each SWF call of one activity's cycle over loopback HTTP: the floor under P4 and P5.

One boto3 client (made by :func:`simpleflow.swf.client.make_client`, as ``decider.start`` and
``worker.start`` make theirs) drives the embedded service over HTTP on 127.0.0.1, both in this process,
through one activity's cycle: start an execution, poll and answer its decision task (schedule the
activity), poll and complete the activity, poll and answer the next decision task (close). For each call:

- the client's CPU, the calling thread's own (``time.thread_time``): botocore building, validating,
  serializing, sending, and parsing the answer;
- the service's CPU, this process's minus the calling thread's (nothing else runs here): the HTTP
  transport and ``SWFService.handle``.

Figures only, no goal: they say what any decider and worker built on boto3 pay per activity, which
bench_localswf_throughput (P4) and bench_loopback_latency (P5) stand on.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from simpleflow.localswf.embedded import embedded_server
from simpleflow.localswf.service import SWFService
from simpleflow.swf.client import make_client

CYCLES = 300
WARM_UP = 30
DOMAIN = "bench-calls"
DECISIONS, ACTIVITIES = "decisions", "activities"
WORKFLOW_TYPE = {"name": "bench-workflow", "version": "1"}
ACTIVITY_TYPE = {"name": "bench-activity", "version": "1"}
SCHEDULE = {
    "decisionType": "ScheduleActivityTask",
    "scheduleActivityTaskDecisionAttributes": {
        "activityType": ACTIVITY_TYPE,
        "activityId": "activity-1",
        "input": '{"args":[1],"kwargs":{}}',
        "taskList": {"name": ACTIVITIES},
    },
}
CLOSE = {
    "decisionType": "CompleteWorkflowExecution",
    "completeWorkflowExecutionDecisionAttributes": {"result": "1"},
}


def register(client: Any) -> None:
    client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    client.register_workflow_type(
        domain=DOMAIN,
        defaultTaskList={"name": DECISIONS},
        defaultChildPolicy="TERMINATE",
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="3600",
        **WORKFLOW_TYPE,
    )
    client.register_activity_type(
        domain=DOMAIN,
        defaultTaskList={"name": ACTIVITIES},
        defaultTaskScheduleToStartTimeout="3600",
        defaultTaskScheduleToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="3600",
        defaultTaskHeartbeatTimeout="NONE",
        **ACTIVITY_TYPE,
    )


class CallCosts:
    """Milliseconds of client and service CPU per call, by the call's name."""

    def __init__(self) -> None:
        self.client: dict[str, list[float]] = {}
        self.service: dict[str, list[float]] = {}

    def measure(self, name: str, call: Callable[[], Any]) -> Any:
        thread_before, process_before = time.thread_time(), time.process_time()
        answer = call()
        client = time.thread_time() - thread_before
        service = time.process_time() - process_before - client
        self.client.setdefault(name, []).append(client * 1000)
        self.service.setdefault(name, []).append(service * 1000)
        return answer


def one_cycle(client: Any, costs: CallCosts, number: int) -> None:
    costs.measure(
        "StartWorkflowExecution",
        lambda: client.start_workflow_execution(
            domain=DOMAIN,
            workflowId=f"calls-{number}",
            workflowType=WORKFLOW_TYPE,
            taskList={"name": DECISIONS},
            input="[1]",
        ),
    )
    poll_decision = lambda: client.poll_for_decision_task(domain=DOMAIN, taskList={"name": DECISIONS})  # noqa: E731
    task = costs.measure("PollForDecisionTask (start)", poll_decision)
    costs.measure(
        "RespondDecisionTaskCompleted (schedule)",
        lambda: client.respond_decision_task_completed(
            taskToken=task["taskToken"], decisions=[SCHEDULE], executionContext="{}"
        ),
    )
    activity = costs.measure(
        "PollForActivityTask",
        lambda: client.poll_for_activity_task(domain=DOMAIN, taskList={"name": ACTIVITIES}),
    )
    costs.measure(
        "RespondActivityTaskCompleted",
        lambda: client.respond_activity_task_completed(taskToken=activity["taskToken"], result="1"),
    )
    task = costs.measure("PollForDecisionTask (completed)", poll_decision)
    costs.measure(
        "RespondDecisionTaskCompleted (close)",
        lambda: client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[CLOSE]),
    )


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="simpleflow-bench-calls-") as directory:
        service = SWFService(os.path.join(directory, "swf.db"))
        with embedded_server(service) as server:
            client = make_client(endpoint_url=server.endpoint_url)
            register(client)
            costs = CallCosts()
            for number in range(WARM_UP + CYCLES):
                if number == WARM_UP:
                    costs = CallCosts()
                one_cycle(client, costs, number)
        service.close()
    print(f"one activity's SWF calls over loopback HTTP, median CPU of {CYCLES} cycles (ms)")
    totals = [0.0, 0.0]
    for name, client_ms in costs.client.items():
        client_median = statistics.median(client_ms)
        service_median = statistics.median(costs.service[name])
        totals[0] += client_median
        totals[1] += service_median
        print(f"  {name:42s} client {client_median:.3f}  service {service_median:.3f}")
    print(
        f"  {'one cycle (7 calls)':42s} client {totals[0]:.3f}  service {totals[1]:.3f}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
