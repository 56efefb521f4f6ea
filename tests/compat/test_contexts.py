"""Contexts as upstream has them: activity.context, get_run_context(), self.executor, the hooks."""

from __future__ import annotations

import json
import uuid

import pytest

from simpleflow.runtime.cache import VERIFY_VARIABLE
from tests.compat.harness import run_workflow

FLOWS = "tests.compat.flows_contexts"


def test_activity_context_has_upstreams_keys(run):
    result = run(f"{FLOWS}.ActivityContextWorkflow", [5]).result
    fn, cls, context = result["fn"], result["cls"], result["run"]
    assert fn["workflow_id"] == context["workflow_id"] and fn["run_id"] == context["run_id"]
    assert (fn["name"], fn["version"], fn["x"]) == (f"{FLOWS}.read_context", "example", 5)
    assert fn["activity_id"].startswith(f"activity-{FLOWS}.read_context")
    assert json.loads(fn["input"])["args"] == [5]
    assert fn["domain_name"]
    assert cls["workflow_id"] == context["workflow_id"] and cls["y"] == 6
    assert cls["activity_id"] != fn["activity_id"]


def test_activity_context_in_worker_processes():
    result = run_workflow("local", f"{FLOWS}.ActivityContextWorkflow", [1], "--processes").result
    assert result["fn"]["workflow_id"] == result["run"]["workflow_id"]
    assert result["cls"]["y"] == 2


def test_run_context_is_a_dict_and_class_hooks_pick_id_and_tags(run):
    my_id = f"compat-run-context-{uuid.uuid4().hex[:8]}"
    outcome = run(f"{FLOWS}.RunContextWorkflow", {"kwargs": {"my_id": my_id, "my_tags": ["a", "b=2"]}})
    result = outcome.result
    assert result["built_with_executor"] is True
    assert result["workflow_id"] == result["get"] == result["attribute"] == my_id
    assert result["has_run_id"] and result["missing"] == "KeyError" and result["deprecated_alias"]
    assert result["tag_list"] == ["a", "b=2"]
    assert (result["name"], result["version"]) == ("compat_run_context", "example")
    assert result["domain_name"] and result["parent_workflow_id"] is None
    executor = result["executor"]
    assert executor["workflow_id"] == my_id == executor["run_context"]
    assert executor["domain"] == result["domain_name"] and executor["has_history"]


def test_children_inherit_tags_and_choose_their_id(run):
    suffix = uuid.uuid4().hex[:8]
    result = run(f"{FLOWS}.ParentWorkflow", [suffix]).result
    assert result["tag_list"] == ["team=compat", "parent"]
    assert result["inherit"] == {
        "tag_list": ["team=compat", "parent"],
        "parent_workflow_id": result["workflow_id"],
    }
    assert result["with_id"] == {"workflow_id": f"chosen-child-{suffix}", "tag_list": ["own=1"]}


@pytest.mark.parametrize("fail", [False, True], ids=["completed", "failed"])
def test_hooks_run_per_replay_and_after_closed_once(run, tmp_path, fail, monkeypatch):
    # Counts hook calls: the live-run check's fresh runs would call the hooks again.
    monkeypatch.setenv(VERIFY_VARIABLE, "0")
    path = tmp_path / "hooks.log"
    outcome = run(f"{FLOWS}.HooksWorkflow", {"kwargs": {"path": str(path), "fail": fail}})
    calls = path.read_text().splitlines()
    closing = "on_failure" if fail else "on_completed"
    if fail:
        assert outcome.returncode != 0 and "failing after 3" in outcome.stderr
    else:
        assert outcome.result == 3
    assert calls.count("after_closed True") == 1 and calls[-1] == "after_closed True"
    assert calls[-2] == closing and calls.count(closing) == 1
    assert calls.count("before_replay") == calls.count("after_replay") >= 3


def test_event_details(run):
    result = run(f"{FLOWS}.EventDetailsWorkflow").result
    assert result["marker"] == {"a": 1}
    assert result["signal"] == ["compat signal", [1, 2]]
    assert result["timer"] == ["compat timer", "fired"]
    assert result["absent"] is None
    assert "unknown event type 'lambda'" in result["unknown"]
