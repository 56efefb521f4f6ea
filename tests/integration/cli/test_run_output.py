"""What a run prints, where: under ``--local`` the result is alone on stdout (the workflow's and the
activities' prints go to stderr, child processes included); ``standalone`` shows its progress on stderr."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

SIMPLEFLOW = [sys.executable, "-m", "simpleflow"]


@pytest.mark.parametrize("mode", [[], ["--processes"]], ids=["threads", "processes"])
def test_local_result_is_alone_on_stdout(mode, tmp_path):
    result_file = tmp_path / "result.json"
    with result_file.open("w") as stdout:
        done = subprocess.run(
            [
                *SIMPLEFLOW,
                "workflow.start",
                "--local",
                *mode,
                "examples.basic.BasicWorkflow",
                "--input",
                "[1, 0]",
            ],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert result_file.read_text() == "4\n"
    assert "(1 + 1) * 2 = 4" in done.stderr


def test_standalone_shows_the_timer_it_waits_on(tmp_path):
    done = subprocess.run(
        [
            *SIMPLEFLOW,
            "standalone",
            "--local-swf",
            # The progress line of a timer waited on: on a skipping clock it fires before a look sees it.
            "--real-time",
            "examples.timers.ReminderWorkflow",
            "--input",
            '["tea", 2]',
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == '"reminder: tea"\n'
    progress = [line for line in done.stderr.splitlines() if line.startswith("progress: ")]
    waiting = [line for line in progress if "waiting on timer snooze (fires " in line]
    assert waiting, done.stderr
    assert re.search(
        r"; \d+\.\d s elapsed; waiting on timer snooze \(fires \d\d:\d\d:\d\d UTC, in [0-2] s\)$", waiting[0]
    )
    assert progress[-1].startswith("progress: 0 scheduled, 0 running, 1 done, 0 failed; ")
