"""``simpleflow workflow.start``: --local runs of every example, and the one-line errors of bad input."""

from __future__ import annotations

import json

import pytest

from simpleflow.cli.main import main
from simpleflow.runtime.cache import VERIFY_VARIABLE

EXAMPLES = [
    ("examples.basic.BasicWorkflow", "[1, 0]", 4),
    ("examples.fanout.SquaresWorkflow", "[10]", 285),
    ("examples.canvas.CanvasWorkflow", "[3]", {"group": [4, 6], "chain": 9}),
    ("examples.retry.RetryWorkflow", "[7]", {"value": 7, "attempt": 3}),
    ("examples.child.ParentWorkflow", "[[1, 2, 3]]", [4, 8, 12]),
    ("examples.timers.ReminderWorkflow", '["water the plants"]', "reminder: water the plants"),
    ("examples.signals.ApprovalWorkflow", '["report.pdf"]', "report.pdf published, approved by alice"),
]


@pytest.mark.parametrize(
    ("workflow", "input_json", "expected"), EXAMPLES, ids=[path.split(".")[1] for path, _, _ in EXAMPLES]
)
def test_every_example_runs_locally(cli_runner, workflow, input_json, expected):
    result = cli_runner.invoke(main, ["workflow.start", "--local", workflow, "--input", input_json])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1]) == expected


def test_basic_prints_once_after_the_wait(cli_runner, monkeypatch):
    # Counts what run() prints: the live-run check's fresh runs would print again.
    monkeypatch.setenv(VERIFY_VARIABLE, "0")
    result = cli_runner.invoke(
        main, ["workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 0]"]
    )
    # The result is alone on stdout; run()'s print goes to stderr, once.
    assert result.stdout == "4\n"
    assert result.stderr.count("(1 + 1) * 2 = 4") == 1


def test_failing_example_is_one_line_and_non_zero(cli_runner):
    result = cli_runner.invoke(
        main, ["workflow.start", "--local", "examples.failing.FailingWorkflow", "--input", "[-1]"]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "error: TaskFailed: activity-examples.failing.square_root-1: "
        "ValueError: cannot take the square root of -1"
    )


def test_input_file(cli_runner, tmp_path):
    path = tmp_path / "input.json"
    path.write_text('{"args": [2], "kwargs": {"t": 0}}')
    result = cli_runner.invoke(
        main, ["workflow.start", "--local", "examples.basic.BasicWorkflow", "--input-file", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "6"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["examples.basic.BasicWorkflow", "--input", "[1,"], "error: --input is not valid JSON ("),
        (
            ["examples.nope.Workflow", "--input", "[1]"],
            "error: cannot load 'examples.nope.Workflow': no module",
        ),
        (["examples.basic.Nope"], "error: cannot load 'examples.basic.Nope': module 'examples.basic' has no"),
        (["examples.basic.increment"], "is not a Workflow subclass"),
        (["examples/basic.py"], "expected a dotted path like 'examples.basic.ClassName', not a file path"),
        (
            ["examples.basic.BasicWorkflow"],
            "does not fit BasicWorkflow.run(x, t=30): missing a required argument",
        ),
        (["examples.basic.BasicWorkflow", "--input", "[1, 2, 3]"], "too many positional arguments"),
        (
            ["tests.fixtures.runs.NotJSONResultWorkflow"],
            "error: PayloadNotJSON: workflow result: cannot encode",
        ),
    ],
    ids=[
        "malformed-json",
        "no-module",
        "no-attribute",
        "not-a-workflow",
        "file-path",
        "missing-argument",
        "too-many-arguments",
        "result-not-json",
    ],
)
def test_bad_input_is_one_clear_line(cli_runner, arguments, message):
    result = cli_runner.invoke(main, ["workflow.start", "--local", *arguments])
    assert result.exit_code != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    ("workflow", "message"),
    [
        (
            "NotJSONActivityWorkflow",
            "TaskFailed: activity-tests.fixtures.runs.not_json-1: PayloadNotJSON: result",
        ),
        ("UnserializableErrorWorkflow", "UnpicklableError: <the exception's message could not be rendered>"),
    ],
    ids=["activity-result-not-json", "unserializable-exception"],
)
def test_activity_errors_are_reported(cli_runner, workflow, message):
    result = cli_runner.invoke(main, ["workflow.start", "--local", f"tests.fixtures.runs.{workflow}"])
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_debug_shows_the_traceback(cli_runner):
    result = cli_runner.invoke(
        main, ["--debug", "workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1,"]
    )
    assert result.exception is not None
    assert type(result.exception).__name__ == "ConfigurationError"


def test_local_runs_with_the_given_workflow_id_and_tags(cli_runner):
    result = cli_runner.invoke(
        main,
        [
            "workflow.start",
            "--local",
            "tests.fixtures.workflows.WhoAmIWorkflow",
            "--workflow-id",
            "nightly-report",
            "--tags",
            "team:data,env:test",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"workflow_id": "nightly-report", "tags": ["team:data", "env:test"]}


def test_local_honours_the_execution_timeout(cli_runner):
    # The class allows 2 hours for its 1-hour timer; --execution-timeout 60 ends it first (virtual time).
    overstaying = "tests.fixtures.workflows.OverstayingWorkflow"
    assert cli_runner.invoke(main, ["workflow.start", "--local", overstaying]).stdout == '"done"\n'
    result = cli_runner.invoke(main, ["workflow.start", "--local", overstaying, "--execution-timeout", "60"])
    assert result.exit_code != 0
    assert "timed out" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "option", [["--task-list", "elsewhere"], ["--decision-tasks-timeout", "10"]], ids=["task-list", "timeout"]
)
def test_local_refuses_the_options_of_its_own_decider(cli_runner, option):
    basic = ["examples.basic.BasicWorkflow", "--input", "[1, 0]"]
    result = cli_runner.invoke(main, ["workflow.start", "--local", *basic, *option])
    assert result.exit_code == 2
    assert result.stderr == f"error: {option[0]} does not apply with --local (it runs its own decider)\n"
