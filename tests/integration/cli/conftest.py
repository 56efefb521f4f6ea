"""An embedded SWF service over HTTP on loopback, driven by hand, and ways to run ``simpleflow`` on it:
in process (click's CliRunner) and as a real subprocess, for what only a real process shows (pipes)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner, Result

from simpleflow.cli.main import main
from tests.fixtures.executions import DOMAIN, Driver


@dataclass
class Service:
    """The service's endpoint, a client on it and a driver making executions by hand."""

    endpoint_url: str
    client: Any
    driver: Driver

    def invoke(self, *args: str, **options: Any) -> Result:
        """``simpleflow ARGS --endpoint-url URL`` in this process."""
        return CliRunner().invoke(main, [*args, "--endpoint-url", self.endpoint_url], **options)

    def environment(self) -> dict[str, str]:
        """The environment of a ``simpleflow`` subprocess talking to this service."""
        return {**os.environ, "AWS_ENDPOINT_URL_SWF": self.endpoint_url, "SWF_DOMAIN": DOMAIN}

    def popen(self, *args: str, **options: Any) -> subprocess.Popen[bytes]:
        """``simpleflow ARGS`` as a real process on this service."""
        return subprocess.Popen(
            [sys.executable, "-m", "simpleflow", *args], env=self.environment(), **options
        )


@pytest.fixture(scope="package")
def service() -> Iterator[Service]:
    from simpleflow.localswf.embedded import embedded_server, make_local_client

    # Short long polls: a test polling an empty list gets its answer in a second, not SWF's sixty.
    with embedded_server(poll_timeout=1.0) as server:
        client = make_local_client(server.endpoint_url)
        driver = Driver(client)
        driver.register()
        yield Service(server.endpoint_url, client, driver)


_ids = itertools.count()


@pytest.fixture
def fresh_id() -> str:
    """A workflow id no other test of this package uses."""
    return f"cli-{next(_ids)}"


@pytest.fixture
def driver(service: Service, fresh_id: str) -> Driver:
    """A driver on a domain of the test's own, so no other test's decision task is taken by mistake."""
    own = Driver(service.client, domain=f"domain-{fresh_id}")
    own.register()
    return own


__all__ = ["DOMAIN", "Service"]
