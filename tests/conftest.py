"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest
from click.testing import CliRunner


@pytest.fixture
def cli_runner() -> CliRunner:
    """Drives the ``simpleflow`` CLI in process."""
    return CliRunner()
