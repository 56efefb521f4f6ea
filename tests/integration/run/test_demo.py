"""``extras/demo``: the embedded service, a decider and a worker as background processes, then a tour."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.run.conftest import REPOSITORY

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_demo_runs_the_basic_example_and_cleans_up():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env["SIMPLEFLOW"] = str(Path(sys.executable).parent / "simpleflow")
    done = subprocess.run(
        [str(REPOSITORY / "extras" / "demo"), "1", "0"],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "(1 + 1) * 2 = 4" in done.stdout + done.stderr
    info = done.stdout.split("$ simpleflow workflow.info", 1)[1].split("$ simpleflow workflow.tasks", 1)[0]
    assert "COMPLETED" in info
    assert "activity-examples.basic.double-1" in done.stdout
