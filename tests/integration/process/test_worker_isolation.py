"""The activity worker's isolation: real child processes, a recording ActivityWorker in place of SWF."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from simpleflow import payload, storage
from simpleflow.exceptions import UnknownResource
from simpleflow.process.worker import ActivityPoller, TaskResult
from simpleflow.swf.actors import ActivityWorker
from tests.fixtures.waiting import wait_for

FIXTURES = "tests.fixtures.process_activities"


class RecordingWorker(ActivityWorker):
    """An ActivityWorker that records the answers instead of calling SWF."""

    def __init__(self, *, cancel_after: int | None = None, unknown_on_heartbeat: bool = False) -> None:
        super().__init__(None, "test-domain", task_list="process-tests", identity="tester")
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

    def answer(self) -> tuple[str, dict[str, Any]]:
        answers = [call for call in self.calls if call[0] != "heartbeat"]
        assert len(answers) == 1, self.calls
        return answers[0]


def task(name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    return {
        "taskToken": "token",
        "activityId": f"activity-{name}-1",
        "startedEventId": 7,
        "workflowExecution": {"workflowId": "wf-1", "runId": "run-1"},
        "activityType": {"name": f"{FIXTURES}.{name}", "version": "1"},
        "input": payload.encode_input(args, kwargs),
    }


def run(worker: RecordingWorker, activity_task: dict[str, Any], **options: Any) -> TaskResult:
    options.setdefault("heartbeat_interval", 30.0)
    return ActivityPoller(worker, **options).process_task(activity_task)


def test_result_is_encoded_and_completed() -> None:
    worker = RecordingWorker()
    assert run(worker, task("add", 1, y=2)) is TaskResult.COMPLETED
    assert worker.answer() == ("complete", {"result": "3"})


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [(None, 1), (1, 1), (3, 3)],
    ids=["first-attempt-has-no-key", "attempt-1", "third-attempt"],
)
def test_activity_runs_in_another_process_with_its_context(attempt: int | None, expected: int) -> None:
    worker = RecordingWorker()
    activity_task = task("report_context")
    # The decider writes the attempt into the input on retries; the activity id stays the same.
    activity_task["input"] = payload.encode_input((), {}, attempt=attempt)
    run(worker, activity_task)
    _, answer = worker.answer()
    context = payload.decode(answer["result"])
    assert context.pop("pid") != os.getpid()
    assert context == {
        "workflow_id": "wf-1",
        "run_id": "run-1",
        "activity_id": "activity-report_context-1",
        "attempt": expected,
        "domain": "test-domain",
        "task_list": "process-tests",
    }


def test_children_start_with_simpleflows_api_already_imported() -> None:
    worker = RecordingWorker()
    assert run(worker, task("simpleflow_modules_imported_here")) is TaskResult.COMPLETED
    assert worker.answer() == ("complete", {"result": "[]"})


def test_activity_heartbeats_reach_swf_with_their_details() -> None:
    worker = RecordingWorker()
    assert run(worker, task("heartbeat_and_finish", 3), min_heartbeat_gap=0.0) is TaskResult.COMPLETED
    beats = [call[1]["details"] for call in worker.calls if call[0] == "heartbeat"]
    assert beats, "no heartbeat was forwarded"
    assert beats[-1] == '{"step":3}' or json.loads(beats[-1]) == {"step": 3}
    assert worker.answer() == ("complete", {"result": '"finished"'})


@pytest.mark.parametrize(
    ("name", "args", "expected_reason"),
    [
        ("exit_abruptly", (0,), "activity process exited with code 0"),
        ("exit_abruptly", (7,), "activity process exited with code 7"),
        ("kill_itself", (), "activity process was killed by signal SIGKILL"),
    ],
    ids=["exit-0", "exit-7", "sigkill"],
)
def test_a_child_that_dies_fails_the_task_at_once(
    name: str, args: tuple[Any, ...], expected_reason: str
) -> None:
    worker = RecordingWorker()
    assert run(worker, task(name, *args)) is TaskResult.CRASHED
    kind, answer = worker.answer()
    assert kind == "fail"
    assert answer["reason"] == expected_reason
    assert json.loads(answer["details"])["error"] == "ActivityProcessDied"


@pytest.mark.parametrize(
    ("name", "args", "reason_start"),
    [
        ("raise_value_error", ("bad input",), "ValueError: bad input"),
        ("raise_unprintable", (), "UnprintableError"),
        ("return_not_json", (), "PayloadNotJSON"),
        ("no_such_activity", (), "WorkflowImportError"),
    ],
    ids=["exception", "unserializable-exception", "result-not-json", "unknown-activity"],
)
def test_failures_are_reported_clearly(name: str, args: tuple[Any, ...], reason_start: str) -> None:
    worker = RecordingWorker()
    assert run(worker, task(name, *args)) is TaskResult.FAILED
    kind, answer = worker.answer()
    assert kind == "fail"
    assert answer["reason"].startswith(reason_start), answer["reason"]
    assert len(answer["reason"]) <= 256
    assert json.loads(answer["details"])["error"].endswith(reason_start.split(":")[0])


def _pids(pid_file: Path) -> list[int]:
    text = pid_file.read_text() if pid_file.exists() else ""
    return [int(pid) for pid in text.split()]


def _is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "Z"


def test_cancel_seen_on_a_heartbeat_kills_the_whole_tree(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    worker = RecordingWorker(cancel_after=1)
    result = run(
        worker, task("wait_until_killed", str(pid_file)), heartbeat_interval=0.2, min_heartbeat_gap=0.0
    )
    assert result is TaskResult.CANCELED
    assert worker.answer()[0] == "cancel"
    pids = _pids(pid_file)
    assert len(pids) == 2
    for pid in pids:
        wait_for(lambda pid=pid: _is_gone(pid), what=f"process {pid} killed")


def test_a_task_swf_forgot_is_dropped_and_its_child_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "pids"
    worker = RecordingWorker(unknown_on_heartbeat=True)
    result = run(
        worker, task("wait_until_killed", str(pid_file)), heartbeat_interval=0.2, min_heartbeat_gap=0.0
    )
    assert result is TaskResult.LOST
    assert [name for name, _ in worker.calls if name != "heartbeat"] == []
    for pid in _pids(pid_file):
        wait_for(lambda pid=pid: _is_gone(pid), what=f"process {pid} killed")


def test_periodic_heartbeats_repeat_the_last_details(tmp_path: Path) -> None:
    release, started = tmp_path / "release", tmp_path / "started"
    worker = RecordingWorker()
    poller = ActivityPoller(worker, heartbeat_interval=0.05)
    outcome: list[TaskResult] = []
    thread = threading.Thread(
        target=lambda: outcome.append(
            poller.process_task(task("finish_when_released", str(release), str(started)))
        )
    )
    thread.start()
    wait_for(lambda: sum(1 for name, _ in worker.calls if name == "heartbeat") >= 3, what="3 heartbeats")
    release.touch()
    thread.join(10)
    assert outcome == [TaskResult.COMPLETED]


def test_activity_sees_the_workers_current_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMPLEFLOW_TEST_MARKER", "set-after-the-forkserver-started")
    worker = RecordingWorker()
    run(worker, task("read_environment", "SIMPLEFLOW_TEST_MARKER"))
    assert worker.answer() == ("complete", {"result": '"set-after-the-forkserver-started"'})


def test_a_result_over_the_limit_goes_to_the_payload_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SIMPLEFLOW_PAYLOAD_STORE", tmp_path.as_uri())
    worker = RecordingWorker()
    assert run(worker, task("big_result", 40_000)) is TaskResult.COMPLETED
    _, answer = worker.answer()
    assert payload.is_reference(answer["result"])
    store = storage.open_store(tmp_path.as_uri(), cache_bytes=0)
    assert payload.decode(answer["result"], store=store) == "x" * 40_000


def test_a_result_over_the_limit_without_a_store_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIMPLEFLOW_PAYLOAD_STORE", raising=False)
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", raising=False)
    worker = RecordingWorker()
    assert run(worker, task("big_result", 40_000)) is TaskResult.FAILED
    _, answer = worker.answer()
    assert answer["reason"].startswith("PayloadTooLarge")


MAIN_SCRIPT = """
import os
from pathlib import Path

Path(os.environ["RUNS_FILE"]).open("a").write(__name__ + "\\n")

from simpleflow.process.isolation import ActivityContextData, ActivityProcess, Outcome


def main():
    for n in range(3):
        task = {
            "taskToken": "t",
            "activityId": f"a-{n}",
            "activityType": {"name": "tests.fixtures.process_activities.add"},
            "input": "[1, 2]",
        }
        child = ActivityProcess(task, ActivityContextData("d", "t"))
        child.start()
        assert child.next_event(30) == Outcome("completed", result="3")
        child.close()


if __name__ == "__main__":
    main()
"""


def test_children_do_not_rerun_the_workers_main_script(tmp_path: Path) -> None:
    script, runs = tmp_path / "worker_main.py", tmp_path / "runs"
    script.write_text(MAIN_SCRIPT)
    repository = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(repository), "RUNS_FILE": str(runs)}
    completed = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, timeout=60)
    assert completed.returncode == 0, completed.stderr.decode()
    # Once as the program, once in the forkserver (three cheap imports do not pay for a second one, see
    # simpleflow.process.preload); never once per task.
    assert runs.read_text().split() == ["__main__", "__mp_main__"]
