"""decider.start + worker.start + workflow.start as real processes, and what survives a crash or a stop."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from simpleflow.children import simpleflow_command
from simpleflow.standalone import wait_for_close
from tests.fixtures.waiting import wait_for
from tests.integration.run.conftest import DOMAIN, REPOSITORY, Commands

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def start_workflow(run_env: dict[str, str], workflow: str, *arguments: str) -> dict[str, str]:
    """``simpleflow workflow.start`` as a user runs it; returns the execution it printed."""
    done = subprocess.run(
        simpleflow_command("workflow.start", f"tests.fixtures.runs.{workflow}", *arguments),
        env=run_env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    workflow_id, run_id = done.stdout.split()
    return {"workflowId": workflow_id, "runId": run_id}


def start_decider(commands: Commands, name: str = "decider") -> Any:
    return commands.start(
        name,
        "decider.start",
        "tests.fixtures.runs.OneActivityWorkflow",
        "tests.fixtures.runs.BlockingActivityWorkflow",
        "tests.fixtures.runs.BlockingDecisionWorkflow",
        "--task-list",
        "runs",
    )


def start_worker(commands: Commands, name: str = "worker", *options: str) -> Any:
    return commands.start(name, "worker.start", "--task-list", "runs", "--heartbeat", "1", *options)


def result_of(swf_client: Any, execution: dict[str, str], *, timeout: float = 60) -> Any:
    closed = wait_for_close(swf_client, DOMAIN, execution, interval=0.05, timeout=timeout)
    assert closed.status == "COMPLETED", closed.attributes
    return closed.attributes.get("result")


def activity_events(swf_client: Any, execution: dict[str, str]) -> list[str]:
    events = swf_client.get_workflow_execution_history(domain=DOMAIN, execution=execution)["events"]
    return [e["eventType"] for e in events if e["eventType"].startswith("ActivityTask")]


def is_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not count)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def markers(directory: Path, prefix: str) -> list[Path]:
    return sorted(directory.glob(f"{prefix}*"))


def test_decider_worker_and_start_commands(swf_client, run_env, commands):
    start_decider(commands)
    start_worker(commands)
    execution = start_workflow(run_env, "OneActivityWorkflow", "--input", "[41]")
    assert result_of(swf_client, execution) == "42"


def test_worker_killed_mid_activity_times_out_and_is_retried(swf_client, run_env, commands, tmp_path):
    start_decider(commands)
    first = start_worker(commands, "worker-1")
    execution = start_workflow(run_env, "BlockingActivityWorkflow", "--input", f'["{tmp_path}", 7]')
    started = wait_for(lambda: markers(tmp_path, "activity-started-1"), what="the first attempt to start")
    activity_pid = int(started[0].read_text())
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    # The activity process dies with its worker (nothing is left running the task)...
    wait_for(lambda: not is_alive(activity_pid), what="the orphaned activity to die")
    # ...so SWF times the task out (start-to-close 4 s) and the retry runs on a new worker.
    start_worker(commands, "worker-2")
    assert result_of(swf_client, execution) == '{"value":7,"attempt":2}'
    assert "ActivityTaskTimedOut" in activity_events(swf_client, execution)


def test_decider_killed_mid_decision_gets_the_task_again(swf_client, run_env, commands, tmp_path):
    first = start_decider(commands, "decider-1")
    start_worker(commands)
    execution = start_workflow(run_env, "BlockingDecisionWorkflow", "--input", f'["{tmp_path}", 1]')
    wait_for(lambda: markers(tmp_path, "decision-started"), what="the first decision to start")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    (tmp_path / "release").touch()
    start_decider(commands, "decider-2")
    # The decision task times out (3 s), is scheduled again, and the new decider completes the run.
    assert result_of(swf_client, execution) == "2"
    events = swf_client.get_workflow_execution_history(domain=DOMAIN, execution=execution)["events"]
    assert "DecisionTaskTimedOut" in [e["eventType"] for e in events]


def test_sigterm_lets_the_running_activity_finish(swf_client, run_env, commands, tmp_path):
    start_decider(commands)
    worker = start_worker(commands)
    execution = start_workflow(run_env, "BlockingActivityWorkflow", "--input", f'["{tmp_path}", 3]')
    wait_for(lambda: markers(tmp_path, "activity-started-1"), what="the activity to start")
    worker.send_signal(signal.SIGTERM)
    # The worker does not quit under the activity's feet...
    with pytest.raises(subprocess.TimeoutExpired):
        worker.wait(timeout=1)
    (tmp_path / "release").touch()
    # ...it reports the result, then exits cleanly, and the workflow completes with the first attempt.
    assert worker.wait(timeout=30) == 0
    assert result_of(swf_client, execution) == '{"value":3,"attempt":1}'
    assert "ActivityTaskTimedOut" not in activity_events(swf_client, execution)
