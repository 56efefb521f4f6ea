"""Thread isolation (``worker.start --isolation thread``): the poller runs each task in a thread of its own.

A recording ActivityWorker stands in for SWF, so these run in process and fast; the real-process run is in
tests/integration/process/test_thread_isolation_standalone.py.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from simpleflow import payload
from simpleflow.exceptions import UnknownResource
from simpleflow.process.activity_thread import ActivityThread, Isolation
from simpleflow.process.isolation import ActivityContextData, Heartbeat, Outcome
from simpleflow.process.worker import ActivityPoller, TaskResult, WorkerConfig
from simpleflow.swf.actors import ActivityWorker
from tests.fixtures.waiting import wait_for

PROCESS_FIXTURES = "tests.fixtures.process_activities"
THREAD_FIXTURES = "tests.fixtures.thread_activities"


class RecordingWorker(ActivityWorker):
    """An ActivityWorker that records the answers instead of calling SWF."""

    def __init__(self, *, cancel_after: int | None = None, unknown_on_heartbeat: bool = False) -> None:
        super().__init__(None, "test-domain", task_list="thread-tests", identity="tester")
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.cancel_after = cancel_after
        self.unknown_on_heartbeat = unknown_on_heartbeat

    def heartbeat(self, task_token: str, *, details: str | None = None) -> bool:
        self.calls.append(("heartbeat", {"details": details}))
        if self.unknown_on_heartbeat:
            raise UnknownResource("RecordActivityTaskHeartbeat", "UnknownResourceFault", "gone")
        beats = sum(1 for name, _ in self.calls if name == "heartbeat")
        return self.cancel_after is not None and beats >= self.cancel_after

    def complete(self, task_token: str, *, result: str | None = None) -> None:
        self.calls.append(("complete", {"result": result}))

    def fail(self, task_token: str, *, reason: str | None = None, details: str | None = None) -> None:
        self.calls.append(("fail", {"reason": reason, "details": details}))

    def cancel(self, task_token: str, *, details: str | None = None) -> None:
        self.calls.append(("cancel", {"details": details}))

    def answers(self) -> list[tuple[str, dict[str, Any]]]:
        return [call for call in self.calls if call[0] != "heartbeat"]


def task(name: str, *args: Any, module: str = PROCESS_FIXTURES) -> dict[str, Any]:
    return {
        "taskToken": "token",
        "activityId": f"activity-{name}-1",
        "workflowExecution": {"workflowId": "wf-1", "runId": "run-1"},
        "activityType": {"name": f"{module}.{name}", "version": "1"},
        "input": payload.encode_input(args, {}),
    }


def thread_poller(worker: RecordingWorker, **options: Any) -> ActivityPoller:
    options.setdefault("heartbeat_interval", 30.0)
    return ActivityPoller(worker, isolation=Isolation.THREAD, **options)


def test_process_isolation_stays_the_default() -> None:
    assert ActivityPoller(RecordingWorker()).isolation is Isolation.PROCESS
    assert WorkerConfig(domain="d", task_list="t").isolation is Isolation.PROCESS


def test_an_activity_runs_in_a_thread_of_the_worker_with_its_context() -> None:
    worker = RecordingWorker()
    poller = thread_poller(worker)
    assert poller.process_task(task("report_context")) is TaskResult.COMPLETED
    assert poller.process_task(task("current_thread_name", module=THREAD_FIXTURES)) is TaskResult.COMPLETED
    (_, context_answer), (_, thread_answer) = worker.answers()
    context = payload.decode(context_answer["result"])
    assert context.pop("pid") == os.getpid()
    assert context == {
        "workflow_id": "wf-1",
        "run_id": "run-1",
        "activity_id": "activity-report_context-1",
        "attempt": 1,
        "domain": "test-domain",
        "task_list": "thread-tests",
    }
    name = payload.decode(thread_answer["result"])
    assert name == "activity-activity-current_thread_name-1"
    assert name != threading.current_thread().name


def test_heartbeats_reach_swf_with_their_details() -> None:
    worker = RecordingWorker()
    poller = thread_poller(worker, min_heartbeat_gap=0.0)
    assert poller.process_task(task("heartbeat_and_finish", 3)) is TaskResult.COMPLETED
    beats = [json.loads(call[1]["details"]) for call in worker.calls if call[0] == "heartbeat"]
    assert beats and beats[-1] == {"step": 3}
    assert worker.answers() == [("complete", {"result": '"finished"'})]


@pytest.mark.parametrize(
    ("name", "args", "module", "reason_start"),
    [
        ("raise_value_error", ("bad input",), PROCESS_FIXTURES, "ValueError: bad input"),
        ("raise_system_exit", (), THREAD_FIXTURES, "SystemExit"),
        ("return_not_json", (), PROCESS_FIXTURES, "PayloadNotJSON"),
        ("no_such_activity", (), PROCESS_FIXTURES, "WorkflowImportError"),
    ],
    ids=["exception", "system-exit", "result-not-json", "unknown-activity"],
)
def test_a_failing_activity_fails_only_its_task(
    name: str, args: tuple[Any, ...], module: str, reason_start: str
) -> None:
    worker = RecordingWorker()
    poller = thread_poller(worker)
    assert poller.process_task(task(name, *args, module=module)) is TaskResult.FAILED
    # The worker is unharmed: the next task runs and completes.
    assert poller.process_task(task("add", 1, 2)) is TaskResult.COMPLETED
    (kind, failure), completion = worker.answers()
    assert kind == "fail"
    assert failure["reason"].startswith(reason_start), failure["reason"]
    assert completion == ("complete", {"result": "3"})


def test_a_cancel_request_is_answered_and_reaches_the_activity_at_its_next_heartbeat(tmp_path: Path) -> None:
    marker = tmp_path / "canceled"
    worker = RecordingWorker(cancel_after=2)
    poller = thread_poller(worker, heartbeat_interval=0.05, min_heartbeat_gap=0.0)
    result = poller.process_task(task("heartbeat_until_canceled", str(marker), module=THREAD_FIXTURES))
    assert result is TaskResult.CANCELED
    assert [name for name, _ in worker.answers()] == ["cancel"]
    # It cannot be killed: it stops on its own once a heartbeat returns True, and its result is dropped.
    assert wait_for(marker.exists, what="the activity to see the cancel")
    assert marker.read_text().startswith("canceled at beat")
    assert [name for name, _ in worker.answers()] == ["cancel"]


def test_a_task_swf_forgot_is_dropped_and_its_activity_told(tmp_path: Path) -> None:
    marker = tmp_path / "canceled"
    worker = RecordingWorker(unknown_on_heartbeat=True)
    poller = thread_poller(worker, heartbeat_interval=0.05, min_heartbeat_gap=0.0)
    result = poller.process_task(task("heartbeat_until_canceled", str(marker), module=THREAD_FIXTURES))
    assert result is TaskResult.LOST
    assert worker.answers() == []
    wait_for(marker.exists, what="the abandoned activity to stop")


def test_an_abandoned_activity_sends_nothing_more() -> None:
    started, release = threading.Event(), threading.Event()
    thread = ActivityThread(task("add", 1, 2), ActivityContextData("d", "t"))
    sent: list[Any] = []
    original_send = thread._send

    def send(message: Any) -> bool:
        started.set()
        release.wait(10)
        sent.append(message)
        return original_send(message)

    thread._send = send  # type: ignore[method-assign]
    thread.start()
    assert started.wait(10)
    thread.kill()
    release.set()
    thread._thread.join(10)
    assert sent == [Outcome("completed", result="3")]
    assert thread._events.empty()
    with pytest.raises(RuntimeError, match="already ended"):
        thread.next_event(0)


def test_next_event_times_out_with_none_while_the_activity_runs(tmp_path: Path) -> None:
    release, started = tmp_path / "release", tmp_path / "started"
    thread = ActivityThread(
        task("finish_when_released", str(release), str(started)), ActivityContextData("d", "t")
    )
    thread.start()
    wait_for(started.exists, what="the activity to start")
    assert thread.next_event(0.01) is None
    release.touch()
    assert thread.next_event(10) == Outcome("completed", result='"released"')
    assert thread.pid is None
    thread.close()


def test_a_heartbeat_event_carries_the_encoded_details() -> None:
    thread = ActivityThread(task("heartbeat_and_finish", 1), ActivityContextData("d", "t"))
    thread.start()
    assert thread.next_event(10) == Heartbeat('{"step":1}')
    assert thread.next_event(10) == Outcome("completed", result='"finished"')
    thread.close()


@pytest.mark.parametrize(
    ("command", "arguments"),
    [("worker.start", ["--task-list", "t"]), ("standalone", ["x.Y"])],
    ids=["worker", "standalone"],
)
def test_the_cli_refuses_an_unknown_isolation_and_documents_the_option(
    command: str, arguments: list[str]
) -> None:
    from click.testing import CliRunner

    from simpleflow.cli.main import main

    runner = CliRunner()
    refused = runner.invoke(main, [command, "--isolation", "fork", *arguments])
    assert refused.exit_code == 2
    assert "Invalid value for '--isolation'" in refused.output
    shown = runner.invoke(main, [command, "--help"])
    assert shown.exit_code == 0
    assert "--isolation [process|thread]" in shown.output
    assert "module state is shared" in " ".join(shown.output.split())
