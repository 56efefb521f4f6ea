"""``simpleflow schedule.*`` against the embedded service in process, a decider played by the test."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from simpleflow.cli.main import main
from simpleflow.executor import Executor
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from simpleflow.schedules import ScheduleWorkflow

NIGHTLY = "tests.unit.schedules.scheduled.Nightly"
_domains = itertools.count()


@pytest.fixture(scope="module")
def module_client() -> Iterator[Any]:
    """One in-memory service for the module (made once: it takes a moment); each test has its domain."""
    service = SWFService(poll_timeout=0.5)
    try:
        with embedded_client(service) as client:
            yield client
    finally:
        service.close()


@pytest.fixture
def client(module_client: Any) -> Any:
    return module_client


@pytest.fixture
def domain(client: Any) -> str:
    name = f"schedules-{next(_domains)}"
    client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    return name


@pytest.fixture
def invoke(cli_runner, client, domain):
    """``simpleflow COMMAND --domain <the test's domain> ARGS...`` in process, on the module's service."""

    def run(command: str, *arguments: str) -> Any:
        return cli_runner.invoke(main, [command, "--domain", domain, *arguments], obj={"swf_client": client})

    return run


def error_lines(result: Any) -> list[str]:
    """What the command reported (log records another test left configured may be mixed in)."""
    assert "Traceback" not in result.output
    return [line for line in result.output.splitlines() if line.startswith("error:")]


def decide(client: Any, domain: str, *, task_list: str = "schedules-tests") -> list[dict[str, Any]]:
    """Answer the scheduler's next decision task as a decider would; returns the decisions."""
    task = client.poll_for_decision_task(domain=domain, taskList={"name": task_list})
    assert task.get("taskToken"), "no decision task for the scheduler"
    assert task["workflowType"]["name"] == ScheduleWorkflow.name
    replay = Executor(ScheduleWorkflow).replay(task)
    client.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=replay.decisions, executionContext=replay.execution_context
    )
    return replay.decisions


def describe(invoke) -> dict[str, Any]:
    result = invoke("schedule.describe", "nightly", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)[0]  # type: ignore[no-any-return]


def create(invoke, *options: str) -> Any:
    return invoke("schedule.create", "nightly", NIGHTLY, "--input", "[3]", *options)


def test_a_schedule_from_create_to_delete(invoke, client, domain):
    created = create(invoke, "--cron", "0 3 * * *")
    assert created.exit_code == 0, created.output
    name, run_id = created.stdout.split()
    assert name == "nightly" and run_id
    described = client.describe_workflow_execution(
        domain=domain, execution={"workflowId": name, "runId": run_id}
    )
    assert described["executionConfiguration"]["childPolicy"] == "ABANDON"
    assert described["executionConfiguration"]["taskList"] == {"name": "schedules-tests"}

    decisions = decide(client, domain)
    assert [d["decisionType"] for d in decisions] == ["StartTimer"]
    view = describe(invoke)
    assert view["workflow"] == NIGHTLY
    assert view["cadence"] == "cron '0 3 * * *' (UTC)"
    assert view["paused"] is False
    assert len(view["next_fires"]) == 3
    assert all(fire.endswith("03:00:00+00:00") for fire in view["next_fires"])
    assert view["scheduler_run_id"] == run_id

    assert invoke("schedule.pause", "nightly").stdout == "pause requested for nightly\n"
    decide(client, domain)
    view = describe(invoke)
    assert (view["paused"], view["next_fires"]) == (True, [])

    assert invoke("schedule.trigger", "nightly").exit_code == 0
    decide(client, domain)
    view = describe(invoke)
    assert view["started"] == 1
    (last_run,) = view["last_runs"]
    assert last_run.startswith("nightly-") and last_run.endswith("-trigger-1 (running)")

    assert invoke("schedule.resume", "nightly").exit_code == 0
    decide(client, domain)
    assert describe(invoke)["paused"] is False

    listed = invoke("schedule.list", "--format", "json")
    assert [row["name"] for row in json.loads(listed.stdout)] == ["nightly"]

    deleted = invoke("schedule.delete", "nightly")
    assert deleted.stdout == "deleted nightly\n"
    assert json.loads(invoke("schedule.list", "--format", "json").stdout) == []
    # The run it started goes on: the scheduler's child policy is ABANDON (the service starts a child a
    # moment after the decision, hence the wait).
    deadline = time.monotonic() + 10
    while True:
        open_runs = client.list_open_workflow_executions(
            domain=domain, startTimeFilter={"oldestDate": 0}, typeFilter={"name": "tests.schedules.Nightly"}
        )["executionInfos"]
        if open_runs or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [info["execution"]["workflowId"] for info in open_runs] == [last_run.split()[0]]


def test_an_interval_schedule(invoke, client, domain):
    assert create(invoke, "--every", "15m", "--overlap", "allow_all", "--start", "independent").exit_code == 0
    decide(client, domain)
    view = describe(invoke)
    assert (view["cadence"], view["overlap"], view["start"]) == ("every 900 s", "allow_all", "independent")
    assert all(fire[14:16] in ("00", "15", "30", "45") for fire in view["next_fires"])


def test_a_name_taken_is_refused(invoke, domain):
    assert create(invoke, "--every", "1h").exit_code == 0
    again = create(invoke, "--every", "1h")
    assert again.exit_code == 1
    assert error_lines(again) == [
        f"error: a schedule named 'nightly' already exists in domain '{domain}'; "
        "delete it first (simpleflow schedule.delete) or choose another name"
    ]


CREATE_ERRORS = [
    (["--cron", "0 3 * *"], "schedule cron: '0 3 * *' is not a cron expression"),
    (["--every", "15x"], "schedule every: '15x' is not an interval"),
    (["--every", "0s"], "schedule every: '0s' is not a positive interval"),
    (["--cron", "0 3 * * *", "--every", "1h"], "give --cron EXPRESSION or --every INTERVAL"),
    ([], "give --cron EXPRESSION or --every INTERVAL"),
    (["--every", "1h", "--timezone", "Europe/Paris"], "--timezone applies to --cron only"),
    (["--cron", "0 3 * * *", "--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
    (["--every", "1h", "--start", "independent", "--overlap", "buffer_one"], "buffer_one needs child runs"),
]


@pytest.mark.parametrize(
    ("options", "message"),
    CREATE_ERRORS,
    ids=[
        "bad-cron",
        "bad-interval",
        "zero-interval",
        "both",
        "neither",
        "zone-with-every",
        "bad-zone",
        "buffer-independent",
    ],
)
def test_create_refuses_bad_definitions_in_one_line(invoke, options, message):
    result = create(invoke, *options)
    assert result.exit_code == 2, result.output
    lines = error_lines(result)
    assert len(lines) == 1 and message in lines[0]
    assert json.loads(invoke("schedule.list", "--format", "json").stdout) == []


def test_create_refuses_a_workflow_that_does_not_import(invoke):
    result = invoke("schedule.create", "nightly", "tests.unit.schedules.scheduled.Missing", "--every", "1h")
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "tests.unit.schedules.scheduled.Missing" in line


@pytest.mark.parametrize("command", ["describe", "pause", "resume", "trigger", "delete"])
def test_an_unknown_schedule_is_one_line(invoke, domain, command):
    result = invoke(f"schedule.{command}", "weekly")
    assert result.exit_code == 1
    assert error_lines(result) == [
        f"error: no schedule named 'weekly' in domain '{domain}' (see: simpleflow schedule.list)"
    ]


def test_an_execution_that_is_not_a_schedule_is_unknown(invoke, client, domain):
    client.register_workflow_type(
        domain=domain,
        name="other",
        version="1",
        defaultTaskList={"name": "x"},
        defaultExecutionStartToCloseTimeout="60",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    client.start_workflow_execution(
        domain=domain, workflowId="weekly", workflowType={"name": "other", "version": "1"}
    )
    assert invoke("schedule.pause", "weekly").exit_code == 1


def test_an_unknown_domain_is_one_line(cli_runner, client):
    result = cli_runner.invoke(
        main,
        ["schedule.create", "--domain", "nowhere", "nightly", NIGHTLY, "--every", "1h"],
        obj={"swf_client": client},
    )
    assert result.exit_code != 0
    (line,) = error_lines(result)
    assert "nowhere" in line
