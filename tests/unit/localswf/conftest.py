"""Fixtures for the engine tests: a driver over the in-process client."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.localswf.driver import Driver


@pytest.fixture
def swf(swf_client: Any) -> Driver:
    """A driver with the test domain, one workflow type and one activity type registered."""
    return Driver(swf_client).setup()
