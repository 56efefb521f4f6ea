"""Workflow.patched / deprecate_patch replayed against histories of the old and the new code."""

from __future__ import annotations

import pytest

from simpleflow import Executor, Workflow, activity
from simpleflow.exceptions import NondeterminismError, PatchRemoved
from simpleflow.testing import HistoryBuilder


@activity.with_attributes(task_list="demo", version="1")
def square(x):
    return x * x


@activity.with_attributes(task_list="demo", version="1")
def cube(x):
    return x**3


class Old(Workflow):
    name = "patched-demo"
    version = "1"
    task_list = "demo"

    def run(self, n):
        return self.submit(square, n).result


class New(Old):
    def run(self, n):
        if self.patched("cube"):
            return self.submit(cube, n).result
        return self.submit(square, n).result


class Deprecated(Old):
    def run(self, n):
        self.deprecate_patch("cube")
        return self.submit(cube, n).result


class Removed(Old):
    def run(self, n):
        return self.submit(cube, n).result


class ListsMarkers(New):
    def run(self, n):
        self.patched("cube")
        return [marker.name for marker in self.list_markers(all=True)]


def _history_of(workflow: type[Workflow]) -> HistoryBuilder:
    """The history after ``workflow``'s first decision task, decided and recorded."""
    history = HistoryBuilder(workflow, input=[2])
    history.record_decisions(Executor(workflow).replay(history.decision_task()).decisions)
    return history


def test_a_new_execution_records_the_marker_and_takes_the_new_branch():
    decisions = Executor(New).replay(HistoryBuilder(New, input=[2]).decision_task()).decisions
    assert [d["decisionType"] for d in decisions] == ["RecordMarker", "ScheduleActivityTask"]
    assert decisions[0]["recordMarkerDecisionAttributes"]["markerName"] == "simpleflow.patch"
    assert decisions[1]["scheduleActivityTaskDecisionAttributes"]["activityType"]["name"].endswith("cube")


@pytest.mark.parametrize(
    ("recorded_with", "replayed_with", "task_id", "result"),
    [
        pytest.param(
            Old, New, "activity-tests.unit.runtime.test_patches.square-1", 4, id="old-history-new-code"
        ),
        pytest.param(New, New, "activity-tests.unit.runtime.test_patches.cube-1", 8, id="marker-new-code"),
        pytest.param(
            New, Deprecated, "activity-tests.unit.runtime.test_patches.cube-1", 8, id="marker-deprecated"
        ),
    ],
)
def test_recorded_histories_replay_and_finish_on_their_branch(recorded_with, replayed_with, task_id, result):
    history = _history_of(recorded_with)
    history.activity_completed(task_id, result=result)
    decisions = Executor(replayed_with).replay(history.decision_task()).decisions
    assert [d["decisionType"] for d in decisions] == ["CompleteWorkflowExecution"]
    assert decisions[0]["completeWorkflowExecutionDecisionAttributes"]["result"] == str(result)


@pytest.mark.parametrize(
    ("recorded_with", "replayed_with", "says"),
    [
        pytest.param(New, Removed, "no longer calls patched()", id="marker-patch-removed"),
        pytest.param(Old, Deprecated, "took the old branch", id="old-history-deprecated"),
    ],
)
def test_removing_a_patch_too_early_is_nondeterminism_naming_the_change(recorded_with, replayed_with, says):
    history = _history_of(recorded_with)
    with pytest.raises(PatchRemoved) as caught:
        Executor(replayed_with).replay(history.decision_task())
    assert isinstance(caught.value, NondeterminismError)
    assert caught.value.change_id == "cube"
    assert says in str(caught.value) and "'cube'" in str(caught.value)


def test_patch_markers_are_not_listed():
    history = _history_of(ListsMarkers)
    decisions = Executor(ListsMarkers).replay(history.decision_task()).decisions
    assert decisions[-1]["completeWorkflowExecutionDecisionAttributes"]["result"] == "[]"


@pytest.mark.parametrize("change_id", [pytest.param("", id="empty"), pytest.param(3, id="not-a-string")])
def test_a_change_id_is_a_non_empty_string(change_id):
    class BadId(Old):
        def run(self, n):
            return self.patched(change_id)

    decisions = Executor(BadId).replay(HistoryBuilder(BadId, input=[2]).decision_task()).decisions
    assert [d["decisionType"] for d in decisions] == ["FailWorkflowExecution"]
    assert "change id" in str(decisions[0]["failWorkflowExecutionDecisionAttributes"])
