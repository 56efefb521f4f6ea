"""``standalone --isolation thread``: real decider and worker processes run activities in worker threads."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from simpleflow.children import simpleflow_command

pytestmark = [pytest.mark.integration]

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.mark.parametrize(
    ("isolation", "thread_name_prefix"),
    [("thread", "activity-"), ("process", "MainThread")],
    ids=["thread", "process-default"],
)
def test_standalone_runs_activities_where_isolation_says(isolation: str, thread_name_prefix: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env["LOG_LEVEL"] = "WARNING"
    arguments = ["--isolation", isolation] if isolation != "process" else []
    done = subprocess.run(
        simpleflow_command(
            "standalone",
            "--local-swf",
            *arguments,
            "tests.fixtures.thread_activities.ThreadNamesWorkflow",
            "--input",
            "[3]",
        ),
        env=env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    names = json.loads(done.stdout)
    assert len(names) == 3
    assert all(name.startswith(thread_name_prefix) for name in names), names
