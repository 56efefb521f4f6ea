"""``patched()``'s frontier: any decision the old code made past the patch point keeps the old branch.

For each kind of decision, ``Old`` makes it and then schedules ``square``. ``PatchBefore`` asks
``patched()`` before that decision: replaying ``Old``'s history it must keep the old branch (the old code
went past the point). ``PatchAfter`` asks after it: the same history is at its frontier, so it takes the
new branch and records the marker. Also: a refused patch marker, and the error's shape.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import pytest

from simpleflow import Executor, Workflow, activity, futures
from simpleflow.exceptions import NondeterminismError, PatchRemoved
from simpleflow.runtime.events.patches import PATCH_MARKER_NAME
from simpleflow.testing import HistoryBuilder
from simpleflow.testing.decision_events import record_decision
from tests.unit.executor_driver import attributes


@activity.with_attributes(task_list="demo", version="1")
def square(x):
    return x * x


@activity.with_attributes(task_list="demo", version="1")
def cube(x):
    return x**3


class Child(Workflow):
    name = "frontier-child"
    version = "1"
    task_list = "demo"

    def run(self):
        return 1


def a_timer(workflow: Workflow) -> None:
    futures.wait(workflow.start_timer("pause", 10))


def a_marker(workflow: Workflow) -> None:
    futures.wait(workflow.record_marker("stage", {"b": 1, "a": 2}))


def a_side_effect(workflow: Workflow) -> None:
    workflow.side_effect(lambda: 7)
    futures.wait(workflow.wait_signal("go"))  # no decision: the side effect's marker is the only one


def a_signal_sent(workflow: Workflow) -> None:
    futures.wait(workflow.signal("ping", workflow_id="elsewhere", propagate=False))


def a_child(workflow: Workflow) -> None:
    futures.wait(workflow.submit(Child))


def an_activity(workflow: Workflow) -> None:
    futures.wait(workflow.submit(square, 3))


def workflows(step: Callable[[Workflow], None]) -> tuple[type[Workflow], type[Workflow], type[Workflow]]:
    class Old(Workflow):
        name = "frontier"
        version = "1"
        task_list = "demo"

        def run(self, n):
            step(self)
            return self.submit(square, n).result

    class PatchBefore(Old):
        def run(self, n):
            if self.patched("cube"):
                return self.submit(cube, n).result
            step(self)
            return self.submit(square, n).result

    class PatchAfter(Old):
        def run(self, n):
            step(self)
            if self.patched("cube"):
                return self.submit(cube, n).result
            return self.submit(square, n).result

    return Old, PatchBefore, PatchAfter


def answer(builder: HistoryBuilder, decisions: list[dict[str, Any]]) -> None:
    """Play the rest of the world: activities and children complete, timers fire, signals arrive."""
    for decision in decisions:
        kind, attrs = decision["decisionType"], attributes(decision)
        if kind == "ScheduleActivityTask":
            builder.activity_completed(attrs["activityId"], result=9)
        elif kind == "StartTimer" and not attrs["timerId"].startswith("_simpleflow-"):
            builder.timer_fired(attrs["timerId"])
        elif kind == "SignalExternalWorkflowExecution":
            builder.external_signaled(attrs["control"], workflow_id=attrs["workflowId"])
        elif kind == "StartChildWorkflowExecution":
            builder.child_started(attrs["workflowId"])
            builder.child_completed(attrs["workflowId"], result=1)
    builder.signaled("go")


def types(decisions: list[dict[str, Any]]) -> list[str]:
    return [decision["decisionType"] for decision in decisions]


def scheduled(decisions: list[dict[str, Any]]) -> list[str]:
    return [
        attributes(decision)["activityType"]["name"].rsplit(".", 1)[-1]
        for decision in decisions
        if decision["decisionType"] == "ScheduleActivityTask"
    ]


STEPS = [
    pytest.param(a_timer, id="timer"),
    pytest.param(a_marker, id="marker"),
    pytest.param(a_side_effect, id="side-effect"),
    pytest.param(a_signal_sent, id="signal-sent"),
    pytest.param(a_child, id="child"),
    pytest.param(an_activity, id="activity"),
]


def old_history(old: type[Workflow]) -> HistoryBuilder:
    """``old``'s history once its first decisions were made and answered: ``square`` comes next."""
    history = HistoryBuilder(old, input=[2])
    decisions = Executor(old).replay(history.decision_task()).decisions
    history.record_decisions(decisions)
    answer(history, decisions)
    return history


@pytest.mark.parametrize("step", STEPS)
def test_a_decision_of_the_old_code_past_the_patch_point_keeps_the_old_branch(step):
    old, patch_before, _ = workflows(step)
    history = old_history(old)
    expected = Executor(old).replay(history.decision_task()).decisions
    assert scheduled(expected)[-1] == "square"
    assert Executor(patch_before).replay(history.decision_task()).decisions == expected


@pytest.mark.parametrize("step", STEPS)
def test_at_the_frontier_after_that_decision_the_new_branch_is_taken(step):
    old, _, patch_after = workflows(step)
    history = old_history(old)
    decisions = Executor(patch_after).replay(history.decision_task()).decisions
    assert types(decisions)[0] == "RecordMarker"
    assert attributes(decisions[0])["markerName"] == PATCH_MARKER_NAME
    assert scheduled(decisions) == ["cube"]


class New(Workflow):
    name = "frontier-refused"
    version = "1"
    task_list = "demo"

    def run(self, n):
        if self.patched("cube"):
            return self.submit(cube, n).result
        return self.submit(square, n).result


class Removed(New):
    def run(self, n):
        return self.submit(cube, n).result


def refused_marker_history() -> HistoryBuilder:
    """``New``'s first decision task, with SWF refusing its patch marker; ``cube`` completed since."""
    history = HistoryBuilder(New, input=[2])
    decisions = Executor(New).replay(history.decision_task()).decisions
    assert types(decisions) == ["RecordMarker", "ScheduleActivityTask"]
    completed = history.complete_decision_task()
    history.add_event(
        "RecordMarkerFailed",
        markerName=PATCH_MARKER_NAME,
        cause="OPERATION_NOT_PERMITTED",
        decisionTaskCompletedEventId=completed,
    )
    record_decision(history, decisions[1])
    history.activity_completed(attributes(decisions[1])["activityId"], result=8)
    return history


def test_a_refused_patch_marker_is_not_recorded_the_new_branch_stays_and_decides_it_again():
    history = refused_marker_history()
    decisions = Executor(New).replay(history.decision_task()).decisions
    assert types(decisions) == ["RecordMarker", "CompleteWorkflowExecution"]
    assert attributes(decisions[0])["markerName"] == PATCH_MARKER_NAME
    assert attributes(decisions[1])["result"] == "8"


def test_a_refused_patch_marker_does_not_count_as_a_marker_the_code_must_keep_asking_for():
    decisions = Executor(Removed).replay(refused_marker_history().decision_task()).decisions
    assert types(decisions) == ["CompleteWorkflowExecution"]


@pytest.mark.parametrize(
    ("marker_recorded", "recorded", "produced"),
    [
        pytest.param(True, "cube", None, id="marker-unasked"),
        pytest.param(False, None, "cube", id="deprecated"),
    ],
)
def test_patch_removed_is_a_plain_exception_with_keyword_attributes(marker_recorded, recorded, produced):
    error = PatchRemoved("cube", reason="why", marker_recorded=marker_recorded)
    assert isinstance(error, NondeterminismError)
    assert (error.change_id, error.reason, error.marker_recorded) == ("cube", "why", marker_recorded)
    assert (error.task_id, error.recorded, error.produced) == ("patch cube", recorded, produced)
    assert str(error).startswith("nondeterministic replay of patch 'cube': why. Keep patched('cube')")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.marker_recorded) == (PatchRemoved, str(error), marker_recorded)
