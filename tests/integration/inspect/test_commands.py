"""The inspection and control commands against a real embedded SWF service.

Times are exact: the service runs on a manual clock that the hand-made executions move step by step
(see tests.fixtures.executions.Driver), so basic-1 starts at 03:04:06.000, its increment waits 1.5 s and
runs 2 s, its double waits 1.5 s and runs 3 s, and it closes at 03:04:16.250.
"""

from __future__ import annotations

import json
import socket

import pytest

from tests.fixtures.executions import ACTIVITY_NAMES, DOMAIN, Driver

pytestmark = pytest.mark.integration


def rows(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_newest_first(world, fresh_id):
    domain = f"order-{fresh_id}"
    driver = Driver(world.client, clock=world.driver.clock, domain=domain)
    driver.register()
    for number in range(3):
        driver.start(f"{fresh_id}-{number}")  # a second apart on the service's clock
    listed = rows(world.invoke("workflow.list", domain, "--format", "json"))
    assert [row["workflow_id"] for row in listed] == [f"{fresh_id}-{number}" for number in (2, 1, 0)]


def test_list_all_merges_open_and_closed_newest_first(world, fresh_id):
    domain = f"all-{fresh_id}"
    driver = Driver(world.client, clock=world.driver.clock, domain=domain)
    driver.register()
    driver.run_basic(f"{fresh_id}-closed")  # started first, then closed
    driver.start(f"{fresh_id}-open")
    listed = rows(world.invoke("workflow.list", domain, "--status", "all", "--format", "prettyjson"))
    assert [(row["workflow_id"], row["status"]) for row in listed] == [
        (f"{fresh_id}-open", "OPEN"),
        (f"{fresh_id}-closed", "CLOSED"),
    ]


def test_list_open_and_closed(world):
    (open_row,) = rows(world.invoke("workflow.list", DOMAIN, "--format", "prettyjson"))
    assert open_row["workflow_id"] == "failing-1" and open_row["status"] == "OPEN"
    closed = rows(world.invoke("workflow.list", DOMAIN, "--status", "closed", "--format", "prettyjson"))
    basic = next(row for row in closed if row["workflow_id"] == "basic-1")
    assert basic == {
        "workflow_id": "basic-1",
        "workflow_type": "basic",
        "version": "example",
        "run_id": world.basic.run_id,
        "status": "CLOSED",
        "close_status": "COMPLETED",
        "start_time": "2026-01-02T03:04:06+00:00",
    }


def test_list_takes_the_domain_from_the_environment(world):
    result = world.invoke("workflow.list", "--format", "csv", env={"SWF_DOMAIN": DOMAIN})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"failing-1,basic,example,{world.failing.run_id},OPEN,")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param(["--status", "closed", "--tag", "quickstart"], {"basic-1"}, id="tag"),
        pytest.param(["--status", "closed", "--tag", "nope"], set(), id="unknown-tag"),
        pytest.param(
            [
                "--status",
                "closed",
                "--tag",
                "quickstart",
                "--workflow-type-name",
                "basic",
                "--close-status",
                "completed",
            ],
            {"basic-1"},
            id="combined-filters",
        ),
        pytest.param(["--status", "closed", "--close-status", "FAILED"], set(), id="close-status"),
        pytest.param(["--workflow-id", "failing-1"], {"failing-1"}, id="workflow-id"),
        pytest.param(
            ["--workflow-type-name", "basic", "--workflow-type-version", "other"], set(), id="type-version"
        ),
        pytest.param(
            ["--status", "closed", "--from-date", "2026-01-02T03:04:06"], {"basic-1"}, id="from-date"
        ),
        pytest.param(["--status", "closed", "--to-date", "2026-01-02T03:04:05"], set(), id="to-date"),
        pytest.param(["--status", "closed", "--from-date", "2026-01-03"], set(), id="from-date-after"),
    ],
)
def test_filter(world, options, expected):
    found = rows(world.invoke("workflow.filter", DOMAIN, *options, "--format", "prettyjson"))
    assert {row["workflow_id"] for row in found} & {"basic-1", "failing-1"} == expected


def test_info_of_a_closed_execution_without_run_id(world):
    (info,) = rows(world.invoke("workflow.info", DOMAIN, "basic-1", "--format", "prettyjson"))
    assert info == {
        "domain": DOMAIN,
        "workflow_type": "basic",
        "workflow_type_version": "example",
        "task_list": "decisions",
        "workflow_id": "basic-1",
        "run_id": world.basic.run_id,
        "tag_list": ["quickstart"],
        "status": "CLOSED",
        "close_status": "COMPLETED",
        "start_time": "2026-01-02T03:04:06+00:00",
        "close_time": "2026-01-02T03:04:16.250000+00:00",
        "execution_time": 10.25,
        "input": "[1]",
        "result": "4",
        "reason": None,
    }


def test_info_with_domain_option_and_run_id(world):
    result = world.invoke(
        "workflow.info", "--domain", DOMAIN, "failing-1", world.failing.run_id, "--format", "human"
    )
    assert result.exit_code == 0, result.output
    assert "status                 OPEN\n" in result.stdout


def test_tasks_newest_first_with_attempts(world):
    found = rows(world.invoke("workflow.tasks", DOMAIN, "failing-1", "--format", "prettyjson"))
    assert [(row["task_id"], row["last_state"], row["attempts"]) for row in found] == [
        ("activity-increment-2", "scheduled", 1),
        ("activity-increment-1", "failed", 1),
        ("activity-double-1", "completed", 1),
    ]
    assert found[1]["last_state_time"] == "2026-01-02T03:04:20.500000+00:00"
    limited = rows(world.invoke("workflow.tasks", DOMAIN, "failing-1", "--nb-tasks", "1", "--format", "json"))
    assert [row["task_id"] for row in limited] == ["activity-increment-2"]


def test_profile_times_and_shares(world):
    found = rows(world.invoke("workflow.profile", DOMAIN, "basic-1", "--format", "prettyjson"))
    assert [(r["task_id"], r["waiting"], r["running"], r["percentage"]) for r in found] == [
        ("activity-double-1", 1.5, 3.0, 29.27),
        ("activity-increment-1", 1.5, 2.0, 19.51),
    ]


@pytest.mark.parametrize("suffix", ["svg", "html"], ids=str)
def test_profile_writes_a_timeline(world, tmp_path, suffix):
    path = tmp_path / f"basic.{suffix}"
    result = world.invoke("workflow.profile", DOMAIN, "basic-1", "--timeline", str(path))
    assert result.exit_code == 0, result.output
    picture = path.read_text()
    assert "activity-increment-1" in picture and "activity-double-1" in picture
    assert f"timeline written to {path}" in result.stderr


def test_history_every_event_in_order_and_reversed(world):
    events = rows(world.invoke("workflow.history", DOMAIN, "basic-1", "--format", "json"))
    assert [event["event_id"] for event in events] == list(range(1, 18))
    assert events[0]["event_type"] == "WorkflowExecutionStarted"
    assert events[-1]["event_type"] == "WorkflowExecutionCompleted"
    reverse = rows(world.invoke("workflow.history", DOMAIN, "basic-1", "--reverse-order", "--format", "json"))
    assert [event["event_id"] for event in reverse] == list(range(17, 0, -1))


def test_history_follows_every_page(world, monkeypatch):
    monkeypatch.setattr("simpleflow.cli.lookup.PAGE_SIZE", 4)
    requests: list[str] = []
    world.client.meta.events.register(
        "before-call.swf.GetWorkflowExecutionHistory", lambda **kwargs: requests.append("page")
    )
    try:
        events = rows(world.invoke("workflow.history", DOMAIN, "basic-1", "--of", "raw", "--format", "json"))
    finally:
        world.client.meta.events.unregister("before-call.swf.GetWorkflowExecutionHistory")
    assert [event["event_id"] for event in events] == list(range(1, 18))
    assert events[4]["event"]["activityTaskScheduledEventAttributes"]["activityId"] == "activity-increment-1"
    assert len(requests) == 5


def test_history_cooked_names_tasks(world):
    result = world.invoke("workflow.history", DOMAIN, "basic-1", "--of", "cooked", "--format", "tsv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[6] == "7\t2026-01-02 03:04:10.250\tactivity-increment-1: activity task completed\tresult=2"


def test_task_info(world):
    (task,) = rows(
        world.invoke("task.info", DOMAIN, "failing-1", "activity-increment-1", "--format", "prettyjson")
    )
    assert task["type"] == "activity" and task["name"] == ACTIVITY_NAMES[0]
    assert (task["state"], task["reason"], task["details"]) == (
        "failed",
        "ValueError: bad input",
        '{"error": "ValueError"}',
    )
    assert (task["input"], task["waiting"], task["running"]) == (
        "[1]",
        1.5,
        1.0,
    )
    assert task["worker"] == "test-worker"  # the identity the worker polled with


@pytest.mark.parametrize(
    ("options", "result"),
    [
        pytest.param([], "4", id="last-activity"),
        pytest.param(["--activity-id", "activity-increment-1"], "2", id="by-activity-id"),
        pytest.param(["--scheduled-id", "5"], "2", id="by-scheduled-id"),
        pytest.param(["--activity-id", "activity-increment-1", "--input", "[41]"], "42", id="other-input"),
    ],
)
def test_activity_rerun(world, options, result):
    outcome = world.invoke("activity.rerun", "--domain", DOMAIN, "--workflow-id", "basic-1", *options)
    assert outcome.exit_code == 0, outcome.output
    assert outcome.stdout == f"{result}\n"


def test_domain_register_and_list(world):
    result = world.invoke(
        "domain.register", "inspect-other", "--retention", "3", "--description", "for a test"
    )
    assert result.stdout == "registered domain inspect-other (retention 3 days)\n"
    listed = rows(world.invoke("domain.list", "--format", "prettyjson"))
    assert {"name": "inspect-other", "status": "REGISTERED", "description": "for a test"} in listed
    again = world.invoke("domain.register", "inspect-other")
    assert again.exit_code == 1
    assert again.output.count("\n") == 1 and "DomainAlreadyExistsFault" in again.output


def history_types(world, workflow_id: str) -> list[str]:
    return [
        event["event_type"]
        for event in rows(world.invoke("workflow.history", DOMAIN, workflow_id, "--format", "json"))
    ]


def test_signal_cancel_terminate(world, fresh_id):
    world.driver.start(fresh_id)
    signal = world.invoke("workflow.signal", DOMAIN, fresh_id, "approve", "--input", '{"by": "alice"}')
    assert signal.exit_code == 0, signal.output
    assert signal.stdout.startswith(f"signaled approve to {fresh_id} ")
    assert world.invoke("workflow.cancel", DOMAIN, fresh_id).exit_code == 0
    terminate = world.invoke("workflow.terminate", DOMAIN, fresh_id, "--reason", "done testing")
    assert terminate.exit_code == 0, terminate.output
    types = history_types(world, fresh_id)
    assert "WorkflowExecutionSignaled" in types and "WorkflowExecutionCancelRequested" in types
    assert types[-1] == "WorkflowExecutionTerminated"
    (info,) = rows(world.invoke("workflow.info", DOMAIN, fresh_id, "--format", "prettyjson"))
    assert (info["close_status"], info["reason"]) == ("TERMINATED", "done testing")
    closed_again = world.invoke("workflow.cancel", DOMAIN, fresh_id)
    assert closed_again.exit_code != 0 and "already closed (TERMINATED)" in closed_again.output


def test_restart_starts_a_new_run_with_the_same_input_and_tags(world, fresh_id):
    first = world.driver.start(fresh_id, input="[7]", tags=("a", "b"))
    result = world.invoke("workflow.restart", DOMAIN, fresh_id)
    assert result.exit_code == 0, result.output
    workflow_id, run_id = result.stdout.split()
    assert workflow_id == fresh_id and run_id != first.run_id
    (info,) = rows(world.invoke("workflow.info", DOMAIN, fresh_id, "--format", "prettyjson"))
    assert (info["run_id"], info["input"], info["tag_list"], info["status"]) == (
        run_id,
        "[7]",
        ["a", "b"],
        "OPEN",
    )
    (old,) = rows(world.invoke("workflow.info", DOMAIN, fresh_id, first.run_id, "--format", "prettyjson"))
    assert old["close_status"] == "TERMINATED"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["workflow.info", DOMAIN, "no-such-id"], "no execution of workflow 'no-such-id'", id="unknown-id"
        ),
        pytest.param(
            ["workflow.tasks", DOMAIN, "basic-1", "no-such-run"], "no run 'no-such-run'", id="unknown-run"
        ),
        pytest.param(
            ["workflow.filter", DOMAIN, "--from-date", "yesterday"],
            "--from-date: 'yesterday' is not a date",
            id="bad-date",
        ),
        pytest.param(
            ["workflow.list", DOMAIN, "--format", "xml"], "unknown format 'xml'", id="unknown-format"
        ),
        pytest.param(
            ["workflow.list", DOMAIN, "--status", "running"],
            "expected open, closed or all",
            id="unknown-status",
        ),
        pytest.param(
            ["workflow.list", "no-such-domain"], "Unknown domain: no-such-domain", id="unknown-domain"
        ),
        pytest.param(
            ["task.info", DOMAIN, "basic-1", "activity-nope"], "no task 'activity-nope'", id="unknown-task"
        ),
        pytest.param(["workflow.list"], "no domain given", id="no-domain"),
        pytest.param(
            ["workflow.terminate", DOMAIN, "failing-1", "--reason", "x" * 300],
            "--reason is 300 characters; SWF allows at most 256",
            id="long-reason",
        ),
        pytest.param(
            ["workflow.signal", DOMAIN, "failing-1", "go", "--input", "{"],
            "--input is not valid JSON",
            id="bad-json",
        ),
        pytest.param(
            ["workflow.filter", DOMAIN, "--close-status", "FAILED"], "--status closed", id="close-status-open"
        ),
    ],
)
def test_bad_input_is_one_line_and_non_zero(world, args, message):
    result = world.invoke(*args, env={"SWF_DOMAIN": ""})
    assert result.exit_code != 0
    assert result.output.startswith("error: ") and result.output.count("\n") == 1, result.output
    assert message in result.output


def test_unreachable_endpoint_names_it(cli_runner):
    endpoint = f"http://127.0.0.1:{closed_port()}"
    result = cli_runner.invoke(
        main_command(),
        ["workflow.list", DOMAIN, "--endpoint-url", endpoint],
        env={"SWF_CONNECTION_RETRIES": "1"},
    )
    assert result.exit_code != 0
    assert result.output.startswith("error: ") and result.output.count("\n") == 1, result.output
    assert endpoint in result.output


def main_command():
    from simpleflow.cli.main import main

    return main
