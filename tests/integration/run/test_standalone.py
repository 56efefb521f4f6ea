"""``simpleflow standalone --local-swf`` as a user runs it: real processes, result, exit status, cleanup."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from tests.fixtures import standalone_runs
from tests.fixtures.standalone_runs import user_environment

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def run_standalone(
    *arguments: str, marker: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    # Every process of the run inherits the marker, so the test can find any one left behind.
    env = user_environment(SIMPLEFLOW_TEST_MARKER=marker)
    return standalone_runs.run_standalone(*arguments, env=env, timeout=timeout)


def processes_with(marker: str) -> list[int]:
    """Pids of the live processes whose environment holds ``SIMPLEFLOW_TEST_MARKER=marker``."""
    needle = f"SIMPLEFLOW_TEST_MARKER={marker}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as environ:
                    if needle in environ.read().split(b"\0"):
                        found.append(int(entry))
            except OSError:
                continue
    return found


def test_basic_example_end_to_end():
    marker = uuid.uuid4().hex
    done = run_standalone("examples.basic.BasicWorkflow", "--input", "[1, 0]", marker=marker)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4"
    assert "progress: 0 scheduled, 0 running, 3 done, 0 failed" in done.stderr
    assert processes_with(marker) == [], "processes of the run are left behind"


def test_child_workflows_stay_on_the_run_task_list():
    done = run_standalone("examples.child.ParentWorkflow", "--input", "[[1, 2]]", "--nb-workers", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[4, 8]"


def test_failing_workflow_exits_with_the_failure():
    done = run_standalone("examples.failing.FailingWorkflow", "--input", "[-1]")
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert "ValueError: cannot take the square root of -1" in done.stderr


def test_repair_reuses_the_completed_tasks(tmp_path):
    db = str(tmp_path / "swf.db")
    workflow = "tests.fixtures.runs.RepairableWorkflow"
    failed = run_standalone(workflow, "--db", db, "--input", f'["{tmp_path}", 4]')
    assert failed.returncode == 1, failed.stderr
    closing = [line for line in failed.stderr.splitlines() if line.endswith(": failed")]
    workflow_id = closing[0].split()[0]
    assert len(list(tmp_path.glob("ran-*"))) == 1

    (tmp_path / "fixed").touch()
    repaired = run_standalone(workflow, "--db", db, "--repair", workflow_id)
    assert repaired.returncode == 0, repaired.stderr
    assert repaired.stdout.strip() == "40"
    # The first step's result was reused from the failed run, not computed again.
    assert len(list(tmp_path.glob("ran-*"))) == 1
