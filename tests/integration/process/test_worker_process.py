"""The activity worker against a real SWF server (moto): end to end, and a graceful SIGTERM mid-task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from simpleflow import decisions, payload
from simpleflow.exceptions import UnknownResource, WorkflowImportError
from simpleflow.process.decider import DeciderConfig, start_decider
from simpleflow.process.worker import ActivityPoller, WorkerConfig, start_worker
from simpleflow.swf.actors import ActivityWorker, Decider
from simpleflow.swf.models import WorkflowExecution
from simpleflow.swf.querysets import WorkflowTypeQuerySet
from simpleflow.swf.registration import TypeRegistry
from tests.fixtures.waiting import wait_for

REPOSITORY = Path(__file__).resolve().parents[3]
FIXTURES = "tests.fixtures.process_activities"


def schedule(client: Any, domain: str, task_list: str, name: str, *args: Any) -> WorkflowExecution:
    """Start an execution and answer its first decision task with one activity on ``task_list``."""
    WorkflowTypeQuerySet(client, domain).get_or_create(
        "wf",
        "1",
        default_task_list="decisions",
        default_child_policy="TERMINATE",
        default_execution_start_to_close_timeout="3600",
        default_task_start_to_close_timeout="60",
    )
    execution = WorkflowExecution(
        domain, f"wf-{name}", workflow_type_name="wf", workflow_type_version="1", client=client
    ).save()
    decision = decisions.schedule_activity_task(
        f"activity-{name}-1",
        name=f"{FIXTURES}.{name}",
        version="1",
        input=payload.encode_input(args, {}),
        task_list=task_list,
        start_to_close_timeout=60,
        schedule_to_start_timeout=60,
        schedule_to_close_timeout=120,
        heartbeat_timeout=60,
    )
    TypeRegistry(client, domain).ensure_decision_types([decision])
    decider = Decider(client, domain, task_list="decisions")
    task = decider.poll()
    assert task is not None
    decider.complete(task["taskToken"], decisions=[decision])
    return execution


def start_worker_process(
    domain: str, task_list: str, endpoint: str, directory: Path
) -> tuple[subprocess.Popen[bytes], Path]:
    """A worker poller in its own process, logging to a file; returns the process and the log path."""
    script = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stdout)\n"
        "from simpleflow.process.worker import WorkerConfig, run_worker_process\n"
        f"run_worker_process(WorkerConfig({domain!r}, {task_list!r}, endpoint_url={endpoint!r}))\n"
    )
    log = directory / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-c", script], cwd=REPOSITORY, stdout=output, stderr=output
        )
    return worker, log


def is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def events_of(execution: WorkflowExecution, event_type: str) -> list[dict[str, Any]]:
    return [e for e in execution.history() if e["eventType"] == event_type]


def test_worker_runs_a_scheduled_activity(swf_client: Any, domain: str) -> None:
    execution = schedule(swf_client, domain, "work", "add", 20, 22)
    poller = ActivityPoller(ActivityWorker(swf_client, domain, task_list="work"), heartbeat_interval=5)
    assert poller.run(one_task=True) == 1
    completed = events_of(execution, "ActivityTaskCompleted")
    assert completed[0]["activityTaskCompletedEventAttributes"]["result"] == "42"


def test_worker_reports_a_crash_to_swf(swf_client: Any, domain: str) -> None:
    execution = schedule(swf_client, domain, "work", "kill_itself")
    ActivityPoller(ActivityWorker(swf_client, domain, task_list="work")).run(one_task=True)
    failed = events_of(execution, "ActivityTaskFailed")
    assert failed[0]["activityTaskFailedEventAttributes"]["reason"] == (
        "activity process was killed by signal SIGKILL"
    )


def test_sigterm_lets_the_task_in_hand_finish(
    swf_client: Any, domain: str, moto_endpoint: str, tmp_path: Path
) -> None:
    release, started = tmp_path / "release", tmp_path / "started"
    execution = schedule(swf_client, domain, "graceful", "finish_when_released", str(release), str(started))
    script = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stdout)\n"
        "from simpleflow.process.worker import WorkerConfig, run_worker_process\n"
        f"run_worker_process(WorkerConfig({domain!r}, 'graceful', endpoint_url={moto_endpoint!r}))\n"
    )
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-c", script], cwd=REPOSITORY, stdout=output, stderr=output
        )
    try:
        wait_for(started.exists, what="the activity started")
        worker.send_signal(signal.SIGTERM)
        wait_for(lambda: "stop requested" in log.read_text(), what="the worker saw SIGTERM")
        assert worker.poll() is None, "the worker left before its task finished"
        release.touch()
        assert worker.wait(timeout=20) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
    completed = events_of(execution, "ActivityTaskCompleted")
    assert completed[0]["activityTaskCompletedEventAttributes"]["result"] == '"released"'


def test_second_sigterm_stops_at_once_and_kills_the_activity(
    swf_client: Any, domain: str, moto_endpoint: str, tmp_path: Path
) -> None:
    release, started = tmp_path / "release", tmp_path / "started"
    schedule(swf_client, domain, "forced", "finish_when_released", str(release), str(started))
    worker, log = start_worker_process(domain, "forced", moto_endpoint, tmp_path)
    try:
        activity_pid = int(
            wait_for(lambda: started.exists() and started.read_text(), what="the activity started")
        )
        worker.send_signal(signal.SIGTERM)
        wait_for(lambda: "stop requested" in log.read_text(), what="the worker saw SIGTERM")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 1, log.read_text()
        wait_for(lambda: is_gone(activity_pid), what="the activity killed")
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()


def test_start_worker_runs_supervised_pollers(swf_client: Any, domain: str, moto_endpoint: str) -> None:
    execution = schedule(swf_client, domain, "supervised", "add", 1, 1)
    config = WorkerConfig(domain, "supervised", endpoint_url=moto_endpoint, one_task=True)
    assert start_worker(config, processes=1, grace_period=5) == 0
    completed = events_of(execution, "ActivityTaskCompleted")
    assert completed[0]["activityTaskCompletedEventAttributes"]["result"] == "2"


def test_start_worker_refuses_an_unknown_domain_at_once(moto_endpoint: str) -> None:
    config = WorkerConfig("no-such-domain", "work", endpoint_url=moto_endpoint)
    with pytest.raises(UnknownResource, match="aws swf register-domain --name no-such-domain"):
        start_worker(config)


def test_start_decider_refuses_a_bad_workflow_path_at_once(moto_endpoint: str, domain: str) -> None:
    config = DeciderConfig(domain, "decisions", workflows=("tests.fixtures.nowhere.Workflow",))
    with pytest.raises(WorkflowImportError):
        start_decider(config)
