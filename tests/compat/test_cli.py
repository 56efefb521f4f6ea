"""CLI and environment forms of upstream simpleflow 0.36: middlewares, run-time activities, jumbo fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compat.harness import run_workflow

FLOWS = "tests.compat.flows_cli"
PRE1, PRE2, POST = f"{FLOWS}.first_pre", f"{FLOWS}.second_pre", f"{FLOWS}.record_post"
MIDDLEWARES = (
    "--middleware-pre-execution",
    PRE1,
    "--middleware-pre-execution",
    PRE2,
    "--middleware-post-execution",
    POST,
)


def read_log(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_middlewares_run_around_each_activity_in_order(run, tmp_path):
    log = tmp_path / "middlewares.log"
    outcome = run(f"{FLOWS}.MiddlewareWorkflow", [3], *MIDDLEWARES, env={"COMPAT_MIDDLEWARE_LOG": str(log)})
    assert outcome.result == [4, 8]
    increment, double = f"activity-{FLOWS}.increment-1", f"activity-{FLOWS}.double-1"
    assert read_log(log) == [
        f"pre1 {increment} True",
        f"pre2 {increment}",
        f"post {increment} 4",
        f"pre1 {double} True",
        f"pre2 {double}",
        f"post {double} 8",
    ]


def test_post_middleware_is_skipped_when_the_activity_raises(run, tmp_path):
    log = tmp_path / "middlewares.log"
    options = ("--middleware-pre-execution", PRE2, "--middleware-post-execution", POST)
    env = {"COMPAT_MIDDLEWARE_LOG": str(log)}
    outcome = run(f"{FLOWS}.FailingMiddlewareWorkflow", [3], *options, env=env)
    assert outcome.result == {"failed": True, "after": 4}
    broken, increment = f"activity-{FLOWS}.broken-1", f"activity-{FLOWS}.increment-1"
    assert read_log(log) == [f"pre2 {broken}", f"pre2 {increment}", f"post {increment} 4"]


def test_a_raising_pre_middleware_fails_the_task_with_its_error(run):
    outcome = run(f"{FLOWS}.RefusedWorkflow", [3], "--middleware-pre-execution", f"{FLOWS}.refusing_pre")
    assert "RuntimeError: refused by the pre-execution middleware" in outcome.result


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        pytest.param(f"{FLOWS}.missing", f"module {FLOWS!r} has no attribute 'missing'", id="attr"),
        pytest.param("no_such_module.func", "no module named 'no_such_module'", id="module"),
        pytest.param("nodots", "expected a dotted path", id="not-dotted"),
    ],
)
def test_a_bad_middleware_path_is_one_line_before_anything_starts(engine, tmp_path, path, problem):
    log = tmp_path / "middlewares.log"
    outcome = run_workflow(
        engine,
        f"{FLOWS}.MiddlewareWorkflow",
        [3],
        "--middleware-post-execution",
        path,
        env={"COMPAT_MIDDLEWARE_LOG": str(log)},
        timeout=60,
    )
    assert outcome.returncode == 2
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith(f"error: --middleware-post-execution {path!r}: ")
    assert problem in lines[0]
    assert outcome.stdout == ""
    assert not log.exists()


def test_middlewares_need_local_on_workflow_start(tmp_path):
    import subprocess

    from simpleflow.children import simpleflow_command

    done = subprocess.run(
        simpleflow_command(
            "workflow.start",
            f"{FLOWS}.MiddlewareWorkflow",
            "-i",
            "[1]",
            "-d",
            "any",
            "--middleware-pre-execution",
            PRE1,
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: --middleware-pre-execution only applies with --local "
        "(give middlewares to worker.start instead)"
    )


def test_activities_decorated_inside_run_on_a_run_time_task_list(run):
    assert run(f"{FLOWS}.DynamicTaskListWorkflow", [3, "chosen-at-run-time"]).result == [9, 9]
