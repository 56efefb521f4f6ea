"""``workflow.start --signal NAME``: signal-with-start from the command line, on the embedded service."""

from __future__ import annotations

import pytest

import simpleflow.swf.client
from simpleflow.cli.main import main
from tests.unit.swf.test_signal_with_start import DOMAIN, WORKFLOW_ID, client, open_runs, signals_of

__all__ = ["client"]  # the fixture, shared

START = [
    "workflow.start",
    "tests.unit.swf.test_signal_with_start.Waiter",
    "--domain",
    DOMAIN,
    "--input",
    '["x"]',
]


def test_it_starts_then_signals_the_open_execution(cli_runner, client, monkeypatch):
    monkeypatch.setattr(simpleflow.swf.client, "make_client", lambda **_: client)
    command = [*START, "--workflow-id", WORKFLOW_ID, "--signal", "add", "--signal-input", '{"qty": 1}']
    first = cli_runner.invoke(main, command)
    assert first.exit_code == 0, first.output
    (run_id,) = open_runs(client)
    assert first.output == f"{WORKFLOW_ID} {run_id} started\n"
    second = cli_runner.invoke(main, command)
    assert (second.exit_code, second.output) == (0, f"{WORKFLOW_ID} signaled\n")
    assert signals_of(client, run_id) == [{"qty": 1}, {"qty": 1}]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(
            ["--signal-input", "{}"], "--signal-input needs --signal NAME", id="input-without-signal"
        ),
        pytest.param(["--signal", "add"], "--signal needs --workflow-id", id="no-workflow-id"),
        pytest.param(
            ["--workflow-id", "w", "--signal", "add", "--local"], "does not apply with --local", id="local"
        ),
        pytest.param(
            ["--workflow-id", "w", "--signal", "add", "--signal-input", "{"],
            "--signal-input is not JSON",
            id="bad-json",
        ),
    ],
)
def test_bad_options_are_one_clear_line(cli_runner, client, monkeypatch, arguments, message):
    monkeypatch.setattr(simpleflow.swf.client, "make_client", lambda **_: client)
    result = cli_runner.invoke(main, [*START, *arguments])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert open_runs(client) == []


def test_wait_follows_the_run_it_started_to_its_close(cli_runner, client, monkeypatch):
    monkeypatch.setattr(simpleflow.swf.client, "make_client", lambda **_: client)
    command = [*START, "--workflow-id", WORKFLOW_ID, "--signal", "add", "--execution-timeout", "1", "--wait"]
    result = cli_runner.invoke(main, command)
    assert result.exit_code == 3, result.output  # no decider here: the run times out
    assert f"{WORKFLOW_ID} " in result.output and " started" in result.output
    assert "timed_out" in result.output
