"""A schedule end to end: the scheduler workflow firing three times in virtual time, in process and with
the real processes of ``standalone --local-swf``."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from simpleflow.cli.main import main
from tests.fixtures.standalone_runs import run_standalone

pytestmark = pytest.mark.integration

HOURLY_THREE_TIMES = json.dumps(
    [
        {
            "workflow": "tests.unit.schedules.scheduled.Nightly",
            "cadence": {"cron": "0 * * * *"},
            "input": [3],
            "limit": 3,
        }
    ]
)


def check_three_hourly_runs(summary: dict[str, Any], *, prefix: str) -> None:
    """Three runs, an hour apart on the hour, named after the schedule and their fire times, completed."""
    assert summary["started"] == 3
    assert summary["skipped"] == summary["missed"] == 0
    runs = summary["recent"]
    assert all(run.startswith(prefix) for run in runs)
    fire_times = [datetime.strptime(run.rsplit("-", 1)[1], "%Y%m%dT%H%M%SZ") for run in runs]
    assert [b - a for a, b in itertools.pairwise(fire_times)] == [timedelta(hours=1)] * 2
    assert all(fire.minute == fire.second == 0 for fire in fire_times)
    assert summary["closed"] == {run: "completed" for run in runs}


def test_a_schedule_fires_three_times_in_virtual_time_locally(cli_runner):
    result = cli_runner.invoke(
        main,
        [
            "workflow.start",
            "--local",
            "simpleflow.schedules.ScheduleWorkflow",
            "--input",
            HOURLY_THREE_TIMES,
        ],
    )
    assert result.exit_code == 0, result.output
    # --local names the execution itself: the runs take that name.
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    check_three_hourly_runs(summary, prefix="simpleflow.schedules.ScheduleWorkflow-")


@pytest.mark.slow
def test_a_schedule_fires_three_times_with_standalone_processes():
    done = run_standalone(
        "simpleflow.schedules.ScheduleWorkflow", "--workflow-id", "hourly", "--input", HOURLY_THREE_TIMES
    )
    assert done.returncode == 0, done.stderr
    check_three_hourly_runs(json.loads(done.stdout.strip().splitlines()[-1]), prefix="hourly-")
