"""The Prometheus endpoints of localswf.start, decider.start and worker.start, scraped and parsed.

Each command runs as a user runs it (``--metrics-port``); a workflow runs through them; each endpoint is
read with prometheus-client's own text parser.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from simpleflow.children import ChildProcesses, simpleflow_command
from simpleflow.standalone import wait_for_close
from simpleflow.swf.client import make_client
from tests.fixtures.localswf_process import ServiceProcess
from tests.fixtures.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPOSITORY = Path(__file__).resolve().parents[2]
DOMAIN = "metrics"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scrape(port: int) -> Samples:
    """Every sample the endpoint gives, by name and labels (the text parsed by prometheus-client)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample's value; 0 when it is absent (a labelled counter shows once it counted)."""
    wanted = frozenset(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)


def scrape_when_up(port: int) -> Samples:
    def attempt() -> Samples | None:
        try:
            return scrape(port)
        except OSError:
            return None

    return wait_for(attempt, timeout=30, what=f"a metrics endpoint on port {port}")


@pytest.fixture
def service() -> Iterator[tuple[ServiceProcess, int]]:
    port = free_port()
    with ServiceProcess(extra_args=("--metrics-port", str(port), "--poll-timeout", "2")) as started:
        make_client(endpoint_url=started.endpoint_url).register_domain(
            name=DOMAIN, workflowExecutionRetentionPeriodInDays="1"
        )
        yield started, port


@pytest.fixture
def children() -> Iterator[ChildProcesses]:
    started = ChildProcesses()
    try:
        yield started
    finally:
        started.stop(grace=10)


def start(children: ChildProcesses, name: str, env: dict[str, str], *arguments: str) -> Any:
    with open(os.devnull, "wb") as quiet:
        process = subprocess.Popen(
            simpleflow_command(*arguments), env=env, cwd=REPOSITORY, stderr=quiet, start_new_session=True
        )
    children.children[name] = process
    return process


def test_every_endpoint_reports_what_ran(service, children):
    swf, service_port = service
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(AWS_ENDPOINT_URL_SWF=swf.endpoint_url, SWF_DOMAIN=DOMAIN, PYTHONPATH=str(REPOSITORY))
    decider_port, worker_port = free_port(), free_port()
    workflow = "tests.fixtures.runs.OneActivityWorkflow"
    start(
        children,
        "decider",
        env,
        "decider.start",
        workflow,
        "--task-list",
        "runs",
        "--metrics-port",
        str(decider_port),
    )
    start(children, "worker", env, "worker.start", "--task-list", "runs", "--metrics-port", str(worker_port))
    scrape_when_up(decider_port)
    scrape_when_up(worker_port)

    client = make_client(endpoint_url=swf.endpoint_url)
    executions = []
    for value_in in (1, 2):
        done = subprocess.run(
            simpleflow_command("workflow.start", workflow, "--input", f"[{value_in}]"),
            env=env,
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        workflow_id, run_id = done.stdout.split()
        executions.append({"workflowId": workflow_id, "runId": run_id})
    for execution in executions:
        closed = wait_for_close(client, DOMAIN, execution, interval=0.05, timeout=60)
        assert closed.status == "COMPLETED", closed.attributes
    # One more run, on a task list no decider polls: it stays open, its decision task queued.
    client.start_workflow_execution(
        domain=DOMAIN,
        workflowId="waiting-for-a-decider",
        workflowType={"name": "runs.one-activity", "version": "1"},
        taskList={"name": "nobody-polls-this"},
        executionStartToCloseTimeout="600",
        taskStartToCloseTimeout="60",
        childPolicy="TERMINATE",
        input="[3]",
    )

    worker = wait_for(
        lambda: (
            (samples := scrape(worker_port))
            and value(samples, "simpleflow_activity_tasks_total", state="completed") >= 2
            and samples
        ),
        timeout=30,
        what="the worker's completed tasks",
    )
    increment = "tests.fixtures.runs.increment"
    assert value(worker, "simpleflow_activity_tasks_total", activity_type=increment, state="started") == 2
    assert value(worker, "simpleflow_activity_tasks_total", activity_type=increment, state="failed") == 0
    assert value(worker, "simpleflow_activity_run_seconds_count", activity_type=increment) == 2
    assert value(worker, "simpleflow_poll_wait_seconds_count", kind="activity", result="task") == 2

    decider = scrape(decider_port)
    decided = value(
        decider, "simpleflow_decision_tasks_total", workflow_type="runs.one-activity", state="decided"
    )
    assert decided == 4  # two runs: schedule the activity, then complete
    assert value(decider, "simpleflow_decision_task_seconds_count") == 4
    assert value(decider, "simpleflow_activity_schedule_to_start_seconds_count", activity_type=increment) == 2
    assert value(decider, "simpleflow_poll_wait_seconds_count", kind="decision", result="task") >= 4
    hits = value(decider, "simpleflow_decider_run_cache_lookups_total", result="hit")
    misses = value(decider, "simpleflow_decider_run_cache_lookups_total", result="miss")
    assert (hits, misses) == (2, 2)  # each run's second task is decided from its live run
    assert value(decider, "simpleflow_decider_run_cache_hit_ratio") == pytest.approx(0.5)

    served = scrape(service_port)
    assert (
        value(served, "simpleflow_swf_requests_total", operation="StartWorkflowExecution", status="200") == 3
    )
    assert value(served, "simpleflow_swf_requests_total", operation="RespondActivityTaskCompleted") == 2
    assert value(served, "simpleflow_swf_request_seconds_count", operation="PollForActivityTask") >= 2
    assert value(served, "simpleflow_swf_open_executions", domain=DOMAIN) == 1
    assert (
        value(
            served,
            "simpleflow_swf_pending_tasks",
            domain=DOMAIN,
            task_list="nobody-polls-this",
            kind="decision",
        )
        == 1
    )

    # A poller that dies takes its per-process gauge with it (its counters still count).
    (poller_pid,) = {
        dict(labels)["pid"]
        for (name, labels), _ in decider.items()
        if name == "simpleflow_decider_run_cache_hit_ratio"
    }
    os.kill(int(poller_pid), signal.SIGKILL)
    wait_for(
        lambda: not any(name == "simpleflow_decider_run_cache_hit_ratio" for name, _ in scrape(decider_port)),
        timeout=30,
        what="the dead poller's gauge to leave the endpoint",
    )
    after = scrape(decider_port)
    assert (
        value(after, "simpleflow_decision_tasks_total", workflow_type="runs.one-activity", state="decided")
        == 4
    )
