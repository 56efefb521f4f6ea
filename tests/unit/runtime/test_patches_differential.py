"""The sticky path and a fresh full replay decide alike around ``patched()``, with and without its marker.

Each execution is driven decision task by decision task: a live run kept in a verified ``RunCache``
decides (the sticky path), a fresh run of the whole history decides the same task again, and the two
must agree. The code is swapped from the old release to the new one after ``deploy_after`` decision
tasks: before the patch point (the run takes the new branch and records the marker), after it (the
run keeps the old branch: no marker), or never (a new execution of the new code).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from simpleflow import Executor, Workflow, activity, futures
from simpleflow.runtime.cache import RunCache
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


FUNCTIONS = {f"{fn.__module__}.{fn.__name__}": fn for fn in (square, cube)}


class Old(Workflow):
    name = "patched-differential"
    version = "1"
    task_list = "demo"

    def run(self, n):
        first = self.submit(square, n).result
        futures.wait(self.start_timer("pause", 10))
        second = self.submit(square, first).result
        return [first, second, self.submit(square, 1).result]


class New(Old):
    def run(self, n):
        first = self.submit(square, n).result
        futures.wait(self.start_timer("pause", 10))
        if self.patched("cube"):
            second = self.submit(cube, first).result
        else:
            second = self.submit(square, first).result
        return [first, second, self.submit(square, 1).result]


class Deprecated(Old):
    def run(self, n):
        first = self.submit(square, n).result
        futures.wait(self.start_timer("pause", 10))
        self.deprecate_patch("cube")
        second = self.submit(cube, first).result
        return [first, second, self.submit(square, 1).result]


def answer(builder: HistoryBuilder, decisions: list[dict[str, Any]]) -> None:
    """Play the workers and the clock: every activity completes, every timer fires."""
    for decision in decisions:
        kind = decision["decisionType"]
        if kind == "ScheduleActivityTask":
            attrs = attributes(decision)
            function = FUNCTIONS[attrs["activityType"]["name"]]
            result = function(*json.loads(attrs["input"])["args"])
            builder.activity_completed(attrs["activityId"], result=result)
        elif kind == "StartTimer":
            builder.timer_fired(attributes(decision)["timerId"])


def record(builder: HistoryBuilder, decisions: list[dict[str, Any]], *, refuse_patch_marker: bool) -> bool:
    """Record ``decisions`` as SWF does, refusing the patch marker with ``refuse_patch_marker``; whether
    it refused one."""
    completed = builder.complete_decision_task()
    refused = False
    for decision in decisions:
        is_patch = (
            decision["decisionType"] == "RecordMarker"
            and attributes(decision)["markerName"] == PATCH_MARKER_NAME
        )
        if is_patch and refuse_patch_marker and not refused:
            builder.add_event(
                "RecordMarkerFailed",
                markerName=PATCH_MARKER_NAME,
                cause="OPERATION_NOT_PERMITTED",
                decisionTaskCompletedEventId=completed,
            )
            refused = True
        else:
            record_decision(builder, decision)
    return refused


def drive(
    releases: list[type[Workflow]], *, deploy_after: int, refuse_patch_marker: bool = False
) -> tuple[list[list[str]], HistoryBuilder]:
    """Run the execution to its close; each release decides from ``deploy_after`` tasks on, with new live
    runs (a new decider). SWF refuses the first patch marker with ``refuse_patch_marker``. Returns the
    decision types of each task and the final history."""
    builder = HistoryBuilder(releases[0], input=[2])
    decided: list[list[str]] = []
    release, executor, runs = releases[0], Executor(releases[0]), RunCache(verify=True)
    for number in range(1, 20):
        if number == deploy_after + 1 and len(releases) > 1:
            runs.close()
            release, executor, runs = releases[1], Executor(releases[1]), RunCache(verify=True)
        task = builder.decision_task()
        live = executor.replay(task, runs=runs).decisions
        fresh = Executor(release).replay(task).decisions
        assert live == fresh, f"task {number}: the sticky path and a fresh replay differ"
        decided.append([decision["decisionType"] for decision in live])
        if record(builder, live, refuse_patch_marker=refuse_patch_marker):
            refuse_patch_marker = False
        if live and live[-1]["decisionType"] == "CompleteWorkflowExecution":
            runs.close()
            return decided, builder
        answer(builder, live)
    raise AssertionError("the execution did not close in 19 decision tasks")


def patch_markers(builder: HistoryBuilder) -> list[str]:
    return [
        event["markerRecordedEventAttributes"]["markerName"]
        for event in builder.events
        if event["eventType"] == "MarkerRecorded"
    ]


def result_of(builder: HistoryBuilder) -> Any:
    (closed,) = [event for event in builder.events if event["eventType"] == "WorkflowExecutionCompleted"]
    return json.loads(closed["workflowExecutionCompletedEventAttributes"]["result"])


@pytest.mark.parametrize(
    ("releases", "deploy_after", "result", "markers"),
    [
        pytest.param([New], 0, [4, 64, 1], [PATCH_MARKER_NAME], id="new-execution-marker"),
        pytest.param([Old, New], 2, [4, 64, 1], [PATCH_MARKER_NAME], id="deployed-before-the-patch-point"),
        pytest.param([Old, New], 3, [4, 16, 1], [], id="deployed-after-the-patch-point-no-marker"),
        pytest.param([New, Deprecated], 3, [4, 64, 1], [PATCH_MARKER_NAME], id="deprecated-over-marker"),
        pytest.param([Deprecated], 0, [4, 64, 1], [PATCH_MARKER_NAME], id="deprecated-new-execution"),
    ],
)
def test_the_sticky_path_and_a_fresh_replay_decide_alike(releases, deploy_after, result, markers):
    decided, history = drive(releases, deploy_after=deploy_after)
    assert result_of(history) == result
    assert patch_markers(history) == markers
    if markers:  # the marker is decided with the task the patch point is reached in, before the cube
        (with_marker,) = [types for types in decided if "RecordMarker" in types]
        assert with_marker == ["RecordMarker", "ScheduleActivityTask"]


@pytest.mark.parametrize(
    ("releases", "deploy_after"),
    [
        pytest.param([New], 0, id="new-execution"),
        pytest.param([Old, New], 2, id="deployed-before-the-patch-point"),
        pytest.param([Deprecated], 0, id="deprecated"),
    ],
)
def test_a_refused_patch_marker_is_decided_again_alike_on_both_paths(releases, deploy_after):
    decided, history = drive(releases, deploy_after=deploy_after, refuse_patch_marker=True)
    assert result_of(history) == [4, 64, 1]
    assert patch_markers(history) == [PATCH_MARKER_NAME]
    refused = [event for event in history.events if event["eventType"] == "RecordMarkerFailed"]
    assert len(refused) == 1
    with_marker = [types for types in decided if "RecordMarker" in types]
    assert with_marker == [["RecordMarker", "ScheduleActivityTask"], ["RecordMarker", "ScheduleActivityTask"]]
