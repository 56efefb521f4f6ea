"""A versioned workflow deployed under an open run: the old run keeps its branch, a new run takes the new.

``examples.versioned.OrderWorkflow`` quotes without tax in its first release and behind
``patched("tax-included")`` with tax in the next. Each test starts an execution with the first release's
decider, lets it quote and wait for its ``confirm`` signal, stops that decider, deploys the new code (a
decider with an empty run cache: the old run is replayed from its history) and confirms both the old run
and a run started after the deployment.

- in process: the embedded service in memory and the replay executor the ``--local`` runner uses, each
  deployment an ``Executor`` with its own (verified) run cache;
- real processes: ``localswf.start --db`` and ``decider.start`` / ``worker.start`` processes, the release
  chosen by ``SIMPLEFLOW_EXAMPLE_CODE`` at import; then ``standalone --local-swf`` on the same database
  runs the new code once more.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from examples.versioned import OrderWorkflow
from simpleflow import payload
from simpleflow.children import ChildProcesses, simpleflow_command
from simpleflow.execution import read_close, result_or_raise, start_execution
from simpleflow.executor import Executor
from simpleflow.local import run_in_thread, run_workflow
from simpleflow.localswf.clock import VirtualClock
from simpleflow.localswf.embedded import embedded_direct_client, make_local_client
from simpleflow.localswf.service import SWFService
from simpleflow.runtime.cache import RunCache
from simpleflow.runtime.events.patches import PATCH_MARKER_NAME
from simpleflow.swf.actors import ActivityWorker, Decider
from simpleflow.swf.registration import TypeRegistry
from tests.fixtures.localswf_process import ServiceProcess
from tests.fixtures.waiting import wait_for

CWD = str(Path(__file__).resolve().parents[2])
DOMAIN = "versioning"
TASK_LIST = OrderWorkflow.task_list
WORKFLOW = "examples.versioned.OrderWorkflow"
OLD_RESULT, NEW_RESULT = "book ordered at 100", "book ordered at 120"


class FirstRelease(OrderWorkflow):
    """The module as it was before the patch (``SIMPLEFLOW_EXAMPLE_CODE=old``): same workflow type."""

    run = OrderWorkflow.run_first_release


class NewRelease(OrderWorkflow):
    run = OrderWorkflow.run_with_tax


def history_of(client: Any, execution: dict[str, str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = client.get_workflow_execution_history(
        domain=DOMAIN, execution=execution, maximumPageSize=1000
    )["events"]
    return events


def patch_markers(client: Any, execution: dict[str, str]) -> list[str]:
    return [
        payload.decode(event["markerRecordedEventAttributes"]["details"])
        for event in history_of(client, execution)
        if event["eventType"] == "MarkerRecorded"
        and event["markerRecordedEventAttributes"]["markerName"] == PATCH_MARKER_NAME
    ]


def scheduled_activities(client: Any, execution: dict[str, str]) -> list[str]:
    return [
        event["activityTaskScheduledEventAttributes"]["activityType"]["name"].rsplit(".", 1)[-1]
        for event in history_of(client, execution)
        if event["eventType"] == "ActivityTaskScheduled"
    ]


def result_of(client: Any, execution: dict[str, str]) -> Any:
    close = read_close(client, DOMAIN, execution)
    assert close is not None, f"{execution['workflowId']} is still open"
    return result_or_raise(*close)


def assert_each_run_kept_its_branch(client: Any, old: dict[str, str], new: dict[str, str]) -> None:
    assert result_of(client, old) == OLD_RESULT
    assert scheduled_activities(client, old) == ["quote", "confirm_order"]
    assert patch_markers(client, old) == []
    assert result_of(client, new) == NEW_RESULT
    assert scheduled_activities(client, new) == ["quote_with_tax", "confirm_order"]
    assert patch_markers(client, new) == ["tax-included"]


# -- in process -------------------------------------------------------------------------------------------


class Deployment:
    """One release's decider: an executor and the live runs it keeps (checked against fresh replays)."""

    def __init__(self, workflow: type[OrderWorkflow]) -> None:
        self.executor = Executor(workflow)
        self.runs = RunCache(verify=True)

    def decide(self, task: dict[str, Any]) -> list[dict[str, Any]]:
        return self.executor.replay(task, runs=self.runs).decisions

    def stop(self) -> None:
        self.runs.close()


def pending(client: Any, kind: str) -> int:
    count: int = getattr(client, f"count_pending_{kind}_tasks")(domain=DOMAIN, taskList={"name": TASK_LIST})[
        "count"
    ]
    return count


def drive(client: Any, deployment: Deployment) -> None:
    """Decide and work until no task is pending: every open execution waits for a signal or is closed."""
    decider = Decider(client, DOMAIN, task_list=TASK_LIST)
    worker = ActivityWorker(client, DOMAIN, task_list=TASK_LIST)
    types = TypeRegistry(client, DOMAIN)
    for _ in range(100):
        if pending(client, "decision"):
            task = decider.poll()
            assert task is not None
            decisions = deployment.decide(task)
            types.ensure_decision_types(decisions)  # as decider.start does
            decider.complete(task["taskToken"], decisions=decisions)
        elif pending(client, "activity"):
            task = worker.poll()
            assert task is not None
            run_in_thread(worker, task)
        else:
            return
    raise AssertionError("the executions did not settle in 100 tasks")


@pytest.fixture
def memory_client() -> Iterator[Any]:
    service = SWFService(":memory:", clock=VirtualClock(), poll_timeout=0.1)
    try:
        with embedded_direct_client(service) as client:
            client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
            yield client
    finally:
        service.close()


def test_in_process_the_old_run_keeps_the_old_branch_after_the_deployment(memory_client: Any) -> None:
    client = memory_client
    old_release = Deployment(FirstRelease)
    old = start_execution(client, FirstRelease, ["book"], domain=DOMAIN, workflow_id="order-old")
    drive(client, old_release)
    assert scheduled_activities(client, old) == ["quote"]  # quoted; waits for "confirm"
    old_release.stop()

    new_release = Deployment(NewRelease)
    client.signal_workflow_execution(domain=DOMAIN, workflowId="order-old", signalName="confirm")
    new = start_execution(client, NewRelease, ["book"], domain=DOMAIN, workflow_id="order-new")
    drive(client, new_release)
    client.signal_workflow_execution(domain=DOMAIN, workflowId="order-new", signalName="confirm")
    drive(client, new_release)
    new_release.stop()

    assert_each_run_kept_its_branch(client, old, new)


@pytest.mark.parametrize(
    ("workflow", "result"),
    [
        pytest.param(FirstRelease, OLD_RESULT, id="first-release"),
        pytest.param(NewRelease, NEW_RESULT, id="new"),
    ],
)
def test_a_local_run_takes_its_releases_branch(workflow: type[OrderWorkflow], result: str) -> None:
    assert run_workflow(workflow, {"args": ["book"], "kwargs": {"confirm": False}}, nb_workers=1) == result


# -- real processes ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_processes_the_old_run_keeps_the_old_branch_after_the_deployment(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_ENDPOINT_URL")}
    db = str(tmp_path / "swf.db")
    with ServiceProcess(db=db) as service:
        client = make_local_client(service.endpoint_url)
        client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        env.update(AWS_ENDPOINT_URL_SWF=service.endpoint_url, SWF_DOMAIN=DOMAIN, LOG_LEVEL="WARNING")
        # A second of affinity: the old run's next task waits that long on the stopped decider's own list.
        decider = simpleflow_command("decider.start", WORKFLOW, "--affinity-timeout", "1")
        worker, old_release, new_release = ChildProcesses(), ChildProcesses(), ChildProcesses()
        try:
            worker.start(
                "worker", simpleflow_command("worker.start", "--task-list", TASK_LIST), env=env, cwd=CWD
            )
            old_release.start("decider", decider, env={**env, "SIMPLEFLOW_EXAMPLE_CODE": "old"}, cwd=CWD)
            old = start_execution(client, OrderWorkflow, ["book"], domain=DOMAIN, workflow_id="order-old")
            wait_for(lambda: is_waiting_for_confirm(client, old), timeout=60, what="the old run's quote")
            old_release.stop(grace=10)

            new_release.start("decider", decider, env=env, cwd=CWD)
            client.signal_workflow_execution(domain=DOMAIN, workflowId="order-old", signalName="confirm")
            new = start_execution(client, OrderWorkflow, ["book"], domain=DOMAIN, workflow_id="order-new")
            wait_for(lambda: is_waiting_for_confirm(client, new), timeout=60, what="the new run's quote")
            client.signal_workflow_execution(domain=DOMAIN, workflowId="order-new", signalName="confirm")
            for execution in (old, new):
                wait_for(lambda run=execution: read_close(client, DOMAIN, run), timeout=60, what="the close")
            assert_each_run_kept_its_branch(client, old, new)
        finally:
            for group in (old_release, new_release, worker):
                group.stop(grace=5)

    # The service stopped; standalone --local-swf serves the same database for one more run of the new code.
    env.pop("AWS_ENDPOINT_URL_SWF")
    standalone = subprocess.run(
        simpleflow_command(
            "standalone",
            "--local-swf",
            "--db",
            db,
            "--domain",
            DOMAIN,
            "--workflow-id",
            "order-standalone",
            WORKFLOW,
            "--input",
            '{"args": ["lamp"], "kwargs": {"confirm": false}}',
        ),
        env=env,
        cwd=CWD,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (standalone.returncode, standalone.stdout) == (0, '"lamp ordered at 48"\n'), standalone.stderr
    service = SWFService(db)
    try:
        with embedded_direct_client(service) as client:
            closed = client.list_closed_workflow_executions(domain=DOMAIN, startTimeFilter={"oldestDate": 0})
            runs = {info["execution"]["workflowId"]: info["execution"] for info in closed["executionInfos"]}
            assert sorted(runs) == ["order-new", "order-old", "order-standalone"]
            assert_each_run_kept_its_branch(client, runs["order-old"], runs["order-new"])
            assert patch_markers(client, runs["order-standalone"]) == ["tax-included"]
    finally:
        service.close()


def is_waiting_for_confirm(client: Any, execution: dict[str, str]) -> bool:
    """The run's quote completed and was decided on: the run now waits for its signal."""
    types = [event["eventType"] for event in history_of(client, execution)]
    return "ActivityTaskCompleted" in types and types[-1] == "DecisionTaskCompleted"
