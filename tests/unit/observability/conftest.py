"""Each test that sets logging up gets the process's logging and environment back afterwards."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


@pytest.fixture
def clean_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Restore the root logger's handlers and level, botocore's level and the logging variables."""
    root = logging.getLogger()
    botocore = logging.getLogger("botocore")
    handlers, level, botocore_level = list(root.handlers), root.level, botocore.level
    for name in ("LOG_LEVEL", "SIMPLEFLOW_LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        botocore.setLevel(botocore_level)
