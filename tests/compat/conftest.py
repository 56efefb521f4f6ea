"""The ``engine`` every compat test runs on: ``local`` and ``standalone``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.compat.harness import ENGINES, Outcome, run_workflow

pytestmark = pytest.mark.integration


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """Each compat test runs once per run path."""
    return str(request.param)


@pytest.fixture
def run(engine: str) -> Callable[..., Outcome]:
    """``run("tests.compat.flows_x.MyWorkflow", [1, 2])`` on this test's engine."""

    def run_on_engine(workflow: str, input: Any = (), *options: str, **kwargs: Any) -> Outcome:
        return run_workflow(engine, workflow, input, *options, **kwargs)

    return run_on_engine
