"""The embedded service answers as Amazon SWF does, through boto3 on both transports (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from simpleflow.localswf.embedded import IN_PROCESS_ENDPOINT, make_local_client
from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.inprocess import attach
from simpleflow.localswf.service import SWFService
from simpleflow.swf.actors import ActivityWorker, Decider
from simpleflow.swf.models import ActivityType, Domain, WorkflowExecution, WorkflowType
from tests.conformance.conftest import TRANSPORTS
from tests.unit.localswf.driver import ACTIVITY, Driver, schedule

pytestmark = pytest.mark.conformance

DOMAIN = "fidelity"


@pytest.fixture
def domain(client: Any) -> str:
    client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    return DOMAIN


def without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in response.items() if key != "ResponseMetadata"}


def test_idle_decision_poll_parses_to_swfs_empty_task(client: Any, domain: str) -> None:
    response = client.poll_for_decision_task(domain=domain, taskList={"name": "idle"})
    assert without_metadata(response) == {"previousStartedEventId": 0, "startedEventId": 0}
    assert Decider(client, domain, task_list="idle").poll() is None


def test_idle_activity_poll_parses_to_swfs_empty_task(client: Any, domain: str) -> None:
    response = client.poll_for_activity_task(domain=domain, taskList={"name": "idle"})
    assert without_metadata(response) == {"startedEventId": 0}
    assert ActivityWorker(client, domain, task_list="idle").poll() is None


def test_idle_decision_poll_through_the_paginator_yields_one_empty_page(client: Any, domain: str) -> None:
    paginator = client.get_paginator("poll_for_decision_task")
    pages = list(paginator.paginate(domain=domain, taskList={"name": "idle"}))
    assert [without_metadata(page) for page in pages] == [{"previousStartedEventId": 0, "startedEventId": 0}]


# -- UnknownResourceFault texts: SWF's own, which clients parse -----------------------------------------


@pytest.fixture
def swf(client: Any) -> Driver:
    """A driver with a domain, a workflow type and an activity type registered."""
    return Driver(client).setup()


def fault_of(call: Any, **params: Any) -> tuple[str, str]:
    """The (code, message) of the ClientError ``call(**params)`` raises."""
    with pytest.raises(ClientError) as raised:
        call(**params)
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def unknown(message: str) -> tuple[str, str]:
    return "UnknownResourceFault", message


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("describe_domain", {"name": "ghost"}),
        ("deprecate_domain", {"name": "ghost"}),
        ("list_workflow_types", {"domain": "ghost", "registrationStatus": "REGISTERED"}),
        ("poll_for_activity_task", {"domain": "ghost", "taskList": {"name": "t"}}),
        (
            "start_workflow_execution",
            {"domain": "ghost", "workflowId": "w", "workflowType": {"name": "wf", "version": "1"}},
        ),
    ],
    ids=["describe", "deprecate", "list-types", "poll", "start"],
)
def test_unknown_domain_text(client: Any, operation: str, params: dict[str, Any]) -> None:
    assert fault_of(getattr(client, operation), **params) == unknown("Unknown domain: ghost")


@pytest.mark.parametrize(
    ("operation", "key", "noun"),
    [
        ("describe_workflow_type", "workflowType", "WorkflowType"),
        ("deprecate_workflow_type", "workflowType", "WorkflowType"),
        ("describe_activity_type", "activityType", "ActivityType"),
        ("deprecate_activity_type", "activityType", "ActivityType"),
    ],
    ids=["describe-workflow", "deprecate-workflow", "describe-activity", "deprecate-activity"],
)
def test_unknown_type_text(swf: Driver, operation: str, key: str, noun: str) -> None:
    call = getattr(swf.client, operation)
    fault = fault_of(call, domain=swf.domain, **{key: {"name": "nope", "version": "v2"}})
    assert fault == unknown(f"Unknown type: {noun}=[name=nope, version=v2]")


def test_starting_an_unknown_workflow_type_names_it_as_swf_does(swf: Driver) -> None:
    fault = fault_of(
        swf.client.start_workflow_execution,
        domain=swf.domain,
        workflowId="w",
        workflowType={"name": "nope", "version": "1"},
    )
    assert fault == unknown("Unknown type: WorkflowType=[name=nope, version=1]")


def test_unknown_execution_text(swf: Driver) -> None:
    execution = {"workflowId": "w-ghost", "runId": "r-ghost"}
    expected = unknown("Unknown execution: WorkflowExecution=[workflowId=w-ghost, runId=r-ghost]")
    assert (
        fault_of(swf.client.describe_workflow_execution, domain=swf.domain, execution=execution) == expected
    )
    history = fault_of(swf.client.get_workflow_execution_history, domain=swf.domain, execution=execution)
    assert history == expected


@pytest.mark.parametrize(
    "operation",
    ["signal_workflow_execution", "request_cancel_workflow_execution", "terminate_workflow_execution"],
    ids=["signal", "cancel", "terminate"],
)
def test_closed_execution_text_with_and_without_run_id(swf: Driver, operation: str) -> None:
    run_id = swf.start("w-closed")
    swf.client.terminate_workflow_execution(domain=swf.domain, workflowId="w-closed", runId=run_id)
    call = getattr(swf.client, operation)
    extra = {"signalName": "s"} if operation == "signal_workflow_execution" else {}
    with_run = fault_of(call, domain=swf.domain, workflowId="w-closed", runId=run_id, **extra)
    assert with_run == unknown(f"Unknown execution: WorkflowExecution=[workflowId=w-closed, runId={run_id}]")
    # Naming the workflow id alone asks for its open run: there is none.
    without_run = fault_of(call, domain=swf.domain, workflowId="w-closed", **extra)
    assert without_run == unknown("Unknown execution, workflowId = w-closed")


def started_activity(swf: Driver, workflow_id: str) -> tuple[str, dict[str, Any]]:
    """Start a run, schedule one activity and start it: the run id and the activity task."""
    run_id = swf.start(workflow_id)
    swf.decide(schedule("a-1"))
    task = swf.poll_activity()
    assert task.get("taskToken"), "expected an activity task"
    return run_id, task


def test_a_closed_runs_activity_token_is_an_unknown_execution(swf: Driver) -> None:
    run_id, task = started_activity(swf, "w-late")
    swf.client.terminate_workflow_execution(domain=swf.domain, workflowId="w-late", runId=run_id)
    expected = unknown(f"Unknown execution: WorkflowExecution=[workflowId=w-late, runId={run_id}]")
    token = task["taskToken"]
    assert fault_of(swf.client.record_activity_task_heartbeat, taskToken=token) == expected
    assert fault_of(swf.client.respond_activity_task_completed, taskToken=token) == expected
    assert fault_of(swf.client.respond_activity_task_failed, taskToken=token) == expected
    assert fault_of(swf.client.respond_activity_task_canceled, taskToken=token) == expected


def test_a_closed_runs_decision_token_is_an_unknown_execution(swf: Driver) -> None:
    run_id = swf.start("w-late-decider")
    task = swf.poll_decision()
    swf.client.terminate_workflow_execution(domain=swf.domain, workflowId="w-late-decider", runId=run_id)
    fault = fault_of(swf.client.respond_decision_task_completed, taskToken=task["taskToken"])
    assert fault == unknown(
        f"Unknown execution: WorkflowExecution=[workflowId=w-late-decider, runId={run_id}]"
    )


def test_an_answered_activity_token_of_an_open_run_names_its_scheduled_event(swf: Driver) -> None:
    _, task = started_activity(swf, "w-twice")
    swf.client.respond_activity_task_completed(taskToken=task["taskToken"], result="1")
    scheduled = [
        event
        for event in swf.events("w-twice", task["workflowExecution"]["runId"])
        if event["eventType"] == "ActivityTaskScheduled"
    ]
    expected = unknown(f"Unknown activity, scheduledEventId = {scheduled[0]['eventId']}")
    assert fault_of(swf.client.respond_activity_task_completed, taskToken=task["taskToken"]) == expected
    assert fault_of(swf.client.record_activity_task_heartbeat, taskToken=task["taskToken"]) == expected


def test_an_answered_decision_token_of_an_open_run_is_an_unknown_decision_task(swf: Driver) -> None:
    swf.start("w-decided")
    task = swf.decide()
    fault = fault_of(swf.client.respond_decision_task_completed, taskToken=task["taskToken"])
    assert fault == unknown("Unknown decision task")


@pytest.mark.parametrize(
    "token", ["made-up", "abc.1.2x", "abc.99999.3"], ids=["plain", "malformed", "no-run"]
)
def test_a_token_never_issued_is_unknown(swf: Driver, token: str) -> None:
    assert fault_of(swf.client.respond_activity_task_completed, taskToken=token) == unknown(
        "Unknown task token"
    )
    assert fault_of(swf.client.respond_decision_task_completed, taskToken=token) == unknown(
        "Unknown task token"
    )


def test_exists_checks_read_the_unknown_texts_as_absence(swf: Driver) -> None:
    """simpleflow's models (and their 0.x forms) say False for what SWF does not know, instead of raising."""
    assert ActivityType(swf.domain, "nope", version="1", client=swf.client).exists is False
    assert WorkflowType(swf.domain, "nope", version="1", client=swf.client).exists is False
    registered = ActivityType(swf.domain, ACTIVITY["name"], version=ACTIVITY["version"], client=swf.client)
    assert registered.exists is True
    assert Domain("ghost", client=swf.client).exists is False
    assert WorkflowExecution(swf.domain, "w-ghost", run_id="r-ghost", client=swf.client).exists is False


# -- ARNs name the region the request is addressed to ------------------------------------------------------

REGIONS = ("eu-west-1", "ap-southeast-2")


def regional_client(transport: str, service: SWFService, endpoint_url: str | None, region: str) -> Any:
    """A boto3 client for ``region``: over HTTP signed as any SDK signs (the scope names the region), in
    process attached to ``service`` (the client's own region is the request's)."""
    if transport == "http":
        assert endpoint_url is not None
        return boto3.session.Session().client(
            "swf",
            region_name=region,
            endpoint_url=endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}),
        )
    return attach(make_local_client(IN_PROCESS_ENDPOINT, region=region), service)


@pytest.fixture(params=TRANSPORTS)
def clients_by_region(request: pytest.FixtureRequest, service: SWFService) -> Iterator[dict[str, Any]]:
    """One client per region of :data:`REGIONS`, all on the same service, through one transport."""
    if request.param == "http":
        with LocalSWFServer(service) as server:
            yield {
                region: regional_client("http", service, server.endpoint_url, region) for region in REGIONS
            }
    else:
        yield {region: regional_client("in-process", service, None, region) for region in REGIONS}


def test_domain_arn_names_the_requests_region(clients_by_region: dict[str, Any]) -> None:
    first, second = (clients_by_region[region] for region in REGIONS)
    first.register_domain(name="regional", workflowExecutionRetentionPeriodInDays="1")
    for region, client in clients_by_region.items():
        expected = f"arn:aws:swf:{region}:000000000000:/domain/regional"
        assert client.describe_domain(name="regional")["domainInfo"]["arn"] == expected
        listed = client.list_domains(registrationStatus="REGISTERED")["domainInfos"]
        assert [info["arn"] for info in listed] == [expected]
    assert second.describe_domain(name="regional")["domainInfo"]["name"] == "regional"


def test_tags_are_reached_through_the_arn_of_the_requests_region(clients_by_region: dict[str, Any]) -> None:
    first, second = (clients_by_region[region] for region in REGIONS)
    first.register_domain(
        name="tagged", workflowExecutionRetentionPeriodInDays="1", tags=[{"key": "team", "value": "data"}]
    )
    first_arn = first.describe_domain(name="tagged")["domainInfo"]["arn"]
    second_arn = second.describe_domain(name="tagged")["domainInfo"]["arn"]
    second.tag_resource(resourceArn=second_arn, tags=[{"key": "env", "value": "test"}])
    # One domain, whichever region names it: both see every tag through their own ARN.
    for client, arn in ((first, first_arn), (second, second_arn)):
        tags = client.list_tags_for_resource(resourceArn=arn)["tags"]
        assert tags == [{"key": "env", "value": "test"}, {"key": "team", "value": "data"}]
    # Each region is its own service on SWF: an ARN of another region names nothing here.
    fault = fault_of(second.list_tags_for_resource, resourceArn=first_arn)
    assert fault == unknown(f"Unknown resource: {first_arn}")
    assert fault_of(first.untag_resource, resourceArn=second_arn, tagKeys=["env"]) == unknown(
        f"Unknown resource: {second_arn}"
    )
