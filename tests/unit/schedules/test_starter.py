"""The starter activity of independent runs, against the embedded service in process."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow import activity
from simpleflow.activity import ActivityContext
from simpleflow.schedules.starter import start_run

DOMAIN = "starter"
NIGHTLY = "tests.unit.schedules.scheduled.Nightly"


@pytest.fixture
def client(swf_client: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    swf_client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    # The worker's own client, as make_client() gives it in a real worker.
    monkeypatch.setattr("simpleflow.swf.make_client", lambda **_: swf_client)
    return swf_client


def run_starter(*args: Any) -> Any:
    context = ActivityContext(
        workflow_id="nightly",
        run_id="r",
        activity_id="start-x",
        domain=DOMAIN,
        task_list="simpleflow.schedules",
    )
    with activity.bind_context(context):
        return start_run.run(args)


def is_open(client: Any, workflow_id: str) -> bool:
    found = client.list_open_workflow_executions(
        domain=DOMAIN, startTimeFilter={"oldestDate": 0}, executionFilter={"workflowId": workflow_id}
    )
    return bool(found["executionInfos"])


def test_it_starts_a_top_level_execution_once(client: Any) -> None:
    first = run_starter(NIGHTLY, "nightly-1", [3], None)
    assert first["started"] is True and first["run_id"]
    assert is_open(client, "nightly-1")
    # Handled again (a restart): the same id is that run, not a failure.
    assert run_starter(NIGHTLY, "nightly-1", [3], None) == {
        "started": True,
        "workflow_id": "nightly-1",
        "run_id": None,
    }


def test_it_skips_while_the_previous_run_is_open(client: Any) -> None:
    run_starter(NIGHTLY, "nightly-1", [3], None)
    skipped = run_starter(NIGHTLY, "nightly-2", [3], "nightly-1")
    assert skipped == {"started": False, "workflow_id": "nightly-2", "run_id": None, "open": "nightly-1"}
    assert not is_open(client, "nightly-2")
    client.terminate_workflow_execution(domain=DOMAIN, workflowId="nightly-1")
    assert run_starter(NIGHTLY, "nightly-2", [3], "nightly-1")["started"] is True
