"""Fixtures for the run paths: the embedded service over HTTP on loopback, and child process trees."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simpleflow.children import ChildProcesses, simpleflow_command
from simpleflow.localswf.embedded import embedded_server
from simpleflow.swf.client import make_client

REPOSITORY = Path(__file__).resolve().parents[3]
DOMAIN = "integration"

pytestmark = pytest.mark.integration


@pytest.fixture
def swf_endpoint(tmp_path: Path) -> Iterator[str]:
    """The embedded SWF service on a temporary database, served over HTTP on a free loopback port."""
    from simpleflow.localswf.service import SWFService

    service = SWFService(str(tmp_path / "swf.db"), poll_timeout=5.0)
    try:
        with embedded_server(service) as server:
            yield server.endpoint_url
    finally:
        service.close()


@pytest.fixture
def swf_client(swf_endpoint: str) -> Any:
    """A client made by simpleflow's own factory, for the test's checks; the domain is registered."""
    client = make_client(endpoint_url=swf_endpoint)
    client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    return client


@pytest.fixture
def run_env(swf_endpoint: str) -> dict[str, str]:
    """The environment of the child commands: the service's endpoint, the domain, quiet-ish logs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(AWS_ENDPOINT_URL_SWF=swf_endpoint, SWF_DOMAIN=DOMAIN, LOG_LEVEL="INFO")
    return env


class Commands:
    """Starts ``simpleflow`` commands as child process trees from the repository root."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.children = ChildProcesses()

    def start(self, name: str, *arguments: str) -> Any:
        return self.children.start(name, simpleflow_command(*arguments), env=self.env, cwd=str(REPOSITORY))


@pytest.fixture
def commands(run_env: dict[str, str]) -> Iterator[Commands]:
    """Child commands, every one of them stopped (with its whole tree) at the end of the test."""
    started = Commands(run_env)
    try:
        yield started
    finally:
        started.children.stop(grace=5)
