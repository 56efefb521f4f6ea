"""Child starts, external signals and cancel requests are carried out after their decision, as on SWF.

The "held" service runs on a virtual clock with a two-minute ``side_effect_delay``: an effect lands only
when the service is idle and skips time to it (see ``VirtualClock``), so a test decides what happens in
between. Holding an activity task started keeps the service busy, hence the effect pending.
"""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from simpleflow.localswf.clock import VirtualClock
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.limits import Limits
from simpleflow.localswf.service import SWFService
from tests.fixtures import pending_effects
from tests.fixtures.waiting import wait_for
from tests.unit.localswf.driver import (
    DOMAIN,
    WORKFLOW,
    Driver,
    attrs_of,
    complete,
    decision,
    schedule,
    types_of,
)

#: Virtual seconds before an effect of the held service; within the executions' one-hour timeout.
HOLD = pending_effects.HOLD_SECONDS
#: Real seconds without a call before the held service skips to the pending effect.
QUIET = 1.0
PROJECT_ROOT = Path(__file__).resolve().parents[3]
PENDING_KINDS = "SELECT kind FROM deadlines WHERE kind NOT IN ('execution', 'retention') ORDER BY rowid"


@dataclass
class Held:
    swf: Driver
    clock: VirtualClock


@pytest.fixture
def held() -> Iterator[Held]:
    clock = VirtualClock(quiet_period=QUIET)
    service = SWFService(poll_timeout=3.0, clock=clock, limits=Limits(side_effect_delay=HOLD))
    with embedded_client(service) as client:
        yield Held(Driver(client).setup(), clock)
    service.close()


def fast_swf(limits: Limits) -> Iterator[Driver]:
    service = SWFService(poll_timeout=3.0, limits=limits)
    with embedded_client(service) as client:
        yield Driver(client).setup()
    service.close()


@pytest.fixture
def instant() -> Iterator[Driver]:
    """Effects on the service's next scheduler step (delay 0), on the wall clock."""
    yield from fast_swf(Limits(side_effect_delay=0))


def event_of(swf: Driver, workflow_id: str, run_id: str, event_type: str) -> dict[str, Any] | None:
    return next((e for e in swf.events(workflow_id, run_id) if e["eventType"] == event_type), None)


def wait_event(swf: Driver, workflow_id: str, run_id: str, event_type: str, **kw: Any) -> dict[str, Any]:
    found: dict[str, Any] = wait_for(
        lambda: event_of(swf, workflow_id, run_id, event_type), what=f"{event_type} in {workflow_id}", **kw
    )
    return found


def decide_for(swf: Driver, workflow_id: str, *decisions: dict[str, Any]) -> dict[str, Any]:
    """Take decision tasks until ``workflow_id``'s comes (others answered empty); answer it."""
    for _ in range(5):
        task = swf.poll_decision()
        assert task["taskToken"], f"expected a decision task for {workflow_id}"
        mine = task["workflowExecution"]["workflowId"] == workflow_id
        swf.client.respond_decision_task_completed(
            taskToken=task["taskToken"], decisions=list(decisions) if mine else []
        )
        if mine:
            return task
    raise AssertionError(f"no decision task for {workflow_id}")


def run_of(swf: Driver, workflow_id: str) -> str | None:
    for listing in (swf.client.list_open_workflow_executions, swf.client.list_closed_workflow_executions):
        infos = listing(
            domain=DOMAIN, startTimeFilter={"oldestDate": 0}, executionFilter={"workflowId": workflow_id}
        )["executionInfos"]
        if infos:
            run_id: str = infos[0]["execution"]["runId"]
            return run_id
    return None


# What each kind of decision records at once, then later, in the decider's run and in the other one.
KINDS = {
    "child": (
        decision("StartChildWorkflowExecution", workflowId="child-1", workflowType=WORKFLOW, input="in"),
        "StartChildWorkflowExecutionInitiated",
        "ChildWorkflowExecutionStarted",
        "WorkflowExecutionStarted",
    ),
    "signal": (
        decision("SignalExternalWorkflowExecution", workflowId="target", signalName="ping", input="i"),
        "SignalExternalWorkflowExecutionInitiated",
        "ExternalWorkflowExecutionSignaled",
        "WorkflowExecutionSignaled",
    ),
    "cancel": (
        decision("RequestCancelExternalWorkflowExecution", workflowId="target"),
        "RequestCancelExternalWorkflowExecutionInitiated",
        "ExternalWorkflowExecutionCancelRequested",
        "WorkflowExecutionCancelRequested",
    ),
}


@pytest.mark.parametrize("kind", list(KINDS), ids=list(KINDS))
def test_the_outcome_comes_after_events_recorded_meanwhile(held: Held, kind: str) -> None:
    swf = held.swf
    effect, initiated_type, outcome_type, other_type = KINDS[kind]
    other_id = "child-1" if kind == "child" else "target"
    if kind != "child":
        swf.start("target")
        swf.decide()
    parent = swf.start("parent")
    decide_for(swf, "parent", effect, schedule("a-1"))
    activity = swf.poll_activity()  # a started activity keeps the service busy: the effect waits
    assert activity["taskToken"]

    tail = swf.history("parent", parent)[-4:]
    assert tail == ["DecisionTaskCompleted", initiated_type, "ActivityTaskScheduled", "ActivityTaskStarted"]
    if kind == "child":
        assert run_of(swf, "child-1") is None
        # Not started yet, but open from its Initiated event on, as a scheduled activity task is.
        assert swf.describe("parent", parent)["openCounts"]["openChildWorkflowExecutions"] == 1
    else:
        assert other_type not in swf.history("target", run_of(swf, "target") or "")

    swf.client.respond_activity_task_completed(taskToken=activity["taskToken"], result="r")
    decide_for(swf, "parent")  # the activity's completion, with the effect still pending
    outcome = wait_event(swf, "parent", parent, outcome_type, timeout=QUIET * 10)

    events = swf.events("parent", parent)
    types = types_of(events)
    initiated = next(e for e in events if e["eventType"] == initiated_type)
    assert types.index("ActivityTaskCompleted") < types.index(outcome_type)
    assert attrs_of(outcome)["initiatedEventId"] == initiated["eventId"]
    assert (outcome["eventTimestamp"] - initiated["eventTimestamp"]).total_seconds() >= HOLD
    # The outcome asks for a decision task, as SWF does.
    assert types[types.index(outcome_type) + 1] == "DecisionTaskScheduled"
    other_run = run_of(swf, other_id)
    assert other_run is not None
    assert other_type in swf.history(other_id, other_run)
    if kind == "child":
        assert attrs_of(outcome)["workflowExecution"] == {"workflowId": "child-1", "runId": other_run}
        started = swf.events("child-1", other_run)[0]
        assert attrs_of(started)["parentInitiatedEventId"] == initiated["eventId"]
        assert attrs_of(started)["input"] == "in"


@pytest.mark.parametrize("kind", list(KINDS), ids=list(KINDS))
def test_with_no_delay_the_next_decision_task_sees_both_events(instant: Driver, kind: str) -> None:
    effect, initiated_type, outcome_type, _ = KINDS[kind]
    if kind != "child":
        instant.start("target")
        instant.decide()
    parent = instant.start("parent")
    decide_for(instant, "parent", effect)
    task = decide_for(instant, "parent")  # the outcome's decision task: no other call was needed
    new = types_of([e for e in task["events"] if e["eventId"] > task["previousStartedEventId"]])
    assert new[:3] == ["DecisionTaskCompleted", initiated_type, outcome_type]
    assert new[-2:] == ["DecisionTaskScheduled", "DecisionTaskStarted"]
    assert instant.history("parent", parent).count(outcome_type) == 1


def test_a_signal_and_a_child_decided_with_the_close_still_happen(instant: Driver) -> None:
    target = instant.start("target")
    instant.decide()
    sender = instant.start("sender")
    decide_for(
        instant,
        "sender",
        decision("SignalExternalWorkflowExecution", workflowId="target", signalName="bye", input="x"),
        decision("StartChildWorkflowExecution", workflowId="child-1", workflowType=WORKFLOW),
        complete("done"),
    )
    signaled = wait_event(instant, "target", target, "WorkflowExecutionSignaled")
    assert attrs_of(signaled)["externalWorkflowExecution"] == {"workflowId": "sender", "runId": sender}
    child = wait_for(lambda: run_of(instant, "child-1"), what="the child's run")
    assert instant.describe("child-1", child)["executionInfo"]["parent"] == {
        "workflowId": "sender",
        "runId": sender,
    }
    # The child runs on: a decider gets its first decision task.
    decide_for(instant, "child-1", complete())
    # A closed history takes no outcome events.
    assert instant.history("sender", sender)[-1] == "WorkflowExecutionCompleted"


def test_a_run_purged_at_once_still_signals_first(swf_client: Any) -> None:
    """With a retention of 0 days, the close's purge waits for the effects the run decided."""
    swf = Driver(swf_client).setup(retention="0")
    target = swf.start("target")
    swf.decide()
    sender = swf.start("sender")
    decide_for(
        swf,
        "sender",
        decision("SignalExternalWorkflowExecution", workflowId="target", signalName="bye"),
        complete(),
    )
    signaled = wait_event(swf, "target", target, "WorkflowExecutionSignaled")
    assert attrs_of(signaled)["externalWorkflowExecution"] == {"workflowId": "sender", "runId": sender}

    def is_purged() -> bool:
        try:
            swf.describe("sender", sender)
        except swf_client.exceptions.UnknownResourceFault:
            return True
        return False

    wait_for(is_purged, what="the sender's purge")


@pytest.mark.parametrize(
    ("close", "child_last", "child_status"),
    [
        ("TERMINATE", "WorkflowExecutionTerminated", "CLOSED"),
        ("REQUEST_CANCEL", "WorkflowExecutionCancelRequested", "OPEN"),
        ("ABANDON", "DecisionTaskScheduled", "OPEN"),
        ("timed-out", "WorkflowExecutionTerminated", "CLOSED"),
    ],
    ids=["terminate", "request-cancel", "abandon", "timed-out"],
)
def test_a_child_starting_after_its_parent_was_forced_closed_gets_its_child_policy(
    held: Held, close: str, child_last: str, child_status: str
) -> None:
    swf = held.swf
    if close == "timed-out":
        # The execution times out before the child is due, under its TERMINATE child policy.
        swf.start("parent", executionStartToCloseTimeout="60")
    else:
        swf.start("parent")
    decide_for(
        swf, "parent", decision("StartChildWorkflowExecution", workflowId="child-1", workflowType=WORKFLOW)
    )
    if close != "timed-out":
        swf.client.terminate_workflow_execution(domain=DOMAIN, workflowId="parent", childPolicy=close)
    child = wait_for(lambda: run_of(swf, "child-1"), timeout=QUIET * 10, what="the child's run")
    assert swf.history("child-1", child)[-1] == child_last
    assert swf.describe("child-1", child)["executionInfo"]["executionStatus"] == child_status
    if close in ("TERMINATE", "REQUEST_CANCEL", "timed-out"):
        assert attrs_of(swf.events("child-1", child)[-1])["cause"] == "CHILD_POLICY_APPLIED"


def test_a_child_already_running_is_refused_when_its_start_is_carried_out(instant: Driver) -> None:
    parent = instant.start("parent")
    start = decision("StartChildWorkflowExecution", workflowId="twin", workflowType=WORKFLOW, control="c")
    decide_for(instant, "parent", start, start)
    failed = wait_event(instant, "parent", parent, "StartChildWorkflowExecutionFailed")
    events = instant.events("parent", parent)
    initiated = [e for e in events if e["eventType"] == "StartChildWorkflowExecutionInitiated"]
    started = next(e for e in events if e["eventType"] == "ChildWorkflowExecutionStarted")
    completed = next(e for e in events if e["eventType"] == "DecisionTaskCompleted")
    assert attrs_of(started)["initiatedEventId"] == initiated[0]["eventId"]
    assert attrs_of(failed) == {
        "workflowId": "twin",
        "workflowType": WORKFLOW,
        "cause": "WORKFLOW_ALREADY_RUNNING",
        "initiatedEventId": initiated[1]["eventId"],
        "decisionTaskCompletedEventId": completed["eventId"],
        "control": "c",
    }


def test_the_open_children_limit_is_checked_when_the_start_is_carried_out() -> None:
    for swf in fast_swf(Limits(max_open_children=1)):
        parent = swf.start("parent")
        decide_for(
            swf,
            "parent",
            decision("StartChildWorkflowExecution", workflowId="c-1", workflowType=WORKFLOW),
            decision("StartChildWorkflowExecution", workflowId="c-2", workflowType=WORKFLOW),
        )
        failed = wait_event(swf, "parent", parent, "StartChildWorkflowExecutionFailed")
        assert attrs_of(failed)["cause"] == "OPEN_CHILDREN_LIMIT_EXCEEDED"
        assert attrs_of(failed)["workflowId"] == "c-2"
        assert attrs_of(failed)["initiatedEventId"] > 0
        assert run_of(swf, "c-1") is not None and run_of(swf, "c-2") is None


@pytest.mark.parametrize(
    ("meanwhile", "outcome"),
    [
        ("target-starts", "ExternalWorkflowExecutionSignaled"),
        ("target-closes", "SignalExternalWorkflowExecutionFailed"),
    ],
    ids=["target-starts", "target-closes"],
)
def test_a_signal_goes_to_the_target_as_it_is_when_delivered(
    held: Held, meanwhile: str, outcome: str
) -> None:
    swf = held.swf
    if meanwhile == "target-closes":
        swf.start("target")
        swf.decide()
    parent = swf.start("parent")
    decide_for(
        swf, "parent", decision("SignalExternalWorkflowExecution", workflowId="target", signalName="s")
    )
    if meanwhile == "target-starts":
        swf.start("target")
        decide_for(swf, "target")
    else:
        swf.client.terminate_workflow_execution(domain=DOMAIN, workflowId="target")
    found = wait_event(swf, "parent", parent, outcome, timeout=QUIET * 10)
    if outcome.endswith("Failed"):
        assert attrs_of(found)["cause"] == "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
    else:
        target = run_of(swf, "target")
        assert target is not None
        assert "WorkflowExecutionSignaled" in swf.history("target", target)


def test_pending_effects_survive_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "swf.db")
    clock = VirtualClock(quiet_period=pending_effects.NEVER_QUIET_SECONDS)
    first = SWFService(db, clock=clock, limits=Limits(side_effect_delay=HOLD))
    with embedded_client(first) as client:
        swf = Driver(client).setup()
        swf.start("target")
        swf.decide()
        parent = swf.start("parent")
        swf.decide(*pending_effects.pending_decisions())
        assert swf.history("parent", parent)[-4:] == [
            "DecisionTaskCompleted",
            "StartChildWorkflowExecutionInitiated",
            "SignalExternalWorkflowExecutionInitiated",
            "RequestCancelExternalWorkflowExecutionInitiated",
        ]
    first.close()
    assert_effects_carried_out_after_restart(db)


def test_pending_effects_survive_kill_minus_nine(tmp_path: Path) -> None:
    db = str(tmp_path / "swf.db")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fixtures.pending_effects", db],
        cwd=PROJECT_ROOT,
        # This checkout's simpleflow, whatever is installed.
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    stored = sqlite3.connect(db)
    try:
        pending = stored.execute(PENDING_KINDS).fetchall()
    finally:
        stored.close()
    assert [kind for (kind,) in pending] == ["child_start", "external_signal", "external_cancel"]
    assert_effects_carried_out_after_restart(db)


def assert_effects_carried_out_after_restart(db: str) -> None:
    # The new service skips idle time (0.2 s of quiet) to the pending deadline.
    service = SWFService(db, clock=VirtualClock(quiet_period=0.2), poll_timeout=3.0)
    try:
        with embedded_client(service) as client:
            swf = Driver(client)
            parent = run_of(swf, "parent")
            assert parent is not None
            for outcome in (
                "ChildWorkflowExecutionStarted",
                "ExternalWorkflowExecutionSignaled",
                "ExternalWorkflowExecutionCancelRequested",
            ):
                wait_event(swf, "parent", parent, outcome)
            target = run_of(swf, "target")
            assert target is not None
            target_types = swf.history("target", target)
            assert "WorkflowExecutionSignaled" in target_types
            assert "WorkflowExecutionCancelRequested" in target_types
            # Every wake-up happened: the parent's decision task, and the child's first one.
            woken = {swf.poll_decision()["workflowExecution"]["workflowId"] for _ in range(3)}
            assert woken == {"parent", "child-1", "target"}
    finally:
        service.close()


@pytest.mark.parametrize("delay", [-1.0, math.nan, math.inf], ids=["negative", "nan", "infinite"])
def test_the_delay_must_be_a_finite_number_of_seconds(delay: float) -> None:
    with pytest.raises(ValueError, match="side_effect_delay must be a finite number of seconds"):
        Limits(side_effect_delay=delay)
