"""The forkserver preloads the activity modules its children imported cleanly (real child processes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simpleflow import payload
from simpleflow.process.isolation import ActivityContextData, ActivityProcess, Outcome, preload_plan
from tests.fixtures.waiting import wait_for

DATA = ActivityContextData("test-domain", "process-tests")


@pytest.fixture(autouse=True)
def replace_at_first_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the forkserver as soon as a module is reported (a worker waits for imports to add up)."""
    monkeypatch.setattr(preload_plan, "replace_after_seconds", 0.0)


def start(name: str, *args: Any) -> ActivityProcess:
    task = {
        "taskToken": "token",
        "activityId": f"activity-{name}",
        "workflowExecution": {"workflowId": "wf-1", "runId": "run-1"},
        "activityType": {"name": name, "version": "1"},
        "input": payload.encode_input(args, {}),
    }
    child = ActivityProcess(task, DATA)
    child.start()
    return child


def result_of(child: ActivityProcess) -> Any:
    try:
        outcome = child.next_event(30)
    finally:
        child.close()
    assert isinstance(outcome, Outcome) and outcome.status == "completed", outcome
    return json.loads(outcome.result or "null")


def run(name: str, *args: Any) -> Any:
    return result_of(start(name, *args))


def test_later_children_inherit_a_clean_module_as_its_import_left_it() -> None:
    runs = [run("tests.fixtures.preload_activities.where_imported") for _ in range(3)]
    # The first child imported it; the later ones came from a forkserver that had. Each sees only its own
    # call: what a task does to the module does not reach the next one.
    assert runs == [
        {"inherited": False, "calls": 1},
        {"inherited": True, "calls": 1},
        {"inherited": True, "calls": 1},
    ]


def test_a_module_that_starts_a_thread_on_import_is_imported_by_each_child() -> None:
    runs = [run("tests.fixtures.preload_threaded_activities.where_imported") for _ in range(3)]
    assert runs == [{"inherited": False, "thread_alive": True}] * 3


def test_the_forkserver_is_not_replaced_under_a_running_child(tmp_path: Path) -> None:
    release, started = tmp_path / "release", tmp_path / "started"
    running = start("tests.fixtures.process_activities.finish_when_released", str(release), str(started))
    wait_for(started.exists, timeout=30, what="the long activity to start")
    late = "tests.fixtures.preload_late_activities.where_imported"
    # The first run reports the module; while the long one runs, its forkserver stays, so no preload yet.
    assert [run(late), run(late)] == [{"inherited": False, "calls": 1}] * 2
    release.write_text("")
    assert result_of(running) == "released"  # not killed with a forkserver replaced under it
    assert run(late) == {"inherited": True, "calls": 1}


def test_a_module_that_fails_to_import_fails_its_task_and_is_not_reported() -> None:
    child = start("tests.fixtures.broken_import.anything")
    try:
        outcome = child.next_event(30)
    finally:
        child.close()
    assert isinstance(outcome, Outcome) and outcome.status == "failed"
    assert "simpleflow_no_such_dependency" in (outcome.reason or "")
    assert "tests.fixtures.broken_import" not in preload_plan.modules
    assert "tests.fixtures.preload_threaded_activities" not in preload_plan.modules
