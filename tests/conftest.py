"""Shared fixtures for the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from simpleflow.runtime.cache import VERIFY_VARIABLE

# Every decision a live run makes in the suite (the --local runner, standalone deciders, the executor
# tests) is checked against a fresh run of the whole history: the whole suite is a differential test.
os.environ.setdefault(VERIFY_VARIABLE, "1")


@pytest.fixture
def cli_runner() -> CliRunner:
    """Drives the ``simpleflow`` CLI in process."""
    return CliRunner()


@pytest.fixture
def swf_service() -> Iterator[SWFService]:
    """An embedded SWF service in memory, with short long polls (0.5 s) so empty polls stay cheap."""
    service = SWFService(poll_timeout=0.5)
    yield service
    service.close()


@pytest.fixture
def swf_client(swf_service: SWFService) -> Iterator[Any]:
    """A boto3 ``swf`` client attached in process to ``swf_service``: botocore checks every shape."""
    with embedded_client(swf_service) as client:
        yield client
