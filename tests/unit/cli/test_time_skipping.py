"""The clock options of ``standalone`` and ``localswf.start``: which are honoured, which are refused."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.cli.main import main
from simpleflow.cli.standalone import check_clock_options
from simpleflow.exceptions import ConfigurationError


@pytest.mark.parametrize(
    ("time_skipping", "real_time", "local_swf", "refused"),
    [
        (False, False, True, None),
        (True, False, True, None),
        (False, True, True, None),
        (False, True, False, None),
        (False, False, False, None),
        (True, False, False, "--time-skipping needs --local-swf"),
        (True, True, True, "not both"),
        (True, True, False, "not both"),
    ],
    ids=[
        "local-default",
        "local-skipping",
        "local-real-time",
        "remote-real-time",
        "remote-default",
        "remote-skipping",
        "both-local",
        "both-remote",
    ],
)
def test_the_clock_option_rule(
    time_skipping: bool, real_time: bool, local_swf: bool, refused: str | None
) -> None:
    if refused is None:
        check_clock_options(time_skipping=time_skipping, real_time=real_time, local_swf=local_swf)
    else:
        with pytest.raises(ConfigurationError, match=refused):
            check_clock_options(time_skipping=time_skipping, real_time=real_time, local_swf=local_swf)


@pytest.mark.parametrize(
    "arguments",
    [
        ["standalone", "--endpoint-url", "http://127.0.0.1:9", "-d", "D", "examples.timers.ReminderWorkflow"],
        ["standalone", "-d", "D", "examples.timers.ReminderWorkflow"],
    ],
    ids=["endpoint", "amazon-swf"],
)
def test_standalone_refuses_time_skipping_it_cannot_do_in_one_line(
    cli_runner: Any, arguments: list[str]
) -> None:
    result = cli_runner.invoke(main, [*arguments, "--time-skipping"])
    assert result.exit_code == ConfigurationError.exit_code
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: --time-skipping needs --local-swf: Amazon SWF")


@pytest.mark.parametrize(
    ("command", "options"),
    [("standalone", ("--time-skipping", "--real-time")), ("localswf.start", ("--time-skipping",))],
    ids=["standalone", "localswf-start"],
)
def test_help_explains_the_clock_options(cli_runner: Any, command: str, options: tuple[str, ...]) -> None:
    result = cli_runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    for option in options:
        assert option in result.output
    assert "next timer or timeout" in result.output
