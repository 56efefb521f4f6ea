"""The real decider and executor, on the embedded service, whichever way an effect's outcome arrives.

Child starts, signals and cancel requests to other executions are carried out after their decision, as on
SWF. Each scenario runs in both orders, on both transports:

- **together**: ``side_effect_delay`` 0, and the test waits for the outcome before anything else happens,
  so the next decision task holds the ``*Initiated`` event and its outcome side by side;
- **after**: a two-minute delay on a virtual clock, so the outcome lands only once the service is idle
  (see ``VirtualClock``): an activity completes (and is decided on) between the ``*Initiated`` event and
  its outcome.

Either way the executor must decide each effect once and end with the same result.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest

from simpleflow.execution import read_close, result_or_raise, start_execution
from simpleflow.local import run_in_thread
from simpleflow.localswf.clock import VirtualClock
from simpleflow.localswf.limits import Limits
from simpleflow.localswf.service import SWFService
from simpleflow.process.decider import DeciderPoller, DecisionResult
from simpleflow.routing import RoutingExecutor
from simpleflow.swf.actors import ActivityWorker, Decider
from tests.conformance.conftest import TRANSPORTS, make_transport_client
from tests.fixtures.async_workflows import (
    CancelChildThenWorkWorkflow,
    ChildAndActivityWorkflow,
    SignalAndActivityWorkflow,
)
from tests.fixtures.waiting import wait_for
from tests.fixtures.workflows import SignalWorkflow

pytestmark = [pytest.mark.conformance]

DOMAIN = "async-effects"
DECISIONS = "async-deciders"
ACTIVITIES = "async-workers"
HOLD = 120.0
QUIET = 1.0
ORDERS = ["together", "after"]


class RecordingExecutor(RoutingExecutor):
    """The routed executor of ``standalone`` runs, noting the decision types of every replay."""

    def __init__(self, workflow_cls: type, *, log: list[tuple[str, list[str]]], **options: Any) -> None:
        super().__init__(workflow_cls, decision_task_list=DECISIONS, **options)
        self.log = log

    def replay(self, decision_task: Any, **options: Any) -> Any:
        replay = super().replay(decision_task, **options)
        workflow_id = decision_task["workflowExecution"]["workflowId"]
        self.log.append((workflow_id, [decision["decisionType"] for decision in replay.decisions]))
        return replay


class Engine:
    """One decider and one worker on the service, stepped by the test."""

    def __init__(self, client: Any, clock: VirtualClock | None = None) -> None:
        self.client = client
        self.clock = clock or VirtualClock()
        self.decided: list[tuple[str, list[str]]] = []
        self.poller = DeciderPoller(
            Decider(client, DOMAIN, task_list=DECISIONS, identity="decider"),
            workflows=[ChildAndActivityWorkflow, SignalAndActivityWorkflow, CancelChildThenWorkWorkflow],
            activity_task_list=ACTIVITIES,
            executor_factory=functools.partial(RecordingExecutor, log=self.decided),
        )
        self.worker = ActivityWorker(client, DOMAIN, task_list=ACTIVITIES, identity="worker")

    def start(self, workflow_cls: type, value: Any, *, workflow_id: str) -> dict[str, str]:
        return start_execution(
            self.client,
            workflow_cls,
            value,
            domain=DOMAIN,
            workflow_id=workflow_id,
            task_list=DECISIONS,
            register_domain=True,
        )

    def decide(self) -> str:
        """Decide the next decision task (which must come); the id of the workflow it was for."""
        task = self.poller.poll_task()
        assert task is not None, "expected a decision task"
        assert self.poller.process_task(task) is DecisionResult.COMPLETED
        workflow_id: str = task["workflowExecution"]["workflowId"]
        return workflow_id

    def decide_all(self, count: int) -> set[str]:
        return {self.decide() for _ in range(count)}

    def take_activity(self) -> dict[str, Any]:
        task = self.worker.poll()
        assert task is not None, "expected an activity task"
        return task

    def work(self) -> None:
        run_in_thread(self.worker, self.take_activity())

    def history(self, execution: dict[str, str]) -> list[str]:
        events: list[str] = []
        params: dict[str, Any] = {"domain": DOMAIN, "execution": execution}
        while True:
            page = self.client.get_workflow_execution_history(**params)
            events.extend(event["eventType"] for event in page["events"])
            if not page.get("nextPageToken"):
                return events
            params["nextPageToken"] = page["nextPageToken"]

    def wait_event(self, execution: dict[str, str], event_type: str) -> None:
        wait_for(lambda: event_type in self.history(execution), timeout=QUIET * 10, what=event_type)

    def result(self, execution: dict[str, str]) -> Any:
        close = read_close(self.client, DOMAIN, execution)
        assert close is not None, f"{execution['workflowId']} is still open"
        status, attributes = close
        return result_or_raise(status, attributes)

    def run_to_close(self, execution: dict[str, str], *, limit: int = 30) -> Any:
        """Decide and work whatever comes (short polls) until ``execution`` closes; its result."""
        for _ in range(limit):
            if read_close(self.client, DOMAIN, execution) is not None:
                return self.result(execution)
            task = self.poller.poll_task()
            if task is not None:
                assert self.poller.process_task(task) is DecisionResult.COMPLETED
            activity = self.worker.poll()
            if activity is not None:
                run_in_thread(self.worker, activity)
        raise AssertionError(f"{execution['workflowId']} did not close")

    def decisions_of(self, workflow_id: str) -> list[list[str]]:
        return [types for decided_id, types in self.decided if decided_id == workflow_id]


@pytest.fixture(
    params=[(order, transport) for order in ORDERS for transport in TRANSPORTS], ids=lambda p: "-".join(p)
)
def engine(request: pytest.FixtureRequest) -> Iterator[tuple[str, Engine]]:
    order, transport = request.param
    clock = VirtualClock(quiet_period=QUIET)
    if order == "together":
        # No delay, and the clock never skips: nothing fires early.
        clock = VirtualClock(quiet_period=HOLD)
        service = SWFService(poll_timeout=0.5, clock=clock, limits=Limits(side_effect_delay=0))
    else:
        service = SWFService(poll_timeout=0.5, clock=clock, limits=Limits(side_effect_delay=HOLD))
    with make_transport_client(transport, service) as client:
        yield order, Engine(client, clock)
    service.close()


def before(history: list[str], first: str, second: str) -> bool:
    return history.index(first) < history.index(second)


def test_a_child_and_an_activity(engine: tuple[str, Engine]) -> None:
    order, run = engine
    parent = run.start(ChildAndActivityWorkflow, [3], workflow_id="parent")
    assert run.decide() == "parent"
    if order == "together":
        run.wait_event(parent, "ChildWorkflowExecutionStarted")
    else:
        activity = run.take_activity()  # held started: the service is busy, the child not started yet
        run_in_thread(run.worker, activity)
        assert run.decide() == "parent"  # the activity's completion, the child still only initiated
        run.wait_event(parent, "ChildWorkflowExecutionStarted")
    assert run.run_to_close(parent) == [4, 31]
    history = run.history(parent)
    assert history.count("StartChildWorkflowExecutionInitiated") == 1
    assert "StartChildWorkflowExecutionFailed" not in history
    started_first = before(history, "ChildWorkflowExecutionStarted", "ActivityTaskCompleted")
    assert started_first is (order == "together")
    # The start is decided once, with the activity; no replay decides it again.
    decided = run.decisions_of("parent")
    assert sorted(decided[0]) == ["ScheduleActivityTask", "StartChildWorkflowExecution"]
    assert all("StartChildWorkflowExecution" not in types for types in decided[1:])


def test_a_signal_to_another_execution_and_an_activity(engine: tuple[str, Engine]) -> None:
    order, run = engine
    target = run.start(SignalWorkflow, None, workflow_id="target")
    assert run.decide() == "target"  # waits for its signal
    sender = run.start(SignalAndActivityWorkflow, ["target"], workflow_id="sender")
    assert run.decide() == "sender"
    if order == "together":
        run.wait_event(sender, "ExternalWorkflowExecutionSignaled")
    else:
        activity = run.take_activity()
        run_in_thread(run.worker, activity)
        assert run.decide() == "sender"  # the activity is done, the signal not delivered yet
        assert "WorkflowExecutionSignaled" not in run.history(target)
        run.wait_event(sender, "ExternalWorkflowExecutionSignaled")
    assert run.run_to_close(sender) == 2
    assert run.run_to_close(target) == {"args": [7], "kwargs": {}}
    history = run.history(sender)
    assert history.count("SignalExternalWorkflowExecutionInitiated") == 1
    assert before(history, "ExternalWorkflowExecutionSignaled", "ActivityTaskCompleted") is (
        order == "together"
    )
    signals = [
        sorted(types) for types in run.decisions_of("sender") if "SignalExternalWorkflowExecution" in types
    ]
    assert signals == [["ScheduleActivityTask", "SignalExternalWorkflowExecution"]]


def test_a_cancel_request_to_a_child(engine: tuple[str, Engine]) -> None:
    """Together, the request reaches the running child, which cancels. After, it is decided while the
    child is only initiated (no run id yet), and lands once the child has completed: it fails with
    ``UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION`` while the parent still runs, and the parent carries on."""
    order, run = engine
    parent = run.start(CancelChildThenWorkWorkflow, None, workflow_id="parent")
    assert run.decide() == "parent"  # the child and the first activity
    if order == "together":
        run.wait_event(parent, "ChildWorkflowExecutionStarted")
        assert len(run.decide_all(2)) == 2  # the parent waits; the child schedules its activity
    else:
        # The cancel request, decided next, is due a minute after the child's start.
        run.clock.advance(HOLD / 2)
    activity = run.take_activity()
    assert activity["workflowExecution"]["workflowId"] == "parent", "the oldest task is handed out first"
    run_in_thread(run.worker, activity)
    assert run.decide() == "parent"  # asks the child to cancel
    if order == "together":
        run.wait_event(parent, "ExternalWorkflowExecutionCancelRequested")
        assert run.run_to_close(parent) == ["canceled", 11]
    else:
        assert "ChildWorkflowExecutionStarted" not in run.history(parent)
        run.wait_event(parent, "ChildWorkflowExecutionStarted")  # the service was idle: time skipped to it
        decided = run.decide_all(2)
        child_id = next(iter(decided - {"parent"}))
        run.work()  # the child's activity, taken at once: the service stays busy
        assert run.decide() == child_id  # the child completes
        assert run.decide() == "parent"  # hears of it, and schedules its last activity
        run.wait_event(parent, "RequestCancelExternalWorkflowExecutionFailed")
        assert run.run_to_close(parent) == ["done", 11]
    history = run.history(parent)
    assert history.count("RequestCancelExternalWorkflowExecutionInitiated") == 1
    cancels = [
        types for types in run.decisions_of("parent") if "RequestCancelExternalWorkflowExecution" in types
    ]
    assert cancels == [["RequestCancelExternalWorkflowExecution"]]
