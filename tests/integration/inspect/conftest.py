"""A real embedded SWF service (over HTTP on loopback) holding hand-made executions, and a CLI driver."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner, Result

from simpleflow.cli.main import main
from tests.fixtures.executions import DOMAIN, Driver, Execution, ManualClock


@dataclass
class World:
    """The service, a client on it, and the executions made before the tests."""

    endpoint_url: str
    client: Any
    driver: Driver
    basic: Execution
    failing: Execution

    def invoke(self, *args: str, **options: Any) -> Result:
        """Run ``simpleflow ARGS`` against this service."""
        return CliRunner().invoke(main, list(args), obj={"swf_client": self.client}, **options)


@pytest.fixture(scope="package")
def world() -> Iterator[World]:
    pytest.importorskip("simpleflow.localswf.service", reason="the embedded SWF engine is not there yet")
    from simpleflow.localswf.embedded import embedded_server, make_local_client

    clock = ManualClock()
    with embedded_server(clock=clock) as server:
        client = make_local_client(server.endpoint_url)
        driver = Driver(client, clock=clock)
        driver.register()
        basic = driver.run_basic("basic-1")
        failing = driver.run_with_failure("failing-1")
        yield World(server.endpoint_url, client, driver, basic, failing)


_ids = itertools.count()


@pytest.fixture
def fresh_id() -> str:
    """A workflow id no other test uses."""
    return f"fresh-{next(_ids)}"


__all__ = ["DOMAIN", "World"]
