"""``localswf.start --side-effect-delay``: the seconds from a child start decision to the child's start."""

from __future__ import annotations

import time
from typing import Any

import pytest

from simpleflow.cli.main import main
from simpleflow.localswf.embedded import make_local_client
from tests.fixtures.localswf_process import ServiceProcess
from tests.unit.localswf.driver import Driver, decision

DELAY = 0.6


def events_of(client: Any, domain: str, run_id: str) -> list[dict[str, Any]]:
    page = client.get_workflow_execution_history(
        domain=domain, execution={"workflowId": "wf-1", "runId": run_id}
    )
    events: list[dict[str, Any]] = page["events"]
    return events


def test_the_delay_reaches_the_service():
    service = ServiceProcess(extra_args=("--side-effect-delay", str(DELAY), "--poll-timeout", "2")).start()
    try:
        swf = Driver(make_local_client(service.endpoint_url)).setup()
        run_id = swf.start()
        child = decision(
            "StartChildWorkflowExecution", workflowId="child-1", workflowType={"name": "wf", "version": "1"}
        )
        swf.decide(child)
        deadline = time.monotonic() + 10
        while True:
            events = events_of(swf.client, swf.domain, run_id)
            by_type = {event["eventType"]: event["eventTimestamp"] for event in events}
            if "ChildWorkflowExecutionStarted" in by_type or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        gap = by_type["ChildWorkflowExecutionStarted"] - by_type["StartChildWorkflowExecutionInitiated"]
        assert gap.total_seconds() >= DELAY - 0.01
    finally:
        service.stop()


@pytest.mark.parametrize("option", ["--side-effect-delay", "--poll-timeout"])
@pytest.mark.parametrize("value", ["-1", "nan", "inf", "soon"], ids=["negative", "nan", "inf", "word"])
def test_a_bad_number_of_seconds_is_a_usage_error(cli_runner, option, value):
    result = cli_runner.invoke(main, ["localswf.start", option, value])
    assert result.exit_code == 2
    assert option in result.output


def test_help_names_the_new_options(cli_runner):
    result = cli_runner.invoke(main, ["localswf.start", "--help"])
    for option in ("--side-effect-delay", "--credentials", "--credentials-file"):
        assert option in result.output
