"""The CLI side: decider.start --on-nondeterminism reaches the decider; standalone's exit after a signal."""

from __future__ import annotations

import signal
from typing import Any

import pytest
from click.testing import CliRunner

from simpleflow import standalone as standalone_module
from simpleflow.cli.main import main
from simpleflow.process import decider as decider_module
from simpleflow.process.exit_signals import StoppedBySignal

WORKFLOW = "examples.basic.BasicWorkflow"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The configs start_decider is called with (nothing is started)."""
    calls: list[Any] = []

    def fake_start(config: Any, *, processes: int, grace_period: float) -> int:
        calls.append(config)
        return 0

    monkeypatch.setattr(decider_module, "start_decider", fake_start)
    return calls


@pytest.mark.parametrize(
    ("args", "expected"), [((), "retry"), (("--on-nondeterminism", "fail"), "fail")], ids=["default", "fail"]
)
def test_on_nondeterminism_reaches_the_decider(
    cli_runner: CliRunner, started: list[Any], args: tuple[str, ...], expected: str
) -> None:
    result = cli_runner.invoke(main, ["decider.start", "-d", "D", *args, WORKFLOW])
    assert result.exit_code == 0, result.output
    assert [config.on_nondeterminism for config in started] == [expected]


def test_an_unknown_on_nondeterminism_is_a_usage_error(cli_runner: CliRunner, started: list[Any]) -> None:
    result = cli_runner.invoke(main, ["decider.start", "-d", "D", "--on-nondeterminism", "ignore", WORKFLOW])
    assert result.exit_code == 2
    assert "'ignore' is not one of 'retry', 'fail'" in result.output
    assert started == []


def test_the_option_is_documented(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(main, ["decider.start", "--help"])
    assert "--on-nondeterminism [retry|fail]" in result.output


@pytest.mark.parametrize(
    ("sig", "closed", "code", "line"),
    [
        (signal.SIGINT, [], 130, "stopped by SIGINT: the decider and workers were stopped"),
        (
            signal.SIGTERM,
            ["the execution was terminated"],
            143,
            "stopped by SIGTERM: the execution was terminated, the decider and workers were stopped",
        ),
    ],
    ids=["sigint-before-the-start", "sigterm-while-running"],
)
def test_standalone_stopped_by_a_signal_exits_128_plus_it(
    cli_runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    sig: int,
    closed: list[str],
    code: int,
    line: str,
) -> None:
    def stopped(*args: Any, **kwargs: Any) -> None:
        stop = StoppedBySignal(sig)
        stop.closed.extend(closed)
        raise stop

    monkeypatch.setattr(standalone_module, "run_standalone", stopped)
    result = cli_runner.invoke(main, ["standalone", "--local-swf", WORKFLOW])
    assert result.exit_code == code
    assert result.output.strip().splitlines()[-1] == line
