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
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from simpleflow.localswf.embedded import make_local_client
from tests.fixtures.localswf_process import PROJECT_ROOT, ServiceProcess

FILE_SIZE_LIMIT = 512 * 1024
INPUT = "x" * 30_000  # under SWF's 32 KB input limit: a start writes about that much
MAX_STARTS = 200
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
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
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
    try:
        client = make_local_client(service.endpoint_url)
        setup(client)
        for number in range(MAX_STARTS):
            workflow_id = f"wf-{number}"
            try:
                client.start_workflow_execution(
                    domain=DOMAIN, workflowId=workflow_id, workflowType=WORKFLOW, input=INPUT
                )
            except botocore.exceptions.ClientError as error:
                refusals.append(error.response)
                if len(refusals) == 3:  # refused again and again: the disk stays full
                    break
            else:
                acknowledged.add(workflow_id)
        assert refusals, f"no write was refused under a {FILE_SIZE_LIMIT}-byte limit"
        assert acknowledged, "the limit left no room for any start: the test proves nothing"
        for response in refusals:
            assert response["Error"]["Code"] == "ServiceUnavailable"
            assert response["ResponseMetadata"]["HTTPStatusCode"] == 503
            assert "could not record the call" in response["Error"]["Message"]
        # Reads still work, and show exactly the acknowledged starts.
        assert open_workflow_ids(client) == acknowledged
    finally:
        code = service.stop()
    assert code == 0, service.stderr[-10:]
    log_lines = [line for line in service.stderr if "the call was rolled back and refused" in line]
    assert log_lines, service.stderr[-10:]
    assert not any("Traceback" in line for line in service.stderr), service.stderr[-20:]

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = {row[0] for row in connection.execute("SELECT workflow_id FROM runs")}
    assert stored == acknowledged

    with ServiceProcess(db=str(db)) as restarted:
        client = make_local_client(restarted.endpoint_url)
        assert open_workflow_ids(client) == acknowledged
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
