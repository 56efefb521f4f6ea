"""What a user sees when out-of-band payloads go wrong, end to end.

A stored payload altered or gone (the decider names the reference, and the execution resumes once the
store is repaired), an unreachable store, a failure reason over SWF's 256 characters, and a field over
its limit with no store configured.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simpleflow import payload
from simpleflow.children import simpleflow_command
from simpleflow.exceptions import WorkflowFailed
from simpleflow.execution import result_or_raise, start_execution
from simpleflow.standalone import wait_for_close
from simpleflow.storage import FileSystemStore
from tests.fixtures.payload_workflows import FailingActivityWorkflow, FanOutWorkflow, FieldsWorkflow
from tests.integration.payloads.conftest import free_port, input_digest
from tests.integration.run.conftest import DOMAIN, REPOSITORY

pytestmark = pytest.mark.integration

FAN_OUT = "tests.fixtures.payload_workflows.FanOutWorkflow"
SMALL_FAN_OUT = {"args": ["y" * 50_000], "kwargs": {"count": 2, "result_size": 10}}


def clean_environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.pop("SIMPLEFLOW_PAYLOAD_STORE", None)
    env.pop("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", None)
    return {**env, "LOG_LEVEL": "WARNING", **extra}


def simpleflow(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        simpleflow_command(*arguments),
        env=env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def store_path(store: FileSystemStore, digest: str) -> Path:
    return store.root / "sha256" / digest[:2] / digest


# -- a --local run ------------------------------------------------------------------------------------------


def test_a_corrupt_payload_fails_a_local_run_with_one_line_naming_it(tmp_path: Path):
    store = FileSystemStore(tmp_path / "store")
    digest = input_digest(SMALL_FAN_OUT)
    # Stored payloads are never rewritten (same digest, same bytes): this corrupt copy is what gets read.
    store_path(store, digest).parent.mkdir(parents=True)
    store_path(store, digest).write_bytes(b"not what was stored")
    env = clean_environment(SIMPLEFLOW_PAYLOAD_STORE=store.url)
    done = simpleflow("workflow.start", "--local", FAN_OUT, "--input", json.dumps(SMALL_FAN_OUT), env=env)
    assert done.returncode != 0
    assert done.stdout == ""
    assert f"error: payload simpleflow+payload:sha256:{digest}:" in done.stderr
    assert "which do not match" in done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def test_an_unreachable_store_fails_the_start_with_one_line(tmp_path: Path):
    nobody = f"http://127.0.0.1:{free_port()}"
    env = clean_environment(
        SIMPLEFLOW_PAYLOAD_STORE="s3://payloads/runs",
        AWS_ENDPOINT_URL_S3=nobody,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    done = simpleflow("workflow.start", "--local", FAN_OUT, "--input", json.dumps(SMALL_FAN_OUT), env=env)
    assert done.returncode != 0
    assert f"cannot reach S3 for s3://payloads/runs at {nobody}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_workflow_failure_reason_over_256_characters_travels_out_of_band(workflow_environment):
    handle = workflow_environment.start(FieldsWorkflow, "fail")
    with pytest.raises(WorkflowFailed) as failed:
        handle.result(timeout=60)
    close = handle.history()[-1]
    assert close["eventType"] == "WorkflowExecutionFailed"
    attributes = close["workflowExecutionFailedEventAttributes"]
    assert payload.is_reference(attributes["reason"]) and len(attributes["reason"]) <= 256
    assert payload.is_reference(attributes["details"])
    assert failed.value.reason == "r" * 300
    assert failed.value.details == {"why": "x" * 40_000}


def test_an_activity_failure_reason_over_256_characters_is_cut_and_whole_in_the_details(workflow_environment):
    message = "v" * 1000
    handle = workflow_environment.start(FailingActivityWorkflow, message)
    with pytest.raises(WorkflowFailed) as failed:
        handle.result(timeout=60)
    assert len(failed.value.reason) <= 256 and failed.value.reason.endswith("...")
    assert "ValueError: vvv" in failed.value.reason
    (task_failure,) = [
        event["activityTaskFailedEventAttributes"]
        for event in handle.history()
        if event["eventType"] == "ActivityTaskFailed"
    ]
    assert len(task_failure["reason"]) == 256 and task_failure["reason"].startswith("ValueError: vvv")
    assert json.loads(task_failure["details"])["message"] == message


def test_without_a_store_an_over_limit_input_names_the_setting():
    env = clean_environment(AWS_ENDPOINT_URL_SWF=f"http://127.0.0.1:{free_port()}")
    done = simpleflow(
        "workflow.start", FAN_OUT, "--domain", "d", "--input", json.dumps(SMALL_FAN_OUT), env=env
    )
    assert done.returncode != 0
    line = done.stderr.strip().splitlines()[-1]
    size = len(json.dumps(SMALL_FAN_OUT, separators=(",", ":")))
    assert line.startswith(f"error: workflow input is {size} characters, over SWF's limit of 32768;")
    assert "SIMPLEFLOW_PAYLOAD_STORE" in line


# -- decider and worker processes (decider.start / worker.start) --------------------------------------------


class Processes:
    """decider.start and worker.start on one task list, their logs kept; all stopped at the end."""

    def __init__(self, directory: Path, env: dict[str, str]) -> None:
        self.directory = directory
        self.env = env
        self.task_list = f"payloads-{uuid.uuid4().hex[:8]}"
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *arguments: str) -> Path:
        log = self.directory / f"{name}.log"
        with log.open("wb") as stream:
            self.started.append(
                subprocess.Popen(
                    simpleflow_command(*arguments),
                    env=self.env,
                    cwd=REPOSITORY,
                    stdout=stream,
                    stderr=stream,
                    start_new_session=True,
                )
            )
        return log

    def start_both(self) -> Path:
        common = ["--domain", DOMAIN, "--task-list", self.task_list]
        log = self.start("decider", "decider.start", FAN_OUT, *common, "--activity-task-list", self.task_list)
        self.start("worker", "worker.start", *common)
        return log

    def stop(self) -> None:
        for process in self.started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def processes(tmp_path: Path, swf_endpoint: str) -> Iterator[Processes]:
    env = clean_environment(AWS_ENDPOINT_URL_SWF=swf_endpoint, LOG_LEVEL="INFO")
    started = Processes(tmp_path, env)
    try:
        yield started
    finally:
        started.stop()


def wait_for_text(path: Path, text: str, *, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = path.read_text(errors="replace") if path.exists() else ""
        if text in content:
            return content
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in {path} after {timeout} s:\n{content[-3000:]}")


@pytest.mark.parametrize(
    ("damage", "complaint"),
    [("delete", "no such payload in"), ("corrupt", "which do not match")],
    ids=["missing", "digest-mismatch"],
)
def test_a_damaged_payload_stops_the_decider_until_the_store_is_repaired(
    processes: Processes, swf_client: Any, tmp_path: Path, damage: str, complaint: str
):
    store = FileSystemStore(tmp_path / "store")
    processes.env["SIMPLEFLOW_PAYLOAD_STORE"] = store.url
    value = {"args": ["z" * 40_000], "kwargs": {"count": 1, "result_size": 10}}
    execution = start_execution(
        swf_client,
        FanOutWorkflow,
        value,
        domain=DOMAIN,
        task_list=processes.task_list,
        decision_tasks_timeout=2,
        payload_store=store,
    )
    digest = input_digest(value)
    stored = store_path(store, digest).read_bytes()
    if damage == "delete":
        store_path(store, digest).unlink()
    else:
        store_path(store, digest).write_bytes(b"{}")
    log = processes.start_both()
    text = wait_for_text(log, complaint)
    assert f"payload simpleflow+payload:sha256:{digest}:" in text

    store_path(store, digest).unlink(missing_ok=True)
    assert store.put(stored).startswith(f"simpleflow+payload:sha256:{digest}:")
    closed = wait_for_close(swf_client, DOMAIN, execution, timeout=60, interval=0.2)
    assert closed.status == "COMPLETED"
    assert result_or_raise(closed.status, closed.attributes)["results"] == 1


def test_without_a_store_an_over_limit_result_fails_its_task_naming_the_setting(
    processes: Processes, swf_client: Any
):
    value = {"args": ["small"], "kwargs": {"count": 1, "result_size": 40_000}}
    execution = start_execution(
        swf_client, FanOutWorkflow, value, domain=DOMAIN, task_list=processes.task_list
    )
    processes.start_both()
    closed = wait_for_close(swf_client, DOMAIN, execution, timeout=60, interval=0.2)
    assert closed.status == "FAILED"
    failed = [
        event["activityTaskFailedEventAttributes"]
        for event in swf_client.get_workflow_execution_history(domain=DOMAIN, execution=execution)["events"]
        if event["eventType"] == "ActivityTaskFailed"
    ]
    assert len(failed) == 1
    reason = failed[0]["reason"]
    assert reason.startswith(
        "PayloadTooLarge: result of tests.fixtures.payload_workflows.digest_of is 40002 characters, "
        "over SWF's limit of 32768; configure an out-of-band payload store with SIMPLEFLOW_PAYLOAD_STORE"
    ), reason
