"""The ``aws`` CLI, a client we did not write, drives a whole workflow against the HTTP endpoint.

Every step is an ``aws swf ... --endpoint-url`` subprocess with dummy credentials and no configuration
file, as a user would type it: register, start, poll and respond as decider and worker, read the history
page by page, signal, request a cancel, terminate. The CLI signs its requests (SigV4) and parses the
answers with its own copy of botocore. Deselect with ``-m "not aws_cli"``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.service import SWFService

pytest.importorskip("awscli", reason="the aws CLI (package awscli) is in the [test] extra")

# Each call starts a Python process that loads the CLI: about a second, several on a loaded machine.
pytestmark = [pytest.mark.integration, pytest.mark.aws_cli, pytest.mark.slow]

DOMAIN = "cli-domain"
REGION = "eu-central-1"
WORKFLOW = {"name": "cli-workflow", "version": "1"}
ACTIVITY = {"name": "cli-activity", "version": "1"}
CLI_TIMEOUT = 60


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A service over HTTP on 127.0.0.1, with 1-second idle polls."""
    service = SWFService(poll_timeout=1.0)
    with LocalSWFServer(service) as server:
        yield server.endpoint_url
    service.close()


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Dummy credentials, the region, and no configuration file or endpoint leaking in from the caller."""
    home = tmp_path_factory.mktemp("aws-home")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PAGER": "",
    }


class AWSCLI:
    """Runs ``aws swf <command> ...`` against one endpoint and returns the parsed JSON it prints."""

    def __init__(self, endpoint_url: str, env: dict[str, str], cwd: Path) -> None:
        self.endpoint_url = endpoint_url
        self.env = env
        self.cwd = cwd

    def run(self, command: str, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "awscli", "swf", command, *args]
        argv += ["--endpoint-url", self.endpoint_url, "--output", "json"]
        return subprocess.run(
            argv, env=self.env, cwd=self.cwd, capture_output=True, text=True, timeout=CLI_TIMEOUT, check=False
        )

    def __call__(self, command: str, *args: str) -> Any:
        finished = self.run(command, *args)
        assert finished.returncode == 0, f"aws swf {command} failed: {finished.stderr}"
        return json.loads(finished.stdout) if finished.stdout.strip() else None


@pytest.fixture(scope="module")
def aws(endpoint: str, cli_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> AWSCLI:
    return AWSCLI(endpoint, cli_env, tmp_path_factory.mktemp("aws-cwd"))


def as_json(value: Any) -> str:
    return json.dumps(value)


def event_types(events: list[dict[str, Any]]) -> list[str]:
    return [event["eventType"] for event in events]


def test_a_whole_workflow_through_the_aws_cli(aws: AWSCLI) -> None:
    aws("register-domain", "--name", DOMAIN, "--workflow-execution-retention-period-in-days", "1")
    aws(
        "register-workflow-type",
        "--domain", DOMAIN,
        "--name", WORKFLOW["name"],
        "--workflow-version", WORKFLOW["version"],
        "--default-task-list", as_json({"name": "cli-decisions"}),
        "--default-task-start-to-close-timeout", "60",
        "--default-execution-start-to-close-timeout", "600",
        "--default-child-policy", "TERMINATE",
    )  # fmt: skip
    aws(
        "register-activity-type",
        "--domain", DOMAIN,
        "--name", ACTIVITY["name"],
        "--activity-version", ACTIVITY["version"],
        "--default-task-list", as_json({"name": "cli-activities"}),
        "--default-task-schedule-to-start-timeout", "60",
        "--default-task-schedule-to-close-timeout", "120",
        "--default-task-start-to-close-timeout", "60",
        "--default-task-heartbeat-timeout", "NONE",
    )  # fmt: skip
    domain = aws("describe-domain", "--name", DOMAIN)
    # The CLI signs for REGION: the ARN says so.
    assert domain["domainInfo"]["arn"] == f"arn:aws:swf:{REGION}:000000000000:/domain/{DOMAIN}"

    run_id = aws(
        "start-workflow-execution",
        "--domain", DOMAIN,
        "--workflow-id", "cli-1",
        "--workflow-type", as_json(WORKFLOW),
        "--input", "7",
    )["runId"]  # fmt: skip
    execution = {"workflowId": "cli-1", "runId": run_id}

    # The decider: one decision task, answered with an activity to run.
    task = aws(
        "poll-for-decision-task", "--domain", DOMAIN, "--task-list", as_json({"name": "cli-decisions"})
    )
    assert task["workflowExecution"] == execution
    assert event_types(task["events"]) == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    schedule = {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityId": "double",
            "activityType": ACTIVITY,
            "input": "7",
        },
    }
    aws(
        "respond-decision-task-completed",
        "--task-token",
        task["taskToken"],
        "--decisions",
        as_json([schedule]),
    )

    # The worker: the activity task, completed with its result.
    activity = aws(
        "poll-for-activity-task", "--domain", DOMAIN, "--task-list", as_json({"name": "cli-activities"})
    )
    assert (activity["activityId"], activity["input"]) == ("double", "7")
    aws("respond-activity-task-completed", "--task-token", activity["taskToken"], "--result", "14")

    # An idle poll prints SWF's empty task: no token.
    idle = aws(
        "poll-for-activity-task", "--domain", DOMAIN, "--task-list", as_json({"name": "cli-activities"})
    )
    assert idle == {"startedEventId": 0}

    # From outside: a signal, a cancel request, then the end.
    aws(
        "signal-workflow-execution",
        "--domain", DOMAIN,
        "--workflow-id", "cli-1",
        "--run-id", run_id,
        "--signal-name", "nudge",
        "--input", "please",
    )  # fmt: skip
    aws("request-cancel-workflow-execution", "--domain", DOMAIN, "--workflow-id", "cli-1", "--run-id", run_id)
    aws(
        "terminate-workflow-execution",
        "--domain", DOMAIN,
        "--workflow-id", "cli-1",
        "--run-id", run_id,
        "--reason", "done with it",
    )  # fmt: skip

    # The history in pages of 5 (SWF's nextPageToken, followed by the CLI), cut by the CLI at 8 events,
    # then the rest from the CLI's NextToken (which wraps SWF's token).
    history = ["--domain", DOMAIN, "--execution", as_json(execution), "--page-size", "5"]
    first = aws("get-workflow-execution-history", *history, "--max-items", "8")
    assert len(first["events"]) == 8 and first["NextToken"]
    rest = aws("get-workflow-execution-history", *history, "--starting-token", first["NextToken"])
    assert "NextToken" not in rest
    events = first["events"] + rest["events"]
    assert [event["eventId"] for event in events] == list(range(1, len(events) + 1))
    assert event_types(events) == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "ActivityTaskScheduled",
        "ActivityTaskStarted",
        "ActivityTaskCompleted",
        "DecisionTaskScheduled",
        "WorkflowExecutionSignaled",
        "WorkflowExecutionCancelRequested",
        "WorkflowExecutionTerminated",
    ]
    terminated = events[-1]["workflowExecutionTerminatedEventAttributes"]
    assert (terminated["reason"], terminated["cause"]) == ("done with it", "OPERATOR_INITIATED")


def test_the_aws_cli_shows_swfs_fault_for_an_unknown_domain(aws: AWSCLI) -> None:
    finished = aws.run("describe-domain", "--name", "ghost")
    assert finished.returncode != 0
    assert "UnknownResourceFault" in finished.stderr
    assert "Unknown domain: ghost" in finished.stderr
