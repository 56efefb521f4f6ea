"""Workflows that read ``self.executor.history`` and their hooks' ``history`` as upstream users do."""

import json

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="quickstart", version="example")
def increment(x):
    return x + 1


@activity.with_attributes(task_list="quickstart", version="example", raises_on_failure=False)
def explode():
    raise ValueError("boom")


class HistoryReaderWorkflow(Workflow):
    """Waits for its tasks, then returns what upstream's History attributes say about them."""

    name = "compat_history_reader"
    version = "example"
    task_list = "example"

    def run(self, x):
        futures.wait(self.submit(increment, x), self.submit(explode))
        futures.wait(self.submit(self.record_marker("checkpoint", {"x": x})))
        futures.wait(self.submit(self.signal("go", x)))
        futures.wait(self.submit(self.wait_signal("go")))
        history = self.executor.history
        states = {}
        for entry in history.activities.values():
            states[entry["name"]] = entry["state"]
        failed = next(entry for entry in history.activities.values() if entry["state"] == "failed")
        completed = next(entry for entry in history.activities.values() if entry["state"] == "completed")
        kinds = sorted({event.type for event in history.events})
        return {
            "states": states,
            "result": json.loads(completed["result"]),
            "input": completed["input"],
            "ids": completed["scheduled_id"] < completed["started_id"] < completed["completed_id"],
            "reason_has_boom": "boom" in (failed["reason"] or "") + (failed["details"] or ""),
            "signal_names": sorted(history.signals),
            "marker": [json.loads(marker["details"]) for marker in history.markers["checkpoint"]],
            "marker_state": history.markers["checkpoint"][0]["state"],
            "has_activity_events": "ActivityTask" in kinds and "WorkflowExecution" in kinds,
            "scheduled_states": sum(
                1 for event in history.events if event.state == "scheduled" and event.type == "ActivityTask"
            ),
            "child_workflows": history.child_workflows,
        }


class HistoryHookWorkflow(Workflow):
    """Its ``after_closed`` hook counts activity states in upstream's ``history.activities``."""

    name = "compat_history_hook"
    version = "example"
    task_list = "example"

    def after_closed(self, history):
        counts = {}
        for entry in history.activities.values():
            counts[entry["state"]] = counts.get(entry["state"], 0) + 1
        with open(self.path, "w") as report:
            json.dump({"counts": counts, "last_event_id": history.last_event_id is not None}, report)

    def run(self, path):
        self.path = path
        return sum(futures.wait(*[self.submit(increment, i) for i in range(3)]))
