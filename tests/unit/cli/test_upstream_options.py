"""simpleflow 0.x's options on workflow.start, worker.start, decider.start and standalone.

Each one either works or is refused with one line naming the difference; nothing here starts a process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from simpleflow.cli.main import main

FLOWS = "tests.compat.flows_cli"


@pytest.fixture(autouse=True)
def restore_log_level(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """--log-level sets LOG_LEVEL and simpleflow's logger level: put both back."""
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    logger = logging.getLogger("simpleflow")
    level = logger.level
    yield
    logger.setLevel(level)


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param(
            ["worker.start", "-d", "D", "-t", "T", "--process-mode", "kubernetes"],
            "error: --process-mode kubernetes is not supported: "
            "run worker.start in the pod (or a Job) instead",
            id="kubernetes",
        ),
        pytest.param(
            ["worker.start", "-d", "D", "--poll-data", "e30="],
            "error: --poll-data is not supported: "
            "run worker.start --one-task --task-list LIST to handle one task",
            id="poll-data",
        ),
        pytest.param(
            ["standalone", "--local-swf", f"{FLOWS}.MiddlewareWorkflow", "--force-activities", "x"],
            "error: --force-activities only applies with --repair",
            id="force-without-repair",
        ),
    ],
)
def test_unsupported_upstream_options_are_one_line(cli_runner, arguments, expected) -> None:
    assert one_line_error(cli_runner.invoke(main, arguments)) == expected


def test_force_activities_with_repair_says_what_repair_does(cli_runner) -> None:
    arguments = [
        "standalone",
        "-d",
        "D",
        f"{FLOWS}.MiddlewareWorkflow",
        "--repair",
        "wf",
        "--force-activities",
        "a",
    ]
    line = one_line_error(cli_runner.invoke(main, arguments))
    assert line.startswith("error: --force-activities is not supported: --repair reuses every activity")


def test_worker_start_still_needs_a_task_list(cli_runner) -> None:
    result = cli_runner.invoke(main, ["worker.start", "-d", "D"])
    assert result.exit_code == 2
    assert "Missing option '--task-list' / '-t'." in result.output


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(
            ["worker.start", "-d", "D", "-t", "T", "-N", "2", "-l", "info", "--heartbeat", "0"],
            id="worker.start",
        ),
        pytest.param(
            [
                "standalone",
                "-d",
                "D",
                "-i",
                "[1]",
                "-W",
                "2",
                "-D",
                "2",
                "--heartbeat",
                "0",
                "--display-status",
                "true",
            ],
            id="standalone",
        ),
        pytest.param(
            ["workflow.start", "--local", "-i", "[1]", f"{FLOWS}.MiddlewareWorkflow"], id="workflow.start"
        ),
    ],
)
def test_upstream_short_options_parse(cli_runner, arguments) -> None:
    # Every option parses: the run stops at the (deliberately) bad middleware path, before starting anything.
    if arguments[0] == "standalone":
        arguments = [*arguments, f"{FLOWS}.MiddlewareWorkflow"]
    result = cli_runner.invoke(main, [*arguments, "--middleware-pre-execution", "no_such_module_z.f"])
    assert one_line_error(result) == (
        "error: --middleware-pre-execution 'no_such_module_z.f': no module named 'no_such_module_z'"
    )


def test_log_level_sets_simpleflows_level(cli_runner) -> None:
    cli_runner.invoke(main, ["worker.start", "-d", "D", "-t", "T", "-l", "ERROR", "--poll-data", "x"])
    assert logging.getLogger("simpleflow").level == logging.ERROR


def test_decider_start_short_options_parse(cli_runner) -> None:
    result = cli_runner.invoke(
        main, ["decider.start", "-d", "D", "-t", "T", "-N", "1", "-l", "debug", "nomod_q.W"]
    )
    assert one_line_error(result).startswith("error: cannot load 'nomod_q.W'")


def test_the_global_color_option_is_accepted(cli_runner) -> None:
    result = cli_runner.invoke(main, ["--color", "never", "worker.start", "-d", "D", "--poll-data", "x"])
    assert one_line_error(result).startswith("error: --poll-data is not supported")
