"""Child workflow options end to end: parent close policies and workflow id reuse on the embedded service.

In process through the ``--local`` runner, and once through ``standalone --local-swf`` with real decider
and worker processes. Both run in real time: with the virtual clock an abandoned child, idle while it
waits for its signal, would be skipped straight to its own execution timeout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simpleflow.local import DOMAIN, LocalRun
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from simpleflow.standalone import DEFAULT_DOMAIN_LOCAL_SWF
from tests.fixtures.child_option_workflows import ReuseParent, TwoPoliciesParent
from tests.fixtures.standalone_runs import run_standalone
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.integration


def execution_of(client: Any, domain: str, workflow_id: str) -> dict[str, Any] | None:
    """The latest execution with ``workflow_id`` (open or closed), as the list calls give it, if any.

    A child decided in the parent's closing response starts a moment after the parent closed.
    """
    found: list[dict[str, Any]] = []
    for call in (client.list_open_workflow_executions, client.list_closed_workflow_executions):
        found += call(
            domain=domain, startTimeFilter={"oldestDate": 0}, executionFilter={"workflowId": workflow_id}
        )["executionInfos"]
    return max(found, key=lambda info: info["startTimestamp"]) if found else None


def close_status(client: Any, domain: str, workflow_id: str) -> str | None:
    info = execution_of(client, domain, workflow_id)
    return None if info is None else info.get("closeStatus")


def event_types(client: Any, domain: str, info: dict[str, Any]) -> list[str]:
    events = client.get_workflow_execution_history(domain=domain, execution=info["execution"])["events"]
    return [event["eventType"] for event in events]


def test_local_abandon_outlives_the_parent_and_request_cancel_is_canceled() -> None:
    with LocalRun(TwoPoliciesParent, nb_workers=1, real_time=True) as run:
        assert run.execute(None, timeout=60) == "parent done"
        client = run.client

        def canceled() -> bool:
            return close_status(client, DOMAIN, "canceled-child") == "CANCELED"

        wait_for(canceled, timeout=30, what="the REQUEST_CANCEL child canceled")
        abandoned = execution_of(client, DOMAIN, "abandoned-child")
        assert (
            abandoned is not None and abandoned["executionStatus"] == "OPEN"
        )  # the parent closed, the child runs on
        assert "WorkflowExecutionCancelRequested" not in event_types(client, DOMAIN, abandoned)
        client.signal_workflow_execution(domain=DOMAIN, workflowId="abandoned-child", signalName="stop")

        def completed() -> bool:
            return close_status(client, DOMAIN, "abandoned-child") == "COMPLETED"

        wait_for(completed, timeout=30, what="the abandoned child completed after its parent")


def test_local_a_closed_childs_id_is_reused_and_an_open_ones_is_refused() -> None:
    with LocalRun(ReuseParent, nb_workers=1, real_time=True) as run:
        result = run.execute(None, timeout=60)
    assert result["first"] == "first" and result["second"] == "second"
    assert result["busy"][0] == "ChildStartFailed"
    assert result["busy"][1] == (
        "SWF refused to start child workflow 'busy-id' (WORKFLOW_ALREADY_RUNNING): a workflow execution with "
        "id 'busy-id' is already open in this domain; a workflow id can be reused only once the execution "
        "that had it closed"
    )


def test_standalone_local_swf_applies_each_parent_close_policy(tmp_path: Path) -> None:
    db = str(tmp_path / "swf.db")
    done = run_standalone(
        "--real-time", "--db", db, "tests.fixtures.child_option_workflows.TwoPoliciesParent"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "parent done"
    service = SWFService(db)
    try:
        with embedded_client(service) as client:
            domain = DEFAULT_DOMAIN_LOCAL_SWF

            # Effects decided in the parent's last response that the service had not carried out when
            # standalone stopped it are carried out now: the database holds them.
            def cancel_requested() -> bool:
                canceled = execution_of(client, domain, "canceled-child")
                return canceled is not None and "WorkflowExecutionCancelRequested" in event_types(
                    client, domain, canceled
                )

            wait_for(cancel_requested, what="the REQUEST_CANCEL child asked to cancel")
            abandoned = wait_for(
                lambda: execution_of(client, domain, "abandoned-child"), what="abandoned child"
            )
            assert "WorkflowExecutionCancelRequested" not in event_types(client, domain, abandoned)
            assert abandoned["executionStatus"] == "OPEN"  # it outlived the parent (and standalone)
    finally:
        service.close()
