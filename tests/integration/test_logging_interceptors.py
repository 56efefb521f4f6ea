"""Interceptors named in ``SIMPLEFLOW_INTERCEPTORS`` run in a standalone run's decider and activity child."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from simpleflow.children import simpleflow_command

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPOSITORY = Path(__file__).resolve().parents[2]
MARKS_ENV = "TESTS_INTERCEPTOR_MARKS"


class TenfoldInterceptor:
    """Multiplies every activity result by ten and leaves a mark per call, named by kind and pid."""

    def _mark(self, kind: str) -> None:
        directory = Path(os.environ[MARKS_ENV])
        (directory / f"{kind}-{os.getpid()}").touch()

    def intercept_activity(self, call: Any, proceed: Any) -> Any:
        self._mark(f"activity-{call.context.attempt}")
        return proceed() * 10

    def intercept_decision(self, call: Any, proceed: Any) -> Any:
        self._mark("decision")
        return proceed()


def test_environment_interceptors_run_in_the_decider_and_the_activity_child(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(
        SIMPLEFLOW_INTERCEPTORS=f"{__name__}.TenfoldInterceptor",
        PYTHONPATH=str(REPOSITORY),
        **{MARKS_ENV: str(tmp_path)},
    )
    done = subprocess.run(
        simpleflow_command(
            "standalone", "--local-swf", "tests.fixtures.runs.OneActivityWorkflow", "--input", "[41]"
        ),
        env=env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == 420  # increment(41), through the interceptor
    marks = sorted(path.name.rsplit("-", 1)[0] for path in tmp_path.iterdir())
    assert marks == ["activity-1", "decision"]  # one file per kind and pid: one decider, one child
    pids = {path.name.rsplit("-", 1)[1] for path in tmp_path.iterdir()}
    assert len(pids) == 2 and str(os.getpid()) not in pids
