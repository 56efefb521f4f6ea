"""Fixtures for the process model: a moto server on loopback and clients bound to it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

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


@pytest.fixture
def swf_client(moto_endpoint: str, boto3_session: boto3.session.Session) -> Any:
    """A client made by simpleflow's factory, pointed at the moto server."""
    return make_client(endpoint_url=moto_endpoint, session=boto3_session)


@pytest.fixture
def domain(swf_client: Any) -> str:
    """A freshly registered domain, unique to the test (the moto server outlives tests)."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    swf_client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    return name
