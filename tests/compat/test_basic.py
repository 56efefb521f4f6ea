"""The harness itself, on a workflow that runs the same here and upstream."""

from __future__ import annotations

import pytest

from tests.compat.harness import run_workflow


def test_unpacking_wait_gives_the_results(run):
    assert run("tests.compat.flows_basic.UnpackWaitWorkflow", [3]).result == {"y": 4, "z": 6}


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown engine"):
        run_workflow("lambda", "tests.compat.flows_basic.UnpackWaitWorkflow")
