"""Spans collected from a real ``standalone`` run: the starter, the decider and the activity children.

``SIMPLEFLOW_TRACES_FILE`` makes every simpleflow process of the run append its spans to one file; the
test reads them back and checks they form one trace, carried from the starter through the input envelope.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from simpleflow.children import simpleflow_command

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPOSITORY = Path(__file__).resolve().parents[2]


def test_a_standalone_run_is_one_trace_across_its_processes(tmp_path):
    spans_file = tmp_path / "spans.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(SIMPLEFLOW_TRACES_FILE=str(spans_file), PYTHONPATH=str(REPOSITORY))
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
    assert json.loads(done.stdout) == 42

    spans = [json.loads(line) for line in spans_file.read_text().splitlines()]
    names = sorted(span["name"] for span in spans)
    assert names == [
        "activity tests.fixtures.runs.increment",
        "decision_task runs.one-activity",
        "decision_task runs.one-activity",
        "workflow.start runs.one-activity",
    ]
    (start,) = (span for span in spans if span["name"].startswith("workflow.start"))
    others = [span for span in spans if span is not start]
    assert {span["context"]["trace_id"] for span in spans} == {start["context"]["trace_id"]}
    assert {span["parent_id"] for span in others} == {start["context"]["span_id"]}
    # Three processes wrote them: the starter, the decider's poller, the worker's activity child.
    pid_of = {span["name"].split()[0]: span["resource"]["attributes"]["process.pid"] for span in spans}
    assert len(set(pid_of.values())) == 3
    (activity,) = (span for span in spans if span["name"].startswith("activity"))
    assert activity["attributes"]["simpleflow.attempt"] == 1
    assert activity["attributes"]["simpleflow.activity_id"]
    decided = [
        span["attributes"]["simpleflow.decisions"] for span in others if span["name"].startswith("decision")
    ]
    assert sorted(decided) == [1, 1]  # schedule the activity; complete the run
