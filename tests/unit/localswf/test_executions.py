"""Executions: start faults, list and count filters, history paging, signal, cancel, terminate."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.unit.localswf.driver import DOMAIN, WORKFLOW, Driver, attrs_of, complete, decision

EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)


def code_of(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    code: str = excinfo.value.response["Error"]["Code"]
    return code


@pytest.mark.parametrize(
    ("prepare", "params", "code"),
    [
        (None, {"workflowType": {"name": "nope", "version": "1"}}, "UnknownResourceFault"),
        ("deprecate", {}, "TypeDeprecatedFault"),
        ("start", {}, "WorkflowExecutionAlreadyStartedFault"),
        ("bare", {"workflowType": {"name": "bare", "version": "1"}}, "DefaultUndefinedFault"),
    ],
    ids=["unknown-type", "deprecated-type", "already-started", "no-defaults"],
)
def test_start_faults(swf: Driver, prepare: str | None, params: dict[str, Any], code: str) -> None:
    if prepare == "deprecate":
        swf.client.deprecate_workflow_type(domain=DOMAIN, workflowType=WORKFLOW)
    elif prepare == "start":
        swf.start()
    elif prepare == "bare":
        swf.client.register_workflow_type(domain=DOMAIN, name="bare", version="1")
    with pytest.raises(ClientError) as excinfo:
        swf.start(**params)
    assert code_of(excinfo) == code


def test_start_in_an_unknown_domain(swf_client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        Driver(swf_client, domain="nowhere").start()
    assert code_of(excinfo) == "UnknownResourceFault"


def test_a_workflow_id_can_start_again_once_closed(swf: Driver) -> None:
    first = swf.start()
    swf.decide(complete())
    second = swf.start()
    assert first != second


def open_ids(swf: Driver, **filters: Any) -> list[str]:
    page = swf.client.list_open_workflow_executions(
        domain=DOMAIN, startTimeFilter={"oldestDate": EPOCH}, **filters
    )
    return [info["execution"]["workflowId"] for info in page["executionInfos"]]


def closed_ids(swf: Driver, **filters: Any) -> list[str]:
    if "closeTimeFilter" not in filters:
        filters.setdefault("startTimeFilter", {"oldestDate": EPOCH})
    page = swf.client.list_closed_workflow_executions(domain=DOMAIN, **filters)
    return [info["execution"]["workflowId"] for info in page["executionInfos"]]


def test_list_and_count_with_every_filter(swf: Driver) -> None:
    swf.client.register_workflow_type(
        domain=DOMAIN,
        name="other",
        version="2",
        defaultTaskList={"name": "other-list"},
        defaultExecutionStartToCloseTimeout="60",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="ABANDON",
    )
    swf.start("w-a", tagList=["red"])
    swf.start("w-b", tagList=["blue", "red"])
    swf.start("w-c", workflowType={"name": "other", "version": "2"})
    swf.start("w-done")
    swf.client.terminate_workflow_execution(domain=DOMAIN, workflowId="w-done")
    assert open_ids(swf) == ["w-c", "w-b", "w-a"]  # newest first
    assert open_ids(swf, reverseOrder=True) == ["w-a", "w-b", "w-c"]
    assert open_ids(swf, tagFilter={"tag": "red"}) == ["w-b", "w-a"]
    assert open_ids(swf, typeFilter={"name": "other"}) == ["w-c"]
    assert open_ids(swf, typeFilter={"name": "other", "version": "1"}) == []
    assert open_ids(swf, executionFilter={"workflowId": "w-b"}) == ["w-b"]
    assert closed_ids(swf) == ["w-done"]
    assert closed_ids(swf, closeTimeFilter={"oldestDate": EPOCH}) == ["w-done"]
    assert closed_ids(swf, closeStatusFilter={"status": "TERMINATED"}) == ["w-done"]
    assert closed_ids(swf, closeStatusFilter={"status": "COMPLETED"}) == []
    future = datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc)
    assert closed_ids(swf, startTimeFilter={"oldestDate": future}) == []
    count = swf.client.count_open_workflow_executions(
        domain=DOMAIN, startTimeFilter={"oldestDate": EPOCH}, tagFilter={"tag": "red"}
    )
    assert (count["count"], count["truncated"]) == (2, False)
    closed = swf.client.count_closed_workflow_executions(
        domain=DOMAIN, closeTimeFilter={"oldestDate": EPOCH}, closeStatusFilter={"status": "TERMINATED"}
    )
    assert closed["count"] == 1


def test_latest_date_bounds_the_time_filter(swf: Driver) -> None:
    swf.start("w-a")
    page = swf.client.list_open_workflow_executions(
        domain=DOMAIN, startTimeFilter={"oldestDate": EPOCH, "latestDate": EPOCH + datetime.timedelta(days=1)}
    )
    assert page["executionInfos"] == []


@pytest.mark.parametrize(
    "filters",
    [
        {"tagFilter": {"tag": "a"}, "typeFilter": {"name": "wf"}},
        {"executionFilter": {"workflowId": "a"}, "closeStatusFilter": {"status": "FAILED"}},
        {"closeTimeFilter": {"oldestDate": EPOCH}},
    ],
    ids=["tag-and-type", "execution-and-status", "two-time-filters"],
)
def test_exclusive_filters_are_refused(swf: Driver, filters: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as excinfo:
        swf.client.list_closed_workflow_executions(
            domain=DOMAIN, startTimeFilter={"oldestDate": EPOCH}, **filters
        )
    assert code_of(excinfo) == "ValidationException"


@pytest.mark.parametrize("reverse", [False, True], ids=["newest-first", "oldest-first"])
def test_list_pages(swf: Driver, reverse: bool) -> None:
    ids = [f"w-{index}" for index in range(7)]
    for workflow_id in ids:
        swf.start(workflow_id)
    seen: list[str] = []
    token = None
    while True:
        page = swf.client.list_open_workflow_executions(
            domain=DOMAIN,
            startTimeFilter={"oldestDate": EPOCH},
            maximumPageSize=3,
            reverseOrder=reverse,
            **({"nextPageToken": token} if token else {}),
        )
        seen.extend(info["execution"]["workflowId"] for info in page["executionInfos"])
        token = page.get("nextPageToken")
        if not token:
            break
    assert seen == (ids if reverse else list(reversed(ids)))


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_history_pages(swf: Driver, reverse: bool) -> None:
    run_id = swf.start()
    for index in range(10):
        swf.client.signal_workflow_execution(
            domain=DOMAIN, workflowId="wf-1", signalName=f"s{index}", input=str(index)
        )
    ids: list[int] = []
    token = None
    while True:
        page = swf.client.get_workflow_execution_history(
            domain=DOMAIN,
            execution={"workflowId": "wf-1", "runId": run_id},
            maximumPageSize=4,
            reverseOrder=reverse,
            **({"nextPageToken": token} if token else {}),
        )
        assert len(page["events"]) <= 4
        ids.extend(event["eventId"] for event in page["events"])
        token = page.get("nextPageToken")
        if not token:
            break
    expected = list(range(1, 13))
    assert ids == (list(reversed(expected)) if reverse else expected)


def test_signal_by_workflow_id_reaches_the_open_run(swf: Driver) -> None:
    run_id = swf.start()
    swf.client.signal_workflow_execution(
        domain=DOMAIN, workflowId="wf-1", signalName="hello", input="payload"
    )
    signaled = swf.events("wf-1", run_id)[-1]
    assert signaled["eventType"] == "WorkflowExecutionSignaled"
    assert attrs_of(signaled) == {"signalName": "hello", "input": "payload"}
    with pytest.raises(ClientError) as excinfo:
        swf.client.signal_workflow_execution(domain=DOMAIN, workflowId="ghost", signalName="x")
    assert code_of(excinfo) == "UnknownResourceFault"


def test_request_cancel(swf: Driver) -> None:
    run_id = swf.start()
    swf.decide()
    swf.client.request_cancel_workflow_execution(domain=DOMAIN, workflowId="wf-1", runId=run_id)
    assert swf.describe("wf-1", run_id)["executionInfo"]["cancelRequested"] is True
    task = swf.decide(decision("CancelWorkflowExecution", details="ok"))
    assert task["events"][-3]["eventType"] == "WorkflowExecutionCancelRequested"
    assert swf.describe("wf-1", run_id)["executionInfo"]["closeStatus"] == "CANCELED"


def test_terminate(swf: Driver) -> None:
    run_id = swf.start()
    task = swf.poll_decision()
    swf.client.terminate_workflow_execution(domain=DOMAIN, workflowId="wf-1", reason="stop", details="now")
    terminated = swf.events("wf-1", run_id)[-1]
    assert terminated["eventType"] == "WorkflowExecutionTerminated"
    assert attrs_of(terminated)["reason"] == "stop"
    assert attrs_of(terminated)["childPolicy"] == "TERMINATE"
    with pytest.raises(ClientError) as excinfo:
        swf.client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    assert code_of(excinfo) == "UnknownResourceFault"
    with pytest.raises(ClientError) as excinfo:
        swf.client.terminate_workflow_execution(domain=DOMAIN, workflowId="wf-1")
    assert code_of(excinfo) == "UnknownResourceFault"


def test_describe_unknown_run(swf: Driver) -> None:
    with pytest.raises(ClientError) as excinfo:
        swf.describe("wf-1", "no-such-run")
    assert code_of(excinfo) == "UnknownResourceFault"
