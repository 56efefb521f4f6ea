"""The activity worker against a real SWF server (moto): end to end, and a graceful SIGTERM mid-task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from simpleflow import decisions, payload
from simpleflow.process.worker import ActivityPoller
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
