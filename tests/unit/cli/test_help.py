from __future__ import annotations

import click
import pytest

from simpleflow.cli.main import main


def all_commands() -> list[str]:
    return sorted(main.commands)


@pytest.mark.parametrize("name", all_commands(), ids=str)
def test_every_command_has_help(cli_runner, name):
    result = cli_runner.invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: main {name}" in result.output or f"Usage: simpleflow {name}" in result.output
    command = main.commands[name]
    assert command.help and len(command.help.strip()) > 20


INSPECTION_COMMANDS = [
    "workflow.list",
    "workflow.filter",
    "workflow.info",
    "workflow.tasks",
    "workflow.profile",
    "workflow.history",
    "workflow.terminate",
    "workflow.restart",
    "workflow.signal",
    "workflow.cancel",
    "task.info",
    "activity.rerun",
    "domain.register",
    "domain.list",
]


@pytest.mark.parametrize("name", INSPECTION_COMMANDS, ids=str)
def test_inspection_commands_are_registered_with_an_example(name):
    command = main.commands[name]
    assert isinstance(command, click.Command)
    assert "Example:" in (command.help or "") and f"simpleflow {name}" in (command.help or "").replace(
        "simpleflow --header ", "simpleflow "
    ).replace("simpleflow --format human ", "simpleflow ")
