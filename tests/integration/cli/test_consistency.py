"""The options and behaviours every command shares, as a user meets them on a real service."""

from __future__ import annotations

import json
import subprocess

import click
import pytest

from simpleflow.cli.main import main

pytestmark = pytest.mark.integration


def start_timer(timer_id: str, seconds: int = 3600) -> dict:
    return {
        "decisionType": "StartTimer",
        "startTimerDecisionAttributes": {"timerId": timer_id, "startToFireTimeout": str(seconds)},
    }


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--debug", "workflow.info", "nowhere-id"], id="before"),
        pytest.param(["workflow.info", "nowhere-id", "--debug"], id="after"),
    ],
)
def test_debug_on_either_side_shows_the_traceback(service, driver, args):
    result = service.invoke(*args, "--domain", driver.domain)
    assert result.exit_code == 1
    assert "UnknownResource" in type(result.exception).__name__


def test_without_debug_an_error_is_one_line(service, driver):
    result = service.invoke("workflow.info", "nowhere-id", "--domain", driver.domain)
    assert result.exit_code != 0
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "no execution of workflow 'nowhere-id'" in result.stderr


def test_info_is_vertical_by_default(service, driver, fresh_id):
    run = driver.run_basic(fresh_id)
    result = service.invoke("workflow.info", fresh_id, "--domain", driver.domain)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"run_id                 {run.run_id}" in lines
    assert "close_status           COMPLETED" in lines
    assert max(len(line) for line in lines) < 100


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param(["--format", "tabular"], {}, id="option"),
        pytest.param([], {"SIMPLEFLOW_FORMAT": "tabular"}, id="environment"),
    ],
)
def test_info_is_one_row_when_asked(service, driver, fresh_id, args, env):
    driver.run_basic(fresh_id)
    result = service.invoke("workflow.info", fresh_id, "--domain", driver.domain, *args, env=env)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2  # the header and the one row


def test_json_and_jsonl_give_objects(service, driver, fresh_id):
    driver.run_basic(fresh_id)
    as_json = service.invoke("workflow.tasks", fresh_id, "--domain", driver.domain, "--format", "json")
    as_jsonl = service.invoke("--format", "jsonl", "workflow.tasks", fresh_id, "--domain", driver.domain)
    assert as_json.exit_code == 0 and as_jsonl.exit_code == 0, as_json.output + as_jsonl.output
    tasks = json.loads(as_json.stdout)
    assert [task["task_id"] for task in tasks] == ["activity-double-1", "activity-increment-1"]
    assert [json.loads(line) for line in as_jsonl.stdout.splitlines()] == tasks


@pytest.mark.parametrize("command", ["workflow.tasks", "workflow.profile"], ids=str)
def test_internal_timers_are_hidden_unless_all(service, driver, fresh_id, command):
    driver.start(fresh_id)
    driver.decide([start_timer("_simpleflow-wake-1"), start_timer("reminder")])

    def task_ids(*extra: str) -> list[str]:
        result = service.invoke(command, fresh_id, "--domain", driver.domain, "--format", "jsonl", *extra)
        assert result.exit_code == 0, result.output
        return sorted(json.loads(line)["task_id"] for line in result.stdout.splitlines())

    assert task_ids() == ["reminder"]
    assert task_ids("--all") == ["_simpleflow-wake-1", "reminder"]


def closed_reader_run(service, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``simpleflow ARGS`` with a stdout whose reader is already gone, as under ``| head -1``
    once head has exited: the first write fails with EPIPE."""
    process = service.popen(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read()
    process.stderr.close()
    return subprocess.CompletedProcess(process.args, process.wait(timeout=60), b"", stderr)


def test_a_closed_pipe_ends_the_command_quietly(service, driver, fresh_id):
    driver.run_basic(fresh_id)
    done = closed_reader_run(service, "workflow.list", driver.domain, "--status", "all")
    assert (done.returncode, done.stderr) == (0, b"")


def test_profile_writes_its_timeline_though_the_pipe_is_closed(service, driver, fresh_id, tmp_path):
    driver.run_basic(fresh_id)
    path = tmp_path / "run.svg"
    done = closed_reader_run(
        service, "workflow.profile", "--domain", driver.domain, fresh_id, "--timeline", str(path)
    )
    assert done.returncode == 0
    assert done.stderr.decode() == f"timeline written to {path}\n"
    assert "activity-double-1" in path.read_text()


def every_option() -> list[tuple[str, click.Parameter]]:
    found = [("simpleflow", param) for param in main.params]
    for name, command in sorted(main.commands.items()):
        found.extend((name, param) for param in command.params)
    return [(name, param) for name, param in found if isinstance(param, click.Option) and not param.hidden]


@pytest.mark.parametrize(
    ("command", "option"), every_option(), ids=[f"{n}:{p.opts[0]}" for n, p in every_option()]
)
def test_every_option_has_help_without_markup(command, option):
    assert option.help and len(option.help) > 10
    assert "``" not in option.help and ":class:" not in option.help


@pytest.mark.parametrize("name", sorted(main.commands), ids=str)
def test_help_is_plain_text(cli_runner, name):
    result = cli_runner.invoke(main, [name, "--help"], prog_name="simpleflow")
    assert result.exit_code == 0, result.output
    assert "``" not in result.output and ":class:`" not in result.output and ":func:`" not in result.output
    assert "--debug" in result.output


def test_main_help_is_plain_text(cli_runner):
    result = cli_runner.invoke(main, ["--help"], prog_name="simpleflow")
    assert "``" not in result.output
    assert "Run simpleflow COMMAND --help" in result.output


def test_task_info_is_vertical_by_default(service, driver, fresh_id):
    driver.run_basic(fresh_id)
    result = service.invoke("task.info", fresh_id, "activity-double-1", "--domain", driver.domain)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.split() == ["task_id", "activity-double-1"] for line in lines)
    assert len(lines) > 5
