"""Real deciders and workers (activities in child processes) against the embedded SWF service."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from simpleflow import decisions, payload
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from simpleflow.process.decider import DeciderPoller
from simpleflow.process.shutdown import Shutdown
from simpleflow.process.worker import ActivityPoller, TaskResult
from simpleflow.swf.actors import ActivityWorker, Decider
from simpleflow.swf.models import ExecutionStatus, WorkflowExecution
from simpleflow.swf.querysets import WorkflowExecutionQuerySet, WorkflowTypeQuerySet
from simpleflow.swf.registration import TypeRegistry, ensure_domain, workflow_type_for
from tests.fixtures.process_workflows import AddThenDouble, Crashing, RetriedOnce
from tests.fixtures.waiting import wait_for

DOMAIN = "process-e2e"


@pytest.fixture
def client() -> Iterator[Any]:
    service = SWFService(poll_timeout=0.5)
    with embedded_client(service) as swf_client:
        yield swf_client
    service.close()


@pytest.fixture
def pollers(client: Any) -> Iterator[None]:
    """A decider and an activity worker polling in threads until the test ends."""
    ensure_domain(client, DOMAIN, register_if_missing=True)
    shutdown = Shutdown()
    decider = DeciderPoller(
        Decider(client, DOMAIN, task_list="process-decisions"),
        workflows=[AddThenDouble, Crashing, RetriedOnce],
        activity_task_list="process-work",
        shutdown=shutdown,
    )
    worker = ActivityPoller(ActivityWorker(client, DOMAIN, task_list="process-work"), shutdown=shutdown)
    threads = [threading.Thread(target=poller.run, daemon=True) for poller in (decider, worker)]
    for thread in threads:
        thread.start()
    yield
    shutdown.request()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()


def start(client: Any, workflow_cls: type, workflow_id: str, *args: Any) -> WorkflowExecution:
    TypeRegistry(client, DOMAIN).ensure_workflow_type(workflow_type_for(client, DOMAIN, workflow_cls))
    return WorkflowExecution(
        DOMAIN,
        workflow_id,
        workflow_type_name=workflow_cls.name,  # type: ignore[attr-defined]
        workflow_type_version="1",
        execution_input=payload.encode_input(args, {}),
        client=client,
    ).save()


def closed(client: Any, execution: WorkflowExecution) -> WorkflowExecution:
    queryset = WorkflowExecutionQuerySet(client, DOMAIN)
    return wait_for(
        lambda: (
            (found := queryset.get(execution.workflow_id, execution.run_id)).status is ExecutionStatus.CLOSED
            and found
        ),
        timeout=30,
        what=f"{execution.workflow_id} to close",
    )


@pytest.mark.usefixtures("pollers")
def test_a_workflow_completes_through_decider_and_worker(client: Any) -> None:
    execution = start(client, AddThenDouble, "add-then-double", 1)
    assert closed(client, execution).close_status == "COMPLETED"
    completed = execution.history()[-1]
    assert completed["eventType"] == "WorkflowExecutionCompleted"
    assert completed["workflowExecutionCompletedEventAttributes"]["result"] == "4"
    scheduled = [e for e in execution.history() if e["eventType"] == "ActivityTaskScheduled"]
    assert {e["activityTaskScheduledEventAttributes"]["taskList"]["name"] for e in scheduled} == {
        "process-work"
    }


@pytest.mark.usefixtures("pollers")
def test_a_crashed_activity_fails_the_workflow_with_its_reason(client: Any) -> None:
    execution = start(client, Crashing, "crashing")
    assert closed(client, execution).close_status == "FAILED"
    failed = [e for e in execution.history() if e["eventType"] == "ActivityTaskFailed"]
    assert (
        failed[0]["activityTaskFailedEventAttributes"]["reason"]
        == "activity process was killed by signal SIGKILL"
    )


@pytest.mark.usefixtures("pollers")
def test_a_retried_activity_knows_its_attempt(client: Any) -> None:
    execution = start(client, RetriedOnce, "retried-once")
    assert closed(client, execution).close_status == "COMPLETED"
    completed = execution.history()[-1]
    assert completed["workflowExecutionCompletedEventAttributes"]["result"] == "2"


def test_workflow_types_register_with_usable_defaults(client: Any) -> None:
    ensure_domain(client, DOMAIN, register_if_missing=True)
    TypeRegistry(client, DOMAIN).ensure_workflow_type(workflow_type_for(client, DOMAIN, AddThenDouble))
    registered = WorkflowTypeQuerySet(client, DOMAIN).get(AddThenDouble.name, "1")
    assert registered.default_task_list == "process-decisions"
    assert registered.default_child_policy == "TERMINATE"
    assert registered.default_execution_start_to_close_timeout == "86400"
    assert registered.default_task_start_to_close_timeout == "300"


def test_a_cancel_request_reaches_the_worker_on_a_heartbeat(client: Any, tmp_path: Any) -> None:
    ensure_domain(client, DOMAIN, register_if_missing=True)
    execution = start(client, AddThenDouble, "cancel-me", 0)
    decider = Decider(client, DOMAIN, task_list="process-decisions")
    schedule = decisions.schedule_activity_task(
        "long-1",
        name="tests.fixtures.process_activities.wait_until_killed",
        version="1",
        input=payload.encode_input([str(tmp_path / "pids")], {}),
        task_list="cancel-work",
        start_to_close_timeout=60,
        schedule_to_start_timeout=60,
        schedule_to_close_timeout=120,
        heartbeat_timeout=30,
    )
    TypeRegistry(client, DOMAIN).ensure_decision_types([schedule])
    first = decider.poll()
    assert first is not None
    decider.complete(first["taskToken"], decisions=[schedule])

    worker = ActivityPoller(ActivityWorker(client, DOMAIN, task_list="cancel-work"), heartbeat_interval=0.2)
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(worker.process_task(worker.worker.poll() or {})))
    thread.start()
    pids = wait_for(
        lambda: (tmp_path / "pids").exists() and (tmp_path / "pids").read_text().split(), what="pids"
    )

    execution.signal("cancel-it")  # only a decision task can ask for the cancel
    second = wait_for(decider.poll, what="a decision task for the signal")
    decider.complete(second["taskToken"], decisions=[decisions.request_cancel_activity_task("long-1")])

    thread.join(timeout=20)
    assert results == [TaskResult.CANCELED]
    assert [e["eventType"] for e in execution.history()].count("ActivityTaskCanceled") == 1
    for pid in map(int, pids):
        wait_for(lambda pid=pid: is_gone(pid), what=f"process {pid} killed")


def is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
