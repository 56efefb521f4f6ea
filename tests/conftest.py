"""Shared fixtures for the whole suite."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from simpleflow.observability.process_logging import LEVEL_ENV, LOG_FORMAT_ENV
from simpleflow.runtime.cache import VERIFY_VARIABLE

# Every decision a live run makes in the suite (the --local runner, standalone deciders, the executor
# tests) is checked against a fresh run of the whole history: the whole suite is a differential test.
os.environ.setdefault(VERIFY_VARIABLE, "1")


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """Each test leaves logging as it found it.

    A command run in process configures logging for the process (the root logger's handler and level,
    botocore's level) and writes ``LOG_LEVEL`` / the log format to the environment for its children: a
    ``--debug`` run would otherwise send DEBUG lines to the stderr of every later command in the process,
    which made the suite depend on its order (seen with ``SIMPLEFLOW_TEST_WORKERS=2``).
    """
    variables = {name: os.environ.get(name) for name in (LEVEL_ENV, LOG_FORMAT_ENV)}
    loggers = [logging.getLogger(), logging.getLogger("botocore"), logging.getLogger("simpleflow")]
    saved = [(logger, logger.level, list(logger.handlers)) for logger in loggers]
    yield
    for name, value in variables.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    for logger, level, handlers in saved:
        logger.setLevel(level)
        logger.handlers[:] = handlers


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
