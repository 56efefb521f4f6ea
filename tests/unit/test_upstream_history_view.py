"""UpstreamHistory: upstream 0.36's History attributes over this project's History."""

from __future__ import annotations

import json

from simpleflow.history import History, TaskKind
from simpleflow.history.upstream_view import UpstreamHistory, upstream_history
from simpleflow.testing.history_builder import HistoryBuilder


def _history() -> UpstreamHistory:
    builder = HistoryBuilder(workflow_name="wf", workflow_version="1", input=[1])
    builder.activity_scheduled("a-1", name="double", input={"args": [1]})
    builder.activity_started("a-1")
    builder.activity_completed("a-1", result=2)
    builder.activity_scheduled("a-2", name="boom")
    builder.activity_failed("a-2", reason="bad", details="trace")
    builder.activity_scheduled("a-2", name="boom")
    builder.signaled("go", input={"n": 1})
    builder.signaled("go", input={"n": 2}, sender_workflow_id="other")
    builder.marker_recorded("step", details={"done": True})
    builder.timer_started("t", timeout=5)
    builder.timer_fired("t")
    builder.child_initiated("child-1", name="Child", version="1")
    builder.child_started("child-1")
    builder.child_completed("child-1", result=7)
    return UpstreamHistory(History(builder.events))


def test_activities_are_upstreams_dicts_with_retries():
    history = _history()
    first, second = history.activities["a-1"], history.activities["a-2"]
    assert first["state"] == "completed" and first["result"] == "2" and first["name"] == "double"
    assert first["input"] == {"args": [1]} and first["task_list"] == "default"
    assert first["scheduled_id"] < first["started_id"] < first["completed_id"]
    assert (first["retry"], first["attempt"]) == (0, 1)
    assert second["state"] == "scheduled" and (second["retry"], second["attempt"]) == (1, 2)
    assert second["reason"] == "bad"  # kept from the failed attempt, as upstream's update() keeps it


def test_signals_markers_timers_children():
    history = _history()
    assert history.signals["go"]["input"] == {"n": 2}
    assert history.signals["go"]["external_workflow_id"] == "other"
    assert [signal["input"] for signal in history.get_signal_events("go")] == [{"n": 1}, {"n": 2}]
    assert json.loads(history.markers["step"][0]["details"]) == {"done": True}
    assert history.timers["t"]["state"] == "fired" and history.timers["t"]["start_to_fire_timeout"] == 5
    child = history.child_workflows["child-1"]
    assert (child["state"], child["result"], child["name"]) == ("completed", "7", "Child")
    assert [task["type"] for task in history.tasks] == [
        "activity",
        "activity",
        "signal",
        "signal",
        "child_workflow",
    ]
    assert history.last_event_id == len(history.events)
    assert history.cancel_requested is None


def test_events_are_upstream_events_and_raw_mappings():
    history = _history()
    scheduled = next(event for event in history.events if event.name == "ActivityTaskScheduled")
    assert (scheduled.type, scheduled.state) == ("ActivityTask", "scheduled")
    assert scheduled.id == history.activities["a-1"]["scheduled_id"]
    assert scheduled.activity_id == "a-1" and scheduled.input == {"args": [1]}
    assert scheduled["eventType"] == "ActivityTaskScheduled"
    child = next(event for event in history.events if event.name == "StartChildWorkflowExecutionInitiated")
    assert (child.type, child.state) == ("ChildWorkflowExecution", "start_initiated")


def test_this_projects_api_still_answers():
    history = _history()
    assert [json.loads(signal.input) for signal in history.signals("go")] == [{"n": 1}, {"n": 2}]
    assert history.markers("step")[0].name == "step"
    assert history.activity("a-1").state.value == "COMPLETED"
    assert [record.task_id for record in history.tasks(TaskKind.ACTIVITY)] == ["a-1", "a-2"]
    assert history.timers()[0].timer_id == "t"
    assert upstream_history(history) is history


def test_cancel_requested_speaks_both():
    builder = HistoryBuilder(workflow_name="wf", workflow_version="1")
    builder.cancel_requested(cause="CHILD_POLICY_APPLIED")
    history = UpstreamHistory(History(builder.events))
    assert history.cancel_requested["cause"] == "CHILD_POLICY_APPLIED"
    assert history.cancel_requested.cause == "CHILD_POLICY_APPLIED"
    assert history.cancel_requested_id == history.cancel_requested.event_id


def test_nothing_is_folded_until_read():
    history = _history()
    assert "_folded" not in history.__dict__ and "events" not in history.__dict__
    assert history.start is not None
    assert "_folded" not in history.__dict__
