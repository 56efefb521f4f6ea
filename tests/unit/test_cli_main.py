from __future__ import annotations

import click
import pytest

from simpleflow.cli.main import main
from simpleflow.exceptions import ConfigurationError


@pytest.fixture
def failing_command():
    @click.command("test.fail")
    def fail() -> None:
        raise ConfigurationError("the setting X is wrong")

    main.add_command(fail)
    yield
    main.commands.pop("test.fail")


def test_version(cli_runner):
    result = cli_runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert "simpleflow" in result.output


def test_simpleflow_error_is_one_line_and_exit_code(cli_runner, failing_command):
    result = cli_runner.invoke(main, ["test.fail"])
    assert result.exit_code == ConfigurationError.exit_code
    assert result.output.strip() == "error: the setting X is wrong"


def test_debug_shows_the_exception(cli_runner, failing_command):
    result = cli_runner.invoke(main, ["--debug", "test.fail"])
    assert isinstance(result.exception, ConfigurationError)
