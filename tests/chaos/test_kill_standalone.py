"""However ``standalone`` ends, nothing of its run is left behind, and its exit code says how it ended.

A real ``standalone --local-swf`` runs activities that take 30 s; the test reads its whole process tree
from /proc, stops it with SIGKILL, SIGTERM or SIGINT (Ctrl-C), and asserts that every descendant is
gone within a deadline, and that a signal it handles gives 128 + the signal's number.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from simpleflow.children import simpleflow_command
from simpleflow.process.tree import descendants
from simpleflow.swf.client import make_client
from tests.fixtures.chaos_cluster import wait_gone
from tests.fixtures.localswf_process import PROJECT_ROOT, ServiceProcess
from tests.fixtures.waiting import wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.integration]


def start_standalone(log: Path, stderr: Path, db: Path) -> subprocess.Popen[bytes]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_ENDPOINT_URL")}
    env.update(LOG_LEVEL="WARNING", PYTHONPATH=str(PROJECT_ROOT))
    argv = ["standalone", "--local-swf", "--db", str(db), "tests.fixtures.chaos_workflows.ChaosChain"]
    argv += ["--nb-workers", "2"]
    argv += ["--input", f'["{log}", "slow", 1, 2, 30]']
    with stderr.open("wb") as errors:
        return subprocess.Popen(
            simpleflow_command(*argv),
            env=env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,  # a signal to the test's group must not reach it
        )


@pytest.mark.parametrize(
    ("sig", "exit_code"),
    [(signal.SIGKILL, -signal.SIGKILL), (signal.SIGTERM, 143), (signal.SIGINT, 130)],
    ids=["sigkill", "sigterm", "sigint"],
)
def test_standalone_leaves_no_process_behind(tmp_path: Path, sig: int, exit_code: int) -> None:
    log = tmp_path / "runs.log"
    stderr = tmp_path / "stderr.log"
    db = tmp_path / "swf.db"
    standalone = start_standalone(log, stderr, db)
    try:
        # Both activities running: the tree holds the decider, the worker, their pollers and activities.
        wait_for(lambda: log.exists() and log.read_text().count("start ") == 2, timeout=30, what="activities")
        tree = descendants(standalone.pid)
        commands = [
            Path(f"/proc/{pid}/cmdline").read_bytes() for pid in tree if Path(f"/proc/{pid}").exists()
        ]
        assert any(b"decider.start" in command for command in commands), commands
        assert any(b"worker.start" in command for command in commands), commands
        assert len(tree) >= 6, tree
        os.kill(standalone.pid, sig)
        assert standalone.wait(15) == exit_code, stderr.read_text()
        assert wait_gone(tree, timeout=10) == [], f"left behind after {signal.Signals(sig).name}"
    finally:
        if standalone.poll() is None:
            standalone.kill()
            standalone.wait(10)
    if sig == signal.SIGKILL:
        return
    last_line = stderr.read_text().splitlines()[-1]
    name = signal.Signals(sig).name
    assert (
        last_line == f"stopped by {name}: the execution was terminated, the decider and workers were stopped"
    )
    assert "Traceback" not in stderr.read_text()
    # Nothing would ever decide it again: it was closed, with the reason.
    service = ServiceProcess(db=str(db)).start()
    try:
        client = make_client(endpoint_url=service.endpoint_url, max_attempts=1)
        closed = client.list_closed_workflow_executions(
            domain="standalone", startTimeFilter={"oldestDate": 0}, closeStatusFilter={"status": "TERMINATED"}
        )["executionInfos"]
        assert len(closed) == 1, closed
        history = client.get_workflow_execution_history(domain="standalone", execution=closed[0]["execution"])
        terminated = history["events"][-1]["workflowExecutionTerminatedEventAttributes"]
        assert terminated["reason"] == f"standalone stopped by {name}"
    finally:
        service.stop()
