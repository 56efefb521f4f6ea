"""Fixtures for the engine tests: a driver over the in-process client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from simpleflow.localswf.clock import VirtualClock
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import Driver


@pytest.fixture
def swf(swf_client: Any) -> Driver:
    """A driver with the test domain, one workflow type and one activity type registered."""
    return Driver(swf_client).setup()


@pytest.fixture
def virtual_clock() -> VirtualClock:
    """A virtual clock whose idle-skip waits 1 s of real quiet: longer than a gap between two calls of a
    test, even on a loaded machine, so time only skips where a test waits for it with a long poll."""
    return VirtualClock(quiet_period=1.0)


@pytest.fixture
def virtual_swf(virtual_clock: VirtualClock) -> Iterator[Driver]:
    """A driver over a service running on ``virtual_clock``, with 3-second long polls."""
    service = SWFService(poll_timeout=3.0, clock=virtual_clock)
    with embedded_client(service) as client:
        yield Driver(client).setup()
    service.close()
