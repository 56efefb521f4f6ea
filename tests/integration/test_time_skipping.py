"""Time skipping with real processes: ``standalone --local-swf`` and ``localswf.start --time-skipping``.

The deciders and workers here are other processes, polling over HTTP: the service must skip an hour's
timer at once, yet never while an activity runs or while its worker is still starting up.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simpleflow.children import ChildProcesses, simpleflow_command
from simpleflow.execution import start_execution
from simpleflow.localswf.embedded import embedded_client, make_local_client
from simpleflow.localswf.service import SWFService
from simpleflow.standalone import DEFAULT_DOMAIN_LOCAL_SWF, wait_for_close
from tests.fixtures.localswf_process import ServiceProcess
from tests.fixtures.standalone_runs import REPOSITORY, run_standalone, user_environment
from tests.fixtures.time_skipping import HOUR, TASK_LIST, SlowActivityBesideAnHourTimer
from tests.fixtures.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SLOW_WORKFLOW = "tests.fixtures.time_skipping.SlowActivityBesideAnHourTimer"
#: Far below the hour skipped, far above a run's start-up on a loaded machine.
SECONDS_FOR_A_SKIPPED_HOUR = 60


def timed_standalone(*arguments: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """``simpleflow standalone --local-swf ...`` as a user runs it; returns it and its wall time."""
    began = time.monotonic()
    done = run_standalone(*arguments)
    return done, time.monotonic() - began


def events_in(db: str, domain: str) -> list[dict[str, Any]]:
    """The history of the one execution that ``db`` holds, with the service's (virtual) timestamps."""
    service = SWFService(db)
    try:
        with embedded_client(service) as client:
            infos = client.list_closed_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})
            (info,) = infos["executionInfos"]
            return history_of(client, domain, info["execution"])
    finally:
        service.close()


def history_of(client: Any, domain: str, execution: dict[str, str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = client.get_workflow_execution_history(
        domain=domain, execution=execution, maximumPageSize=1000
    )["events"]
    return events


def seconds_between(events: list[dict[str, Any]], first: str, last: str) -> float:
    """Seconds of the service's clock from the first ``first`` event to the first ``last`` event."""
    times = {}
    for event in events:
        times.setdefault(event["eventType"], event["eventTimestamp"])
    return float((times[last] - times[first]).total_seconds())


def assert_skipped_the_hour_but_not_the_work(events: list[dict[str, Any]], *, work_seconds: float) -> None:
    types = [event["eventType"] for event in events]
    assert not [kind for kind in types if kind.endswith("TimedOut")], types
    assert types[-1] == "WorkflowExecutionCompleted", types
    assert seconds_between(events, "TimerStarted", "TimerFired") >= HOUR
    # The activity's time is real time on the service's clock too: no skip happened while it ran.
    ran = seconds_between(events, "ActivityTaskStarted", "ActivityTaskCompleted")
    assert work_seconds <= ran < SECONDS_FOR_A_SKIPPED_HOUR


def test_standalone_skips_an_hour_timer_but_not_a_running_activity(tmp_path: Path) -> None:
    """The activity is scheduled before the worker process is up, and runs 2 s beside the timer."""
    db = str(tmp_path / "swf.db")
    done, wall = timed_standalone(SLOW_WORKFLOW, "--db", db, "--input", "[2]")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"
    assert wall < SECONDS_FOR_A_SKIPPED_HOUR
    assert_skipped_the_hour_but_not_the_work(events_in(db, DEFAULT_DOMAIN_LOCAL_SWF), work_seconds=2)


def test_standalone_real_time_waits_for_the_timer(tmp_path: Path) -> None:
    db = str(tmp_path / "swf.db")
    done, wall = timed_standalone(
        "examples.timers.ReminderWorkflow", "--real-time", "--db", db, "--input", '["tea", 2]'
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '"reminder: tea"'
    assert wall >= 2
    waited = seconds_between(events_in(db, DEFAULT_DOMAIN_LOCAL_SWF), "TimerStarted", "TimerFired")
    assert 2 <= waited < SECONDS_FOR_A_SKIPPED_HOUR


@pytest.fixture
def skipping_service(tmp_path: Path) -> Iterator[ServiceProcess]:
    service = ServiceProcess(db=str(tmp_path / "swf.db"), extra_args=("--time-skipping",)).start()
    try:
        yield service
    finally:
        service.stop()
        service.kill()


def test_localswf_start_time_skipping_with_a_decider_and_a_worker_process(
    skipping_service: ServiceProcess,
) -> None:
    """The worker process starts only once the activity is scheduled: its start-up (a second or more of
    imports, many quiet periods) must not time the activity out, nor let the clock run to the timer."""
    # stderr is read by a thread of its own: the line may arrive just after the endpoint on stdout.
    assert skipping_service.wait_for_stderr("localswf: time is virtual")
    domain = "skipping"
    client = make_local_client(skipping_service.endpoint_url)
    client.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    env = {**user_environment(), "AWS_ENDPOINT_URL_SWF": skipping_service.endpoint_url, "SWF_DOMAIN": domain}
    children = ChildProcesses()

    def start(name: str, *command: str) -> None:
        children.start(name, simpleflow_command(*command), env=env, cwd=str(REPOSITORY))

    try:
        start("decider", "decider.start", SLOW_WORKFLOW, "--task-list", TASK_LIST)
        began = time.monotonic()
        execution = start_execution(client, SlowActivityBesideAnHourTimer, [1], domain=domain)
        wait_for(
            lambda: client.count_pending_activity_tasks(domain=domain, taskList={"name": TASK_LIST})["count"],
            timeout=SECONDS_FOR_A_SKIPPED_HOUR,
            what="the decider to schedule the activity",
        )
        start("worker", "worker.start", "--task-list", TASK_LIST)
        closed = wait_for_close(client, domain, execution, children=children, interval=0.05, timeout=60)
        assert closed.status == "COMPLETED", closed.attributes
        assert time.monotonic() - began < SECONDS_FOR_A_SKIPPED_HOUR
        assert_skipped_the_hour_but_not_the_work(history_of(client, domain, execution), work_seconds=1)
    finally:
        children.stop(grace=5)
