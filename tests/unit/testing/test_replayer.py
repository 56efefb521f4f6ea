"""The replayer replays a recorded history decision task by decision task and reports the first divergence."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simpleflow import activity as activity_module
from simpleflow.exceptions import ConfigurationError, NondeterminismError, PatchRemoved
from simpleflow.runtime.events.patches import PATCH_MARKER_NAME
from simpleflow.testing import HistoryBuilder, ReplayDivergence, Replayer, UnreadableHistory
from simpleflow.testing.divergence import shortened
from simpleflow.testing.replayer import divergence_of_error
from tests.fixtures import replay_workflows as flows
from tests.fixtures.replay_workflows import record


@pytest.fixture(scope="module")
def order_history() -> list[dict[str, Any]]:
    return record(flows.OrderWorkflow, ["ab", "cde"]).events


def event_of(events: list[dict[str, Any]], event_type: str, index: int = 0) -> dict[str, Any]:
    return [event for event in events if event["eventType"] == event_type][index]


def started_of_task_before(events: list[dict[str, Any]], event_id: int) -> int:
    """The startedEventId of the decision task whose decisions include event ``event_id``."""
    started = [
        e["eventId"] for e in events if e["eventType"] == "DecisionTaskStarted" and e["eventId"] < event_id
    ]
    return started[-1]


def test_the_recording_code_replays(order_history: list[dict[str, Any]]) -> None:
    result = Replayer(flows.OrderWorkflow).replay(order_history)
    assert result.ok, result.describe()
    assert result.divergence is None
    assert result.decision_tasks == 4  # start, after prices, after the timer, after the total
    assert result.describe() == "ok the history given: 4 decision task(s) replayed"


def test_a_refactoring_that_keeps_the_decisions_replays(order_history: list[dict[str, Any]]) -> None:
    assert Replayer(flows.RefactoredOrderWorkflow).replay(order_history, raise_on_divergence=True).ok


@pytest.mark.parametrize(
    ("workflow", "event_type", "index", "reason", "recorded", "produced"),
    [
        pytest.param(
            flows.ChangedInputWorkflow,
            "ActivityTaskScheduled",
            0,
            "ScheduleActivityTask differs in input",
            {"decision": "ScheduleActivityTask", "input": '{"args":["ab"],"kwargs":{}}'},
            {"decision": "ScheduleActivityTask", "input": '{"args":["AB"],"kwargs":{}}'},
            id="activity-input",
        ),
        pytest.param(
            flows.ChangedTimerWorkflow,
            "TimerStarted",
            0,
            "StartTimer differs in startToFireTimeout",
            {"decision": "StartTimer", "timerId": "cool-off", "startToFireTimeout": "60"},
            {"decision": "StartTimer", "timerId": "cool-off", "startToFireTimeout": "120"},
            id="timer-duration",
        ),
        pytest.param(
            flows.RemovedMarkerWorkflow,
            "MarkerRecorded",
            0,
            "the history has a RecordMarker decision the code did not make",
            {"decision": "RecordMarker", "markerName": "priced", "details": "2"},
            None,
            id="marker-removed",
        ),
        pytest.param(
            flows.FirstItemOnlyWorkflow,
            "ActivityTaskScheduled",
            1,
            "the history has a ScheduleActivityTask decision the code did not make",
            {
                "decision": "ScheduleActivityTask",
                "activityId": "activity-tests.fixtures.replay_workflows.price-2",
            },
            None,
            id="activity-removed",
        ),
        pytest.param(
            flows.ExtraActivityWorkflow,
            "WorkflowExecutionCompleted",
            0,
            "the history has a CompleteWorkflowExecution decision where the code made a ScheduleActivityTask",
            {"decision": "CompleteWorkflowExecution", "result": '{"total":5}'},
            {"decision": "ScheduleActivityTask"},
            id="activity-added",
        ),
        pytest.param(
            flows.ChangedResultWorkflow,
            "WorkflowExecutionCompleted",
            0,
            "CompleteWorkflowExecution differs in result",
            {"result": '{"total":5}'},
            {"result": '{"sum":5}'},
            id="result",
        ),
    ],
)
def test_a_changed_workflow_fails_at_the_first_divergence(
    order_history: list[dict[str, Any]],
    workflow: type,
    event_type: str,
    index: int,
    reason: str,
    recorded: dict[str, Any],
    produced: dict[str, Any] | None,
) -> None:
    expected_event = event_of(order_history, event_type, index)
    result = Replayer(workflow).replay(order_history)
    divergence = result.divergence
    assert not result.ok and divergence is not None
    assert divergence.event_id == expected_event["eventId"]
    assert divergence.decision_task == started_of_task_before(order_history, expected_event["eventId"])
    assert divergence.reason.startswith(reason)
    assert recorded.items() <= divergence.recorded.items()
    if produced is None:
        assert divergence.produced is None
    else:
        assert produced.items() <= divergence.produced.items()
    assert f"decision task {divergence.decision_task}, event {divergence.event_id}" in result.describe()


@pytest.mark.parametrize(
    ("error", "event_type", "reason"),
    [
        pytest.param(
            NondeterminismError(
                "activity-tests.fixtures.replay_workflows.price-1",
                recorded={"type": "price", "input": "x" * 300},
                produced={"type": "price", "input": "y"},
            ),
            "ActivityTaskScheduled",
            "the code makes task 'activity-tests.fixtures.replay_workflows.price-1' with another type",
            id="identity",
        ),
        pytest.param(
            NondeterminismError("cool-off", recorded={"kind": "timer"}, produced=None),
            "TimerStarted",
            "the history has task 'cool-off', which the code no longer makes",
            id="unproduced",
        ),
        pytest.param(
            PatchRemoved("priced", reason="the code no longer asks for it", marker_recorded=True),
            None,
            "nondeterministic replay of patch 'priced': the code no longer asks for it",
            id="patch",
        ),
    ],
)
def test_a_replay_error_points_at_the_event_of_its_task(
    order_history: list[dict[str, Any]], error: NondeterminismError, event_type: str | None, reason: str
) -> None:
    divergence = divergence_of_error(error, order_history, started=3)
    expected = None if event_type is None else event_of(order_history, event_type)["eventId"]
    assert (divergence.decision_task, divergence.event_id) == (3, expected)
    assert divergence.reason.startswith(reason)
    assert divergence.recorded == shortened(error.recorded)
    assert divergence.produced == error.produced


def test_a_patch_error_points_at_its_marker() -> None:
    builder = HistoryBuilder(flows.OrderWorkflow, input=[["ab"]])
    builder.complete_decision_task()
    marker = builder.marker_recorded(PATCH_MARKER_NAME, details="priced")
    divergence = divergence_of_error(
        PatchRemoved("priced", reason="gone", marker_recorded=True), builder.events, started=3
    )
    assert divergence.event_id == marker


def test_raise_on_divergence_raises_a_nondeterminism_error_with_the_divergence(
    order_history: list[dict[str, Any]],
) -> None:
    with pytest.raises(ReplayDivergence) as raised:
        Replayer(flows.ChangedTimerWorkflow).replay(order_history, raise_on_divergence=True)
    error = raised.value
    assert isinstance(error, NondeterminismError)
    timer = event_of(order_history, "TimerStarted")
    assert (error.event_id, error.decision_task) == (
        timer["eventId"],
        started_of_task_before(order_history, timer["eventId"]),
    )
    assert error.recorded["startToFireTimeout"] == "60" and error.produced["startToFireTimeout"] == "120"
    assert error.result.source == "the history given"
    assert str(error).startswith("nondeterministic the history given: decision task ")


def test_long_values_are_shortened() -> None:
    history = record(flows.OrderWorkflow, ["x" * 5000]).events
    divergence = Replayer(flows.ChangedInputWorkflow).replay(history).divergence
    assert divergence is not None
    recorded_input = divergence.recorded["input"]
    assert len(recorded_input) <= 200
    assert recorded_input.endswith("(5,025 characters)")
    assert len(divergence.describe()) < 1000


def test_a_failure_replays_although_its_traceback_moved() -> None:
    builder = record(flows.FailingOrderWorkflow, ["ab"])
    failed = event_of(builder.events, "WorkflowExecutionFailed")["workflowExecutionFailedEventAttributes"]
    details = json.loads(failed["details"])
    assert "line " in details["traceback"]
    details["traceback"] = details["traceback"].replace("line ", "line 9")  # as if lines moved
    failed["details"] = json.dumps(details)
    assert Replayer(flows.FailingOrderWorkflow).replay(builder.events).ok
    details["message"] = "another message"
    failed["details"] = json.dumps(details)
    divergence = Replayer(flows.FailingOrderWorkflow).replay(builder.events).divergence
    assert divergence is not None and divergence.reason == "FailWorkflowExecution differs in details"


def test_a_child_id_tells_the_workflow_id_of_a_history_without_one() -> None:
    history = record(flows.ParentWorkflow, ["abc"], workflow_id="the-parent").events
    result = Replayer(flows.ParentWorkflow).replay(history)
    assert result.ok, result.describe()
    assert result.workflow_id == "the-parent"
    wrong = Replayer(flows.ParentWorkflow).replay(history, workflow_id="another-parent")
    assert wrong.divergence is not None and "workflowId" in wrong.divergence.reason + repr(
        wrong.divergence.recorded
    )


def test_a_decision_task_not_completed_is_not_replayed(order_history: list[dict[str, Any]]) -> None:
    cut = next(e["eventId"] for e in order_history if e["eventType"] == "TimerFired")
    started = [dict(e) for e in order_history if e["eventId"] <= cut]
    started.append(
        {"eventId": cut + 1, "eventType": "DecisionTaskScheduled", "decisionTaskScheduledEventAttributes": {}}
    )
    started.append(
        {
            "eventId": cut + 2,
            "eventType": "DecisionTaskStarted",
            "decisionTaskStartedEventAttributes": {"scheduledEventId": cut + 1},
        }
    )
    result = Replayer(flows.OrderWorkflow).replay(started)
    assert result.ok and result.decision_tasks == 2


# -- files and folders ----------------------------------------------------------------------------------


def _rows(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``workflow.history --of raw --format json``: rows of event id and event, datetimes as ISO text."""
    return [
        {"event_id": e["eventId"], "event": {**e, "eventTimestamp": e["eventTimestamp"].isoformat()}}
        for e in events
    ]


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(_rows, id="workflow-history-raw"),
        pytest.param(lambda events: [row["event"] for row in _rows(events)], id="event-list"),
        pytest.param(lambda events: {"events": [row["event"] for row in _rows(events)]}, id="aws-cli"),
    ],
)
def test_a_history_file_in_each_shape_replays(
    tmp_path: Path, order_history: list[dict[str, Any]], shape: Callable[[list[dict[str, Any]]], Any]
) -> None:
    path = tmp_path / "order-1.json"
    path.write_text(json.dumps(shape(order_history)))
    result = Replayer(flows.OrderWorkflow).replay(path)
    assert result.ok, result.describe()
    assert (result.source, result.workflow_id) == (str(path), "order-1")
    assert Replayer(flows.OrderWorkflow).replay(str(path)).ok


def test_a_folder_replays_every_file_even_after_a_divergence(
    tmp_path: Path, order_history: list[dict[str, Any]]
) -> None:
    (tmp_path / "a.json").write_text(json.dumps(_rows(order_history)))
    (tmp_path / "b.json").write_text(json.dumps(_rows(record(flows.OrderWorkflow, ["x"]).events)))
    (tmp_path / "notes.txt").write_text("not a history")
    results = Replayer(flows.ChangedTimerWorkflow).replay_all(tmp_path)
    assert [Path(r.source).name for r in results] == ["a.json", "b.json"]
    assert [r.ok for r in results] == [False, False]
    assert all(r.ok for r in Replayer(flows.OrderWorkflow).replay_all(tmp_path))
    with pytest.raises(ReplayDivergence):
        Replayer(flows.ChangedTimerWorkflow).replay_all(tmp_path, raise_on_divergence=True)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(None, "cannot read it", id="missing"),
        pytest.param("{not json", "not JSON (Expecting property name", id="not-json"),
        pytest.param("[]", "not a workflow history", id="empty"),
        pytest.param('{"a": 1}', "not a workflow history", id="object"),
        pytest.param('[{"event_id": 1, "event": {"x": 1}}]', "an item is not an event", id="not-events"),
        pytest.param(
            '[{"eventId": 3, "eventType": "DecisionTaskStarted"}]',
            "its first event is DecisionTaskStarted",
            id="partial",
        ),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path: Path, content: str | None, problem: str) -> None:
    path = tmp_path / "history.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UnreadableHistory) as raised:
        Replayer(flows.OrderWorkflow).replay(path)
    assert isinstance(raised.value, ConfigurationError)
    assert str(raised.value).startswith(f"{path}: ")
    assert problem in str(raised.value)


def test_a_history_of_another_workflow_type_is_refused(order_history: list[dict[str, Any]]) -> None:
    with pytest.raises(
        UnreadableHistory, match=re.escape("of workflow type 'replay-tests.order', not 'replay-tests.parent'")
    ):
        Replayer(flows.ParentWorkflow).replay(order_history)


def test_a_folder_is_not_one_history(tmp_path: Path) -> None:
    with pytest.raises(UnreadableHistory, match="a folder: replay its files with replay_all"):
        Replayer(flows.OrderWorkflow).replay(tmp_path)
    with pytest.raises(UnreadableHistory, match=re.escape("no *.json history file")):
        Replayer(flows.OrderWorkflow).replay_all(tmp_path)
    with pytest.raises(UnreadableHistory, match="no such file or folder"):
        Replayer(flows.OrderWorkflow).replay_all(tmp_path / "nowhere")


def test_the_replayer_takes_a_workflow_class() -> None:
    with pytest.raises(TypeError, match="Workflow subclass"):
        Replayer(activity_module.Activity)  # type: ignore[arg-type]


def test_a_signal_to_its_own_run_is_checked_when_the_run_id_is_given() -> None:
    signals = Path(__file__).resolve().parents[2] / "fixtures" / "histories" / "signals.json"
    from examples.signals import ApprovalWorkflow

    assert Replayer(ApprovalWorkflow).replay(signals).ok  # the run id is not in the file: not checked
    recorded_run = next(
        row["event"]["signalExternalWorkflowExecutionInitiatedEventAttributes"]["runId"]
        for row in json.loads(signals.read_text())
        if row["event"]["eventType"] == "SignalExternalWorkflowExecutionInitiated"
    )
    assert Replayer(ApprovalWorkflow).replay(signals, run_id=recorded_run).ok
    divergence = Replayer(ApprovalWorkflow).replay(signals, run_id="another-run").divergence
    assert divergence is not None and divergence.reason == "SignalExternalWorkflowExecution differs in runId"
