"""``--endpoint-url`` on every command that talks to SWF, with no ``AWS_ENDPOINT_URL_SWF`` in the
environment: the long-running processes and ``standalone`` reach the service it names."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from simpleflow.progress import ExecutionFollower, follow

pytestmark = pytest.mark.integration

SIMPLEFLOW = [sys.executable, "-m", "simpleflow"]


def environment() -> dict[str, str]:
    """The user's shell: no endpoint variable, no domain variable."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("AWS_ENDPOINT_URL_SWF", "SWF_DOMAIN")
    }
    env["LOG_LEVEL"] = "WARNING"
    return env


@contextmanager
def running(*args: str) -> Iterator[subprocess.Popen[bytes]]:
    """``simpleflow ARGS`` as a process, stopped (SIGTERM, then waited for) at the end."""
    process = subprocess.Popen([*SIMPLEFLOW, *args], env=environment())
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_decider_worker_and_start_reach_the_endpoint_given(service, driver, fresh_id):
    url = service.endpoint_url
    decisions, activities = f"{fresh_id}-decisions", f"{fresh_id}-activities"
    common = ["--endpoint-url", url, "--domain", driver.domain]
    decider = ["decider.start", "examples.basic.BasicWorkflow", *common, "--task-list", decisions]
    worker = ["worker.start", *common, "--task-list", activities]
    with running(*decider, "--activity-task-list", activities), running(*worker):
        start = ["--input", "[1, 0]", "--task-list", decisions, "--workflow-id", fresh_id]
        started = subprocess.run(
            [*SIMPLEFLOW, "workflow.start", "examples.basic.BasicWorkflow", *common, *start],
            env=environment(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert started.returncode == 0, started.stderr
        workflow_id, run_id = started.stdout.split()
        follower = ExecutionFollower(
            service.client, driver.domain, {"workflowId": workflow_id, "runId": run_id}
        )
        status, attributes = follow(follower, on_progress=lambda progress: None, timeout=60, interval=0.1)
    assert (status, json.loads(attributes["result"])) == ("COMPLETED", 4)


def test_standalone_reaches_the_endpoint_given(service, driver):
    options = ["--input", "[1, 0]", "--domain", driver.domain, "--endpoint-url", service.endpoint_url]
    done = subprocess.run(
        [*SIMPLEFLOW, "standalone", "examples.basic.BasicWorkflow", *options],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "4\n"
    assert "progress: 0 scheduled, 0 running, 3 done, 0 failed; " in done.stderr


def test_standalone_refuses_an_endpoint_with_its_own_service(cli_runner):
    from simpleflow.cli.main import main

    result = cli_runner.invoke(
        main,
        ["standalone", "examples.basic.BasicWorkflow", "--local-swf", "--endpoint-url", "http://127.0.0.1:9"],
    )
    assert result.exit_code == 2
    assert result.stderr == "error: give --endpoint-url or --local-swf, not both\n"


def test_local_refuses_an_endpoint(cli_runner):
    from simpleflow.cli.main import main

    result = cli_runner.invoke(
        main,
        [
            "workflow.start",
            "--local",
            "examples.basic.BasicWorkflow",
            "--input",
            "[1, 0]",
            "--endpoint-url",
            "http://x:1",
        ],
    )
    assert result.exit_code == 2
    assert result.stderr == "error: --endpoint-url does not apply with --local (it runs its own service)\n"
