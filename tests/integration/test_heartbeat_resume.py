"""End to end: ``examples/resumable.py``'s retry resumes from its first attempt's last heartbeat.

Through ``workflow.start --local`` (the worker runs activities in threads) for both interruptions, and
once through ``standalone --local-swf`` (real decider and worker processes; the stalled attempt is a
forkserver child the worker kills when SWF no longer knows its task).
"""

from __future__ import annotations

import json

import pytest

from simpleflow.cli.main import main
from tests.fixtures.standalone_runs import run_standalone

pytestmark = pytest.mark.integration

WORKFLOW = "examples.resumable.ResumableWorkflow"
#: 0² + ... + 11², each item added once; the first attempt stops after half of the items.
RESUMED = {"total": sum(n * n for n in range(12)), "resumed_from": 6, "done_by_attempt": {"1": 6, "2": 6}}


@pytest.mark.parametrize("interruption", ["fail", "stall"], ids=["failed-part-way", "heartbeat-timeout"])
def test_local_run_resumes_where_the_first_attempt_stopped(cli_runner, interruption: str) -> None:
    result = cli_runner.invoke(
        main, ["workflow.start", "--local", WORKFLOW, "--input", json.dumps([12, interruption])]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1]) == RESUMED


@pytest.mark.slow
def test_standalone_run_resumes_after_a_heartbeat_timeout() -> None:
    done = run_standalone(WORKFLOW, "--input", '[12, "stall"]')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == RESUMED
    # The stalled attempt was a child process: its worker killed it once SWF had timed the task out.
    assert "task no longer known to SWF, killing the activity" in done.stderr
