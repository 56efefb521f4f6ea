"""A nondeterministic workflow ends ``standalone --local-swf`` with ``--local``'s one line and exit 1."""

from __future__ import annotations

import os
import subprocess

import pytest

from simpleflow.children import simpleflow_command
from tests.integration.run.conftest import REPOSITORY

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WORKFLOW = "tests.fixtures.chaos_workflows.Nondeterministic"


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_ENDPOINT_URL")}
    # The decider checks each live decision against a fresh replay: this workflow's fresh replay differs.
    env.update(LOG_LEVEL="WARNING", SIMPLEFLOW_VERIFY_LIVE_RUNS="1")
    return subprocess.run(
        simpleflow_command(*arguments), env=env, cwd=REPOSITORY, capture_output=True, text=True, timeout=60
    )


def test_nondeterminism_fails_the_run_with_the_local_runs_line() -> None:
    local = run("workflow.start", "--local", WORKFLOW)
    standalone = run("standalone", "--local-swf", WORKFLOW)
    assert local.returncode == standalone.returncode == 1, standalone.stderr
    local_line = local.stderr.strip().splitlines()[-1]
    assert local_line.startswith("error: nondeterministic replay of activity-"), local.stderr
    assert standalone.stderr.strip().splitlines()[-1] == local_line
    assert "Traceback" not in standalone.stderr
    assert standalone.stdout == ""
