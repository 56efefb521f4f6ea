"""decider.start's live-run options: what reaches the decider's configuration, and bad values."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.cli.main import main
from simpleflow.process import decider as decider_module
from simpleflow.runtime.bounds import DEFAULT_MAX_BYTES, DEFAULT_MAX_RUNS

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


def test_defaults_keep_live_runs_and_poll_a_list_of_its_own(cli_runner, started) -> None:
    result = cli_runner.invoke(main, ["decider.start", "-d", "D", WORKFLOW])
    assert result.exit_code == 0, result.output
    (config,) = started
    assert (config.cache_runs, config.cache_bytes) == (DEFAULT_MAX_RUNS, DEFAULT_MAX_BYTES)
    assert config.affinity_timeout == 10


def test_the_options_reach_the_config(cli_runner, started) -> None:
    args = [
        "decider.start",
        "-d",
        "D",
        "--cache-runs",
        "5",
        "--cache-memory",
        "64",
        "--affinity-timeout",
        "0",
    ]
    result = cli_runner.invoke(main, [*args, WORKFLOW])
    assert result.exit_code == 0, result.output
    (config,) = started
    assert (config.cache_runs, config.cache_bytes, config.affinity_timeout) == (5, 64 * 2**20, None)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--cache-runs", "-1"), ("--cache-memory", "0"), ("--cache-runs", "many"), ("--affinity-timeout", "-3")],
)
def test_bad_values_are_refused_with_clicks_message(cli_runner, started, option: str, value: str) -> None:
    result = cli_runner.invoke(main, ["decider.start", "-d", "D", option, value, WORKFLOW])
    assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output
    assert started == []
