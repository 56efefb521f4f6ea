from __future__ import annotations

import pytest

from simpleflow.cli.main import main


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        pytest.param("bash", "complete -o nosort -F _simpleflow_completion simpleflow", id="bash"),
        pytest.param("zsh", "compdef _simpleflow_completion simpleflow", id="zsh"),
        pytest.param("fish", "complete --no-files --command simpleflow", id="fish"),
    ],
)
def test_completion_script_for_each_shell(cli_runner, shell, marker):
    result = cli_runner.invoke(
        main, [], prog_name="simpleflow", env={"_SIMPLEFLOW_COMPLETE": f"{shell}_source"}
    )
    assert result.exit_code == 0
    assert marker in result.output


def test_format_values_complete(cli_runner):
    env = {"_SIMPLEFLOW_COMPLETE": "bash_complete", "COMP_WORDS": "simpleflow --format pr", "COMP_CWORD": "2"}
    result = cli_runner.invoke(main, [], prog_name="simpleflow", env=env)
    assert result.output.split() == ["plain,prettyjson"]
