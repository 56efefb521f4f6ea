"""Servers and clients for the conformance suites: moto, and the embedded service on every transport.

The transports: botocore in process (``before-send``), botocore over HTTP, and the direct client, which
skips botocore's pipeline and must answer exactly as the first (tests/conformance/test_direct_client.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from botocore.config import Config

from simpleflow.localswf.embedded import embedded_client, embedded_direct_client, make_local_client
from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.service import SWFService
from tests.fixtures.moto_swf import moto_swf_server

TRANSPORTS = ["in-process", "http", "direct"]


def moto_client(endpoint_url: str) -> Any:
    """A client for moto's server; signed with dummy credentials, since moto routes by the signature."""
    return boto3.session.Session().client(
        "swf",
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=30),
    )


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's ThreadedMotoServer on 127.0.0.1 and a free port, for the whole session."""
    with moto_swf_server() as endpoint:
        yield endpoint


@pytest.fixture
def service() -> Iterator[SWFService]:
    """A fresh embedded service in memory; empty polls hold 0.5 s."""
    running = SWFService(poll_timeout=0.5)
    yield running
    running.close()


@contextmanager
def make_transport_client(transport: str, service: SWFService) -> Iterator[Any]:
    """A boto3 ``swf`` client on ``service`` through ``transport`` (one of :data:`TRANSPORTS`)."""
    if transport == "in-process":
        with embedded_client(service) as attached:
            yield attached
    elif transport == "direct":
        with embedded_direct_client(service) as direct:
            yield direct
    else:
        with LocalSWFServer(service) as server:
            yield make_local_client(server.endpoint_url, read_timeout=30)


@pytest.fixture(params=TRANSPORTS)
def client(request: pytest.FixtureRequest, service: SWFService) -> Iterator[Any]:
    """An ``swf`` client on the embedded service, once per transport."""
    with make_transport_client(request.param, service) as transport_client:
        yield transport_client


@pytest.fixture
def http_client(service: SWFService) -> Iterator[Any]:
    """A boto3 ``swf`` client on the embedded service over HTTP."""
    with LocalSWFServer(service) as server:
        yield make_local_client(server.endpoint_url, read_timeout=30)
