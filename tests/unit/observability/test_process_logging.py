"""configure_logging: level and format from the environment, handed on to children; crashes logged."""

from __future__ import annotations

import json
import logging
import os
import re

import pytest

from simpleflow.exceptions import ConfigurationError
from simpleflow.observability.process_logging import configure_logging, logged_crash

TEXT_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) \[(?P<pid>\d+)\] (?P<name>[\w.]+): "
)


def ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "simpleflow_handler", False)]


def test_text_lines_carry_time_level_and_pid(capsys, clean_logging):
    configure_logging()
    logging.getLogger("tests.observability").info("hello")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    match = TEXT_LINE.match(line)
    assert match, line
    assert (match["level"], int(match["pid"]), match["name"]) == ("INFO", os.getpid(), "tests.observability")


def test_the_environment_gives_level_and_format(capsys, clean_logging, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "warning")
    monkeypatch.setenv("SIMPLEFLOW_LOG_FORMAT", "json")
    configure_logging()
    logging.getLogger("tests.observability").info("not shown")
    logging.getLogger("tests.observability").warning("shown")
    lines = capsys.readouterr().err.strip().splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["shown"]


def test_given_values_are_written_for_children(clean_logging):
    configure_logging(level="debug", log_format="json")
    assert os.environ["LOG_LEVEL"] == "DEBUG"
    assert os.environ["SIMPLEFLOW_LOG_FORMAT"] == "json"
    assert logging.getLogger("botocore").level == logging.DEBUG


def test_a_second_call_replaces_only_its_own_handler(clean_logging):
    foreign = logging.NullHandler()
    logging.getLogger().addHandler(foreign)
    configure_logging()
    configure_logging(log_format="json")
    assert len(ours()) == 1
    assert foreign in logging.getLogger().handlers


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        pytest.param("LOG_LEVEL", "LOUD", "not a logging level", id="level"),
        pytest.param("SIMPLEFLOW_LOG_FORMAT", "xml", "expected one of text, json", id="format"),
    ],
)
def test_bad_values_are_one_clear_error(clean_logging, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    before = list(logging.getLogger().handlers)
    with pytest.raises(ConfigurationError, match=message):
        configure_logging()
    assert logging.getLogger().handlers == before  # nothing half set up


def test_a_crash_is_logged_with_its_traceback_then_exits_1(capsys, clean_logging):
    configure_logging(log_format="json")
    with (
        pytest.raises(SystemExit) as exited,
        logged_crash(logging.getLogger("tests.observability"), "poller x"),
    ):
        raise RuntimeError("broken poller")
    assert exited.value.code == 1
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["level"] == "CRITICAL"
    assert line["message"] == "poller x crashed"
    assert "RuntimeError: broken poller" in line["traceback"]


def test_system_exit_passes_through_unlogged(capsys, clean_logging):
    configure_logging()
    with (
        pytest.raises(SystemExit) as exited,
        logged_crash(logging.getLogger("tests.observability"), "poller"),
    ):
        raise SystemExit(3)
    assert exited.value.code == 3
    assert "crashed" not in capsys.readouterr().err
