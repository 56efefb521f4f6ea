"""Fixtures for the SWF access layer: a moto server on loopback and clients bound to it."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from simpleflow.swf.client import make_client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto server (an independent SWF implementation) on a free loopback port."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def swf_client(moto_endpoint: str) -> Any:
    """A client made by simpleflow's factory, pointed at the moto server."""
    return make_client(endpoint_url=moto_endpoint)


@pytest.fixture
def domain(swf_client: Any) -> str:
    """A freshly registered domain, unique to the test (the moto server outlives tests)."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    swf_client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    return name
