"""Fixtures for the SWF access layer: each test runs against moto's server and the embedded service."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from simpleflow.localswf.embedded import IN_PROCESS_ENDPOINT
from simpleflow.localswf.inprocess import attach
from simpleflow.localswf.service import SWFService
from simpleflow.swf.client import make_client
from tests.fixtures.moto_swf import moto_swf_server


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto server (an independent SWF implementation) on a free loopback port."""
    with moto_swf_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def boto3_session() -> boto3.session.Session:
    """One session for the suite's clients: it loads botocore's SWF model once, not per test."""
    return boto3.session.Session()


@pytest.fixture(params=["moto", "embedded"])
def swf_client(request: pytest.FixtureRequest, boto3_session: boto3.session.Session) -> Iterator[Any]:
    """A client made by simpleflow's factory, on moto's server or on an in-process embedded service."""
    if request.param == "moto":
        yield make_client(endpoint_url=request.getfixturevalue("moto_endpoint"), session=boto3_session)
        return
    service = SWFService(poll_timeout=0.2)
    client = make_client(endpoint_url=IN_PROCESS_ENDPOINT, session=boto3_session, max_attempts=1)
    attach(client, service)
    yield client
    service.close()


@pytest.fixture
def domain(swf_client: Any) -> str:
    """A freshly registered domain, unique to the test (the moto server outlives tests)."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    swf_client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    return name
