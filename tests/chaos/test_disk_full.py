"""A disk that fills up under the service: a clear error to the client and in the log, and no corrupt db.

The service runs in a process of its own under a file-size limit (``RLIMIT_FSIZE``, with ``SIGXFSZ``
ignored, so a write past it fails with ``EFBIG`` as a full disk fails with ``ENOSPC``). Workflows with
large inputs are started until a write is refused. Every start the service acknowledged must still be
there afterwards, the refused ones must not, and SQLite's ``integrity_check`` must pass; a service
restarted on the same file without the limit carries on.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from simpleflow.localswf.embedded import make_local_client
from tests.fixtures.localswf_process import PROJECT_ROOT, ServiceProcess

FILE_SIZE_LIMIT = 512 * 1024
INPUT = "x" * 30_000  # under SWF's 32 KB input limit: a start writes about that much
MAX_CALLS = 200
TIMING_OUT = 6  # seconds: the execution timeout of the first run, due once the disk is full
DOMAIN = "disk"
WORKFLOW = {"name": "wf", "version": "1"}


def limit_file_size() -> None:  # runs in the child, between fork and exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


class LimitedService:
    """``localswf.start`` under a file-size limit; stderr is kept to look for the log line."""

    def __init__(self, db: Path) -> None:
        command = [
            sys.executable,
            "-c",
            "from simpleflow.cli.main import main; main()",
            "localswf.start",
            "--port",
            "0",
            "--db",
            str(db),
        ]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
            # At debug level every refused write is logged, the scheduler's retries included.
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "LOG_LEVEL": "DEBUG"},
            preexec_fn=limit_file_size,
        )
        self.stderr: list[str] = []
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()
        assert self.process.stdout is not None
        self.endpoint_url = ""
        for line in self.process.stdout:  # ends at EOF if the process dies: the assert below says so
            if line.startswith("export AWS_ENDPOINT_URL_SWF="):
                self.endpoint_url = line.strip().partition("=")[2]
                break
        assert self.endpoint_url, f"the service did not start: {self.stderr[-5:]}"

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line.rstrip("\n"))

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(timeout=5)
        self._stderr_reader.join(timeout=5)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
        return code


def refused_writes(service: LimitedService) -> int:
    return sum("rolled back and refused" in line for line in list(service.stderr))


def wait_for(condition: Callable[[], bool], *, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def setup(client: Any) -> None:
    client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    client.register_workflow_type(
        domain=DOMAIN,
        **WORKFLOW,
        defaultTaskList={"name": "deciders"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="300",
        defaultChildPolicy="TERMINATE",
    )


def open_workflow_ids(client: Any) -> set[str]:
    listed = client.list_open_workflow_executions(
        domain=DOMAIN, startTimeFilter={"oldestDate": 0}, maximumPageSize=1000
    )
    return {info["execution"]["workflowId"] for info in listed["executionInfos"]}


def test_a_full_disk_refuses_writes_clearly_and_keeps_the_database_sound(tmp_path: Path) -> None:
    db = tmp_path / "swf.db"
    service = LimitedService(db)
    acknowledged: set[str] = set()
    refusals: list[dict[str, Any]] = []

    def fill(call: Callable[[int], object]) -> None:
        """Make calls until three in a row are refused: the disk is full for calls of that size."""
        in_a_row = 0
        for number in range(MAX_CALLS):
            try:
                call(number)
            except botocore.exceptions.ClientError as error:
                refusals.append(error.response)
                in_a_row += 1
                if in_a_row == 3:
                    return
            else:
                in_a_row = 0
        raise AssertionError(f"{MAX_CALLS} calls fitted under a {FILE_SIZE_LIMIT}-byte limit")

    def start(workflow_id: str, **params: Any) -> None:
        client.start_workflow_execution(
            domain=DOMAIN, workflowId=workflow_id, workflowType=WORKFLOW, **params
        )
        acknowledged.add(workflow_id)

    try:
        client = make_local_client(service.endpoint_url)
        setup(client)
        filling = time.monotonic()
        # This run's timeout falls due once the disk is full: the scheduler's write is refused too.
        start("wf-0", executionStartToCloseTimeout=str(TIMING_OUT))
        # Large writes first, then smaller and smaller ones, until even a signal finds no room.
        fill(lambda number: start(f"large-{number}", input=INPUT))
        fill(lambda number: start(f"small-{number}"))
        fill(
            lambda number: client.signal_workflow_execution(domain=DOMAIN, workflowId="wf-0", signalName="s")
        )
        assert time.monotonic() - filling < TIMING_OUT, (
            "the disk filled after wf-0's timeout: raise TIMING_OUT"
        )
        assert len(acknowledged) > 1, "the limit left no room for any start: the test proves nothing"
        for response in refusals:
            assert response["Error"]["Code"] == "ServiceUnavailable"
            assert response["ResponseMetadata"]["HTTPStatusCode"] == 503
            assert "could not record the call" in response["Error"]["Message"]
        wait_for(lambda: refused_writes(service) > len(refusals), what="the scheduler's refused write")
        # Reads still work, and show exactly the acknowledged starts, wf-0 still open past its timeout.
        assert open_workflow_ids(client) == acknowledged
    finally:
        code = service.stop()
    assert code == 0, service.stderr[-10:]
    errors = [line for line in service.stderr if " ERROR " in line and "rolled back and refused" in line]
    assert len(errors) == 1, service.stderr[-10:]  # one error line for the episode, the rest at debug
    assert not any("Traceback" in line for line in service.stderr), service.stderr[-20:]

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in connection.execute("SELECT workflow_id FROM runs")}
    assert stored == acknowledged

    with ServiceProcess(db=str(db)) as restarted:
        client = make_local_client(restarted.endpoint_url)
        # With room again, the timeout that could not be recorded is.
        wait_for(lambda: open_workflow_ids(client) == acknowledged - {"wf-0"}, what="wf-0 to time out")
        client.start_workflow_execution(domain=DOMAIN, workflowId="after-restart", workflowType=WORKFLOW)
        assert "after-restart" in open_workflow_ids(client)


@pytest.mark.parametrize("size", [0, 4096], ids=["nothing-fits", "header-only"])
def test_a_disk_too_full_to_create_the_database_is_one_line(tmp_path: Path, size: int) -> None:
    """No room even for the schema: the service says so and exits, without a traceback."""
    db = tmp_path / "swf.db"

    def tiny_limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from simpleflow.cli.main import main; main()",
            "localswf.start",
            "--port",
            "0",
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        preexec_fn=tiny_limit,
        timeout=30,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot use the database {db}: "), result.stderr
    assert "the disk refused a write" in lines[0] and "free some space" in lines[0]
