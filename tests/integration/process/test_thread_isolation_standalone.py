"""``standalone --isolation thread``: real decider and worker processes run activities in worker threads."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.standalone_runs import run_standalone

pytestmark = [pytest.mark.integration]


@pytest.mark.parametrize(
    ("isolation", "thread_name_prefix"),
    [("thread", "activity-"), ("process", "MainThread")],
    ids=["thread", "process-default"],
)
def test_standalone_runs_activities_where_isolation_says(isolation: str, thread_name_prefix: str) -> None:
    arguments = ["--isolation", isolation] if isolation != "process" else []
    done = run_standalone(
        *arguments, "tests.fixtures.thread_activities.ThreadNamesWorkflow", "--input", "[3]"
    )
    assert done.returncode == 0, done.stderr
    names = json.loads(done.stdout)
    assert len(names) == 3
    assert all(name.startswith(thread_name_prefix) for name in names), names
