"""SWF servers for the benchmarks, each in its own process: the embedded service, and moto's server.

A server in the benchmark's own process would share its GIL with the client threads being measured,
so both run as child processes, as users run them.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config

from benchmarks.reference import our_pythonpath
from simpleflow.localswf.embedded import LOCAL_USER_AGENT, make_local_client

PROJECT_ROOT = Path(__file__).resolve().parents[1]
EXPORT_PREFIX = "export AWS_ENDPOINT_URL_SWF="


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_http(port: int, *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port} within {timeout} s")


@dataclass(frozen=True)
class ServerProcess:
    """A running server: where to reach it, and its process id for CPU accounting."""

    endpoint_url: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (Linux ``/proc``)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def _child(command: list[str], port: int) -> Iterator[ServerProcess]:
    environment = {**os.environ, "PYTHONPATH": our_pythonpath(), "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for_http(port)
        yield ServerProcess(f"http://127.0.0.1:{port}", process.pid)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextmanager
def localswf_server(*, poll_timeout: float = 60.0) -> Iterator[ServerProcess]:
    """``simpleflow localswf.start`` on a free port, state in memory."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from simpleflow.cli.main import main; main()",
        "localswf.start",
        "--port",
        str(port),
        "--poll-timeout",
        str(poll_timeout),
    ]
    with _child(command, port) as server:
        yield server


@contextmanager
def moto_server() -> Iterator[ServerProcess]:
    """moto's server (``python -m moto.server``) on a free port."""
    port = free_port()
    with _child([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port) as server:
        yield server


def localswf_client(endpoint_url: str) -> Any:
    """A boto3 client for the embedded service (unsigned, one attempt)."""
    return make_local_client(endpoint_url, read_timeout=70)


def moto_client(endpoint_url: str) -> Any:
    """A boto3 client for moto (signed with dummy credentials: moto routes requests by the signature).

    Configured as :func:`localswf_client` is in all else, its fixed User-Agent included, so that the
    driver's own cost is the same against both servers.
    """
    config = Config(
        retries={"total_max_attempts": 1},
        read_timeout=70,
        max_pool_connections=32,
        user_agent=LOCAL_USER_AGENT,
    )
    return boto3.session.Session().client(
        "swf",
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=config,
    )


#: Calls one SWF operation with its parameters: ``SWFService.handle``, or :func:`client_call` of a client.
Call = Callable[[str, dict[str, Any]], Any]


def client_call(client: Any) -> Call:
    """A boto3 client as a :data:`Call` (``RegisterDomain`` -> ``client.register_domain``)."""
    return lambda operation, params: getattr(client, xform_name(operation))(**params)


def register_types(
    call: Call, domain: str, *, workflow_type: dict[str, str], activity_type: dict[str, str]
) -> None:
    """The domain, and a workflow and an activity type with every default but the task lists."""
    call("RegisterDomain", {"name": domain, "workflowExecutionRetentionPeriodInDays": "1"})
    call(
        "RegisterWorkflowType",
        {
            "domain": domain,
            "defaultChildPolicy": "TERMINATE",
            "defaultExecutionStartToCloseTimeout": "3600",
            "defaultTaskStartToCloseTimeout": "300",
            **workflow_type,
        },
    )
    call(
        "RegisterActivityType",
        {
            "domain": domain,
            "defaultTaskScheduleToStartTimeout": "3600",
            "defaultTaskScheduleToCloseTimeout": "3600",
            "defaultTaskStartToCloseTimeout": "300",
            "defaultTaskHeartbeatTimeout": "NONE",
            **activity_type,
        },
    )


def schedule_decisions(
    count: int, *, activity_type: dict[str, str], task_list: str, first: int = 0
) -> list[dict[str, Any]]:
    """``count`` ``ScheduleActivityTask`` decisions (ids ``a-<first>``...), each given its index as input."""
    return [
        {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {
                "activityId": f"a-{number}",
                "activityType": activity_type,
                "taskList": {"name": task_list},
                "input": str(number),
            },
        }
        for number in range(first, first + count)
    ]
