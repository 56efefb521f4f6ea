"""In-process round trips to the embedded service: botocore's client (``before-send``) against the direct one.

Both clients reach the same kind of service (in memory, empty polls return at once) and give identical
answers (tests/conformance/test_direct_client.py); this prints what each call costs them:

- ``count_pending_activity_tasks``: the smallest call there is;
- an empty ``poll_for_activity_task``;
- one activity's whole cycle: start an execution, poll and answer its decision task (schedule the activity),
  poll and complete the activity, poll and answer the next decision task (close): 7 calls;
- ``get_workflow_execution_history`` of a 101-event history (a timestamp per event to read).

``service.handle`` alone, with no client, is the floor both stand on; what a client adds is its cost above it.
Goal: over an activity's cycle, the direct client costs at least 2x less than botocore (above the floor).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from simpleflow.localswf.embedded import embedded_client, embedded_direct_client
from simpleflow.localswf.service import SWFService

GOAL_CLIENT_COST_RATIO = 2.0
REPEATS = 5
DOMAIN = "bench"
WORKFLOW_TYPE = {"name": "bench-workflow", "version": "1"}
ACTIVITY_TYPE = {"name": "bench-activity", "version": "1"}
DECISIONS, ACTIVITIES = "decisions", "activities"


def register(call: Callable[..., Any]) -> None:
    call("RegisterDomain", name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    call(
        "RegisterWorkflowType",
        domain=DOMAIN,
        defaultTaskList={"name": DECISIONS},
        defaultChildPolicy="TERMINATE",
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="3600",
        **WORKFLOW_TYPE,
    )
    call(
        "RegisterActivityType",
        domain=DOMAIN,
        defaultTaskList={"name": ACTIVITIES},
        defaultTaskScheduleToStartTimeout="3600",
        defaultTaskScheduleToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="3600",
        defaultTaskHeartbeatTimeout="NONE",
        **ACTIVITY_TYPE,
    )


def client_call(client: Any) -> Callable[..., Any]:
    """``call("DescribeDomain", name=...)`` through a client's snake_case method."""
    methods = client.meta.method_to_api_mapping
    by_operation = {operation: getattr(client, method) for method, operation in methods.items()}
    return lambda operation, **params: by_operation[operation](**params)


def service_call(service: SWFService) -> Callable[..., Any]:
    """The same calls straight to ``service.handle``: what any client adds is above this."""
    return lambda operation, **params: service.handle(operation, params)


SCHEDULE = {
    "decisionType": "ScheduleActivityTask",
    "scheduleActivityTaskDecisionAttributes": {"activityId": "a", "activityType": ACTIVITY_TYPE},
}
CLOSE = {"decisionType": "CompleteWorkflowExecution", "completeWorkflowExecutionDecisionAttributes": {}}


class Workload:
    """The measured calls, through one ``call`` function; each method returns the number of calls it made."""

    def __init__(self, call: Callable[..., Any]) -> None:
        self.call = call
        self.started = 0

    def count(self) -> int:
        self.call("CountPendingActivityTasks", domain=DOMAIN, taskList={"name": ACTIVITIES})
        return 1

    def empty_poll(self) -> int:
        self.call("PollForActivityTask", domain=DOMAIN, taskList={"name": "nobody"})
        return 1

    def activity_cycle(self) -> int:
        self.started += 1
        self.call(
            "StartWorkflowExecution",
            domain=DOMAIN,
            workflowId=f"wf-{self.started}",
            workflowType=WORKFLOW_TYPE,
        )
        task = self.call("PollForDecisionTask", domain=DOMAIN, taskList={"name": DECISIONS})
        self.call("RespondDecisionTaskCompleted", taskToken=task["taskToken"], decisions=[SCHEDULE])
        activity = self.call("PollForActivityTask", domain=DOMAIN, taskList={"name": ACTIVITIES})
        self.call("RespondActivityTaskCompleted", taskToken=activity["taskToken"], result="1")
        task = self.call("PollForDecisionTask", domain=DOMAIN, taskList={"name": DECISIONS})
        self.call("RespondDecisionTaskCompleted", taskToken=task["taskToken"], decisions=[CLOSE])
        return 7

    def long_history(self) -> Callable[[], int]:
        """A closed execution of 101 events (no task left behind); returns the call reading its history."""
        started = self.call(
            "StartWorkflowExecution", domain=DOMAIN, workflowId="long", workflowType=WORKFLOW_TYPE
        )
        for _ in range(16):  # each round adds 6 events; with the start and the close, 101
            task = self.call("PollForDecisionTask", domain=DOMAIN, taskList={"name": DECISIONS})
            self.call("RespondDecisionTaskCompleted", taskToken=task["taskToken"], decisions=[SCHEDULE])
            activity = self.call("PollForActivityTask", domain=DOMAIN, taskList={"name": ACTIVITIES})
            self.call("RespondActivityTaskCompleted", taskToken=activity["taskToken"])
        task = self.call("PollForDecisionTask", domain=DOMAIN, taskList={"name": DECISIONS})
        self.call("RespondDecisionTaskCompleted", taskToken=task["taskToken"], decisions=[CLOSE])
        execution = {"workflowId": "long", "runId": started["runId"]}

        def read() -> int:
            self.call("GetWorkflowExecutionHistory", domain=DOMAIN, execution=execution)
            return 1

        return read


def per_call_us(step: Callable[[], int], *, times: int) -> float:
    """Microseconds per call of ``step``, run ``times`` times (a fixed count, so every transport leaves its
    service in the same state for the next workload)."""
    calls, began = 0, time.perf_counter()
    for _ in range(times):
        calls += step()
    return (time.perf_counter() - began) / calls * 1e6


def open_call(label: str, service: SWFService, stack: ExitStack) -> Callable[..., Any]:
    """The call function of transport ``label`` on ``service``, closed with ``stack``."""
    if label == "service.handle":
        return service_call(service)
    opener = embedded_client if label == "botocore in process" else embedded_direct_client
    return client_call(stack.enter_context(opener(service)))


LABELS = ("service.handle", "botocore in process", "direct client")


def measure() -> dict[str, dict[str, list[float]]]:
    """Microseconds per call of each workload, per transport, ``REPEATS`` times (transports interleaved)."""
    figures: dict[str, dict[str, list[float]]] = {}
    for _ in range(REPEATS):
        for label in LABELS:
            with ExitStack() as stack:
                service = SWFService(poll_timeout=0.0)
                stack.callback(service.close)
                call = open_call(label, service, stack)
                register(call)
                work = Workload(call)
                history = work.long_history()
                row = figures.setdefault(label, {})
                for name, step, times in (
                    ("count_pending_activity_tasks", work.count, 1000),
                    ("empty poll_for_activity_task", work.empty_poll, 1000),
                    ("activity cycle, per call", work.activity_cycle, 100),
                    ("history of 101 events", history, 50),
                ):
                    row.setdefault(name, []).append(per_call_us(step, times=times))
    return figures


def main() -> int:
    figures = measure()
    medians = {
        label: {name: statistics.median(runs) for name, runs in row.items()} for label, row in figures.items()
    }
    floor, botocore, direct = (medians[label] for label in LABELS)
    print(f"in-process round trips, µs per call (median of {REPEATS} runs)")
    header = f"{'service':>9s} {'botocore':>9s} {'direct':>9s} {'ratio':>7s} {'client cost ratio':>18s}"
    print(f"  {'call':32s} {header}")
    cost_ratios = {}
    for name in botocore:
        ratio = botocore[name] / direct[name]
        cost_ratios[name] = (botocore[name] - floor[name]) / max(direct[name] - floor[name], 1e-9)
        figures_line = f"{floor[name]:9.1f} {botocore[name]:9.1f} {direct[name]:9.1f} {ratio:6.2f}x"
        print(f"  {name:32s} {figures_line} {cost_ratios[name]:17.1f}x")
    met = cost_ratios["activity cycle, per call"] >= GOAL_CLIENT_COST_RATIO
    verdict = "met" if met else "NOT met"
    print(f"  goal: activity cycle client cost >= {GOAL_CLIENT_COST_RATIO}x lower when direct -> {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
