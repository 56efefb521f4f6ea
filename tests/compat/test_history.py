"""``self.executor.history`` and the hooks' ``history`` read with upstream 0.36's History attributes."""

from __future__ import annotations

import json


def test_run_reads_upstream_history_attributes(run):
    result = run("tests.compat.flows_history.HistoryReaderWorkflow", [3]).result
    assert result["states"] == {
        "tests.compat.flows_history.increment": "completed",
        "tests.compat.flows_history.explode": "failed",
    }
    assert result["result"] == 4
    assert result["input"] == {"args": [3], "kwargs": {}}
    assert result["ids"] is True
    assert result["reason_has_boom"] is True
    assert result["signal_names"] == ["go"]
    assert result["marker"] == [{"x": 3}]
    assert result["marker_state"] == "recorded"
    assert result["has_activity_events"] is True
    assert result["scheduled_states"] == 2
    assert result["child_workflows"] == {}


def test_hook_gets_upstream_history(run, tmp_path):
    report = tmp_path / "report.json"
    assert run("tests.compat.flows_history.HistoryHookWorkflow", [str(report)]).result == 6
    assert json.loads(report.read_text()) == {"counts": {"completed": 3}, "last_event_id": True}
