"""Logs of real processes: decider.start and worker.start, their spawned pollers and activity children.

Each command runs as a user runs it, its stderr in a file; the lines are checked as the spawned
processes wrote them (their pid differs from the command's).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simpleflow.children import ChildProcesses, simpleflow_command
from simpleflow.localswf.embedded import embedded_server
from simpleflow.localswf.service import SWFService
from simpleflow.standalone import wait_for_close
from simpleflow.swf.client import make_client

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPOSITORY = Path(__file__).resolve().parents[2]
DOMAIN = "logging"
TEXT_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) \[(?P<pid>\d+)\] (?P<name>[\w.]+): "
)
TOKEN = "FwoGZXIvYXdzEJrSESSIONTOKENVALUE0123456789+/=="


def crash_on_start(argument: object) -> None:
    """A poller target that fails at once (run by test_a_spawned_pollers_crash_is_logged...)."""
    raise RuntimeError(f"poller cannot start: {argument}")


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    service = SWFService(str(tmp_path / "swf.db"), poll_timeout=2.0)
    try:
        with embedded_server(service) as server:
            make_client(endpoint_url=server.endpoint_url).register_domain(
                name=DOMAIN, workflowExecutionRetentionPeriodInDays="1"
            )
            yield server.endpoint_url
    finally:
        service.close()


@pytest.fixture
def environment(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "SIMPLEFLOW_LOG"))}
    env.update(AWS_ENDPOINT_URL_SWF=endpoint, SWF_DOMAIN=DOMAIN, LOG_LEVEL="INFO", PYTHONPATH=str(REPOSITORY))
    return env


@pytest.fixture
def children() -> Iterator[ChildProcesses]:
    started = ChildProcesses()
    try:
        yield started
    finally:
        started.stop(grace=5)


def start(children: ChildProcesses, name: str, log: Path, env: dict[str, str], *arguments: str) -> Any:
    """Start ``simpleflow ARGUMENTS`` with its stderr in ``log``; stopped with ``children``."""
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            simpleflow_command(*arguments), env=env, cwd=REPOSITORY, stderr=stderr, start_new_session=True
        )
    children.children[name] = process
    return process


def run_one_activity_workflow(env: dict[str, str], endpoint: str) -> dict[str, str]:
    done = subprocess.run(
        simpleflow_command("workflow.start", "tests.fixtures.runs.OneActivityWorkflow", "--input", "[41]"),
        env=env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    workflow_id, run_id = done.stdout.split()
    execution = {"workflowId": workflow_id, "runId": run_id}
    closed = wait_for_close(make_client(endpoint_url=endpoint), DOMAIN, execution, interval=0.05, timeout=60)
    assert closed.status == "COMPLETED", closed.attributes
    return execution


def test_pollers_and_activity_children_log_with_the_parents_level_and_format(
    tmp_path, endpoint, environment, children
):
    decider_log, worker_log = tmp_path / "decider.log", tmp_path / "worker.log"
    decider = start(
        children,
        "decider",
        decider_log,
        environment,
        "decider.start",
        "tests.fixtures.runs.OneActivityWorkflow",
        "--task-list",
        "runs",
        "--log-format",
        "json",
    )
    worker = start(children, "worker", worker_log, environment, "worker.start", "--task-list", "runs")
    execution = run_one_activity_workflow(environment, endpoint)
    children.stop(grace=10)

    # The decider: every line is one JSON object, its decision tasks logged by the spawned poller.
    lines = [json.loads(line) for line in decider_log.read_text().splitlines() if line.strip()]
    decisions = [line for line in lines if line.get("event") == "decision_task"]
    assert decisions, lines
    assert {line["pid"] for line in decisions} - {decider.pid}, "logged by the spawned poller"
    first = decisions[0]
    assert (first["workflow_id"], first["run_id"], first["level"]) == (
        execution["workflowId"],
        execution["runId"],
        "INFO",
    )
    assert first["new_events"] >= 3 and first["decisions"] == 1

    # The worker: text lines with time, level and pid; the activity's own from its child process.
    text = worker_log.read_text().splitlines()
    activity_lines = [line for line in text if " simpleflow.activity: " in line]
    assert len(activity_lines) == 2, text
    for line in activity_lines:
        match = TEXT_LINE.match(line)
        assert match and match["level"] == "INFO", line
        assert int(match["pid"]) != worker.pid
        assert execution["workflowId"] in line and execution["runId"] in line and "attempt 1" in line
    assert activity_lines[0].endswith("started")
    assert re.search(r"completed in \d+\.\d ms$", activity_lines[1])


def test_a_spawned_pollers_crash_is_logged_with_time_level_pid_and_traceback(tmp_path):
    """multiprocessing alone prints a bare traceback; the poller's own logging gives it a line."""
    script = (
        "import multiprocessing\n"
        "from simpleflow.process.supervisor import _poller_main\n"
        "from tests.integration.test_logging import crash_on_start\n"
        "if __name__ == '__main__':\n"
        "    spawn = multiprocessing.get_context('spawn')\n"
        "    p = spawn.Process(target=_poller_main, args=(crash_on_start, 'x'))\n"
        "    p.start(); p.join(); print(p.pid, p.exitcode)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIMPLEFLOW_LOG")}
    env.update(SIMPLEFLOW_LOG_FORMAT="json", LOG_LEVEL="INFO", PYTHONPATH=str(REPOSITORY))
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=REPOSITORY, capture_output=True, text=True, timeout=60
    )
    pid, exitcode = (int(word) for word in done.stdout.split())
    assert exitcode == 1
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert len(lines) == 1, done.stderr
    crash = lines[0]
    assert (crash["level"], crash["pid"]) == ("CRITICAL", pid)
    assert crash["time"]
    assert "RuntimeError: poller cannot start: x" in crash["traceback"]


def test_a_session_token_never_reaches_a_debug_log(endpoint, environment):
    secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"
    env = {**environment, "LOG_LEVEL": "DEBUG", "AWS_SESSION_TOKEN": TOKEN, "AWS_SECRET_ACCESS_KEY": secret}
    done = subprocess.run(
        simpleflow_command("domain.list"), env=env, cwd=REPOSITORY, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "X-Amz-Security-Token" in done.stderr  # botocore's dump is there, and masked
    assert "<redacted>" in done.stderr
    assert TOKEN not in done.stderr and TOKEN not in done.stdout
    assert secret not in done.stderr
