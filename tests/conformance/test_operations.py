"""Every SWF operation, SWF's faults and bad input, through a real boto3 client on both transports.

The engine's own tests check its logic in process. These check the wire: botocore serializes every
request and parses every answer, error and paginated listing the same way over HTTP and in process,
and a request AWS would refuse gets the fault AWS would give, as a parsed ``ClientError``.
"""

from __future__ import annotations

import http.client
import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from simpleflow.localswf.clock import VirtualClock
from simpleflow.localswf.embedded import IN_PROCESS_ENDPOINT
from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.inprocess import attach
from simpleflow.localswf.service import SWFService
from simpleflow.localswf.validation import operation_names
from tests.conformance.conftest import TRANSPORTS, make_transport_client
from tests.fixtures.swf_driver import (
    ACTIVITY_TYPE,
    WORKFLOW_TYPE,
    Driver,
    cancel_timer,
    complete_workflow,
    schedule_activity,
    start_timer,
)

pytestmark = [pytest.mark.conformance]


def record_operations(client: Any) -> set[str]:
    called: set[str] = set()
    client.meta.events.register("after-call.swf", lambda model, **_: called.add(model.name))
    return called


def test_all_39_operations_round_trip_through_botocore(client):
    called = record_operations(client)
    driver = Driver(client).register()
    domain = driver.domain
    arn = client.describe_domain(name=domain)["domainInfo"]["arn"]
    client.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "flow"}])
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "flow"}]
    client.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert [info["name"] for info in client.list_domains(registrationStatus="REGISTERED")["domainInfos"]] == [
        domain
    ]
    assert (
        client.describe_workflow_type(domain=domain, workflowType=WORKFLOW_TYPE)["typeInfo"]["status"]
        == "REGISTERED"
    )
    assert (
        client.describe_activity_type(domain=domain, activityType=ACTIVITY_TYPE)["typeInfo"]["status"]
        == "REGISTERED"
    )
    assert len(client.list_workflow_types(domain=domain, registrationStatus="REGISTERED")["typeInfos"]) == 1
    assert len(client.list_activity_types(domain=domain, registrationStatus="REGISTERED")["typeInfos"]) == 1

    run = driver.start(tagList=["tour"])
    assert client.count_pending_decision_tasks(domain=domain, taskList={"name": run.task_list})["count"] == 1
    assert (
        client.count_open_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})["count"] == 1
    )
    listed = client.list_open_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})
    assert listed["executionInfos"][0]["execution"] == run.execution
    activities = [schedule_activity(f"a-{index}", run) for index in range(3)]
    driver.decide(driver.decision_task(run), *activities)
    assert client.count_pending_activity_tasks(domain=domain, taskList={"name": run.task_list})["count"] == 3
    first, second, third = (driver.activity_task(run) for _ in range(3))
    heartbeat = client.record_activity_task_heartbeat(taskToken=first["taskToken"], details="1/2")
    assert heartbeat["cancelRequested"] is False
    client.respond_activity_task_completed(taskToken=first["taskToken"], result="1")
    client.respond_activity_task_failed(taskToken=second["taskToken"], reason="no", details="trace")
    client.signal_workflow_execution(domain=domain, workflowId=run.workflow_id, signalName="poke", input="x")
    client.request_cancel_workflow_execution(domain=domain, workflowId=run.workflow_id)
    client.respond_activity_task_canceled(taskToken=third["taskToken"], details="asked to")
    info = driver.describe(run)
    assert info["executionInfo"]["cancelRequested"] is True
    client.terminate_workflow_execution(domain=domain, workflowId=run.workflow_id, reason="tour over")
    assert (
        client.count_closed_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})["count"]
        == 1
    )
    closed = client.list_closed_workflow_executions(
        domain=domain, closeTimeFilter={"oldestDate": 0}, closeStatusFilter={"status": "TERMINATED"}
    )
    assert closed["executionInfos"][0]["closeStatus"] == "TERMINATED"
    types = driver.event_types(run)
    for expected in (
        "ActivityTaskCompleted",
        "ActivityTaskFailed",
        "ActivityTaskCanceled",
        "WorkflowExecutionSignaled",
    ):
        assert expected in types
    assert types[-1] == "WorkflowExecutionTerminated"

    for noun, type_key, kind in (
        ("workflow", "workflowType", WORKFLOW_TYPE),
        ("activity", "activityType", ACTIVITY_TYPE),
    ):
        getattr(client, f"deprecate_{noun}_type")(domain=domain, **{type_key: kind})
        getattr(client, f"undeprecate_{noun}_type")(domain=domain, **{type_key: kind})
        getattr(client, f"deprecate_{noun}_type")(domain=domain, **{type_key: kind})
        getattr(client, f"delete_{noun}_type")(domain=domain, **{type_key: kind})
    client.deprecate_domain(name=domain)
    client.undeprecate_domain(name=domain)
    assert called == operation_names()


def test_paginators_walk_real_page_tokens(client):
    driver = Driver(client).register()
    for _ in range(7):
        driver.start()
    paginator = client.get_paginator("list_open_workflow_executions")
    pages = list(
        paginator.paginate(
            domain=driver.domain, startTimeFilter={"oldestDate": 0}, PaginationConfig={"PageSize": 3}
        )
    )
    assert [len(page["executionInfos"]) for page in pages] == [3, 3, 1]
    run = driver.start()
    task = driver.decision_task(run)
    driver.decide(task, *[start_timer(f"t-{index}", 3600) for index in range(10)])
    history = client.get_paginator("get_workflow_execution_history")
    events = [
        event["eventId"]
        for page in history.paginate(
            domain=driver.domain, execution=run.execution, PaginationConfig={"PageSize": 4}
        )
        for event in page["events"]
    ]
    assert events == list(range(1, len(events) + 1))
    assert len(events) == 14


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda c, d: c.describe_domain(name="nowhere"), "UnknownResourceFault"),
        (
            lambda c, d: c.register_domain(name=d.domain, workflowExecutionRetentionPeriodInDays="1"),
            "DomainAlreadyExistsFault",
        ),
        (
            lambda c, d: c.register_activity_type(domain=d.domain, **ACTIVITY_TYPE),
            "TypeAlreadyExistsFault",
        ),
        (lambda c, d: c.respond_activity_task_completed(taskToken="forged"), "UnknownResourceFault"),
        (
            lambda c, d: (
                c.start_workflow_execution(
                    domain=d.domain, workflowId="twice", workflowType=WORKFLOW_TYPE, taskList={"name": "t"}
                ),
                c.start_workflow_execution(
                    domain=d.domain, workflowId="twice", workflowType=WORKFLOW_TYPE, taskList={"name": "t"}
                ),
            ),
            "WorkflowExecutionAlreadyStartedFault",
        ),
        (
            lambda c, d: (
                c.deprecate_workflow_type(domain=d.domain, workflowType=WORKFLOW_TYPE),
                c.start_workflow_execution(domain=d.domain, workflowId="w", workflowType=WORKFLOW_TYPE),
            ),
            "TypeDeprecatedFault",
        ),
        (
            lambda c, d: (
                c.register_workflow_type(domain=d.domain, name="bare", version="1"),
                c.start_workflow_execution(
                    domain=d.domain, workflowId="w", workflowType={"name": "bare", "version": "1"}
                ),
            ),
            "DefaultUndefinedFault",
        ),
        (
            lambda c, d: (c.deprecate_domain(name=d.domain), c.deprecate_domain(name=d.domain)),
            "DomainDeprecatedFault",
        ),
        (
            lambda c, d: c.delete_activity_type(domain=d.domain, activityType=ACTIVITY_TYPE),
            "TypeNotDeprecatedFault",
        ),
        (
            lambda c, d: c.register_domain(name="a:b", workflowExecutionRetentionPeriodInDays="1"),
            "ValidationException",
        ),
    ],
    ids=[
        "unknown-domain",
        "domain-exists",
        "type-exists",
        "unknown-token",
        "already-started",
        "type-deprecated",
        "default-undefined",
        "domain-deprecated",
        "type-not-deprecated",
        "bad-name",
    ],
)
def test_faults_are_parsed_into_modeled_client_errors(client, call, code):
    # Each call is a tuple of steps, evaluated in order; the last one must fail.
    driver = Driver(client).register()
    with pytest.raises(ClientError) as caught:
        call(client, driver)
    error = caught.value.response["Error"]
    assert error["Code"] == code
    assert error["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    modeled = getattr(client.exceptions, code, None)
    if modeled is not None:  # botocore picks SWF's modeled exception class from the code
        assert isinstance(caught.value, modeled)


@pytest.fixture(params=TRANSPORTS)
def raw_client(request: pytest.FixtureRequest, service: SWFService) -> Iterator[Any]:
    """A client that skips botocore's own checks, so the service's validation is what answers."""
    config = Config(signature_version=UNSIGNED, parameter_validation=False, retries={"total_max_attempts": 1})
    session = boto3.session.Session()
    if request.param == "in-process":
        unchecked = session.client(
            "swf", region_name="us-east-1", endpoint_url=IN_PROCESS_ENDPOINT, config=config
        )
        yield attach(unchecked, service)
    else:
        with LocalSWFServer(service) as server:
            yield session.client(
                "swf", region_name="us-east-1", endpoint_url=server.endpoint_url, config=config
            )


@pytest.mark.parametrize(
    ("operation", "params", "code", "fragment"),
    [
        (
            "register_domain",
            {"name": "x" * 257, "workflowExecutionRetentionPeriodInDays": "1"},
            "ValidationException",
            "256",
        ),
        (
            "register_domain",
            {"name": "arn", "workflowExecutionRetentionPeriodInDays": "1"},
            "ValidationException",
            "arn",
        ),
        (
            "register_domain",
            {"name": "d", "workflowExecutionRetentionPeriodInDays": 7},
            "SerializationException",
            "string",
        ),
        ("describe_domain", {}, "ValidationException", "Value null at 'name'"),
        (
            "poll_for_activity_task",
            {"domain": "d", "taskList": {"name": "a|b"}},
            "ValidationException",
            "taskList.name",
        ),
        (
            "respond_activity_task_failed",
            {"taskToken": "t", "reason": "r" * 300},
            "ValidationException",
            "reason",
        ),
        (
            "record_activity_task_heartbeat",
            {"taskToken": "t", "details": "d" * 2049},
            "ValidationException",
            "2048",
        ),
        (
            "start_workflow_execution",
            {"domain": "d", "workflowId": "w", "workflowType": WORKFLOW_TYPE, "tagList": list("abcdef")},
            "ValidationException",
            "tagList",
        ),
        ("list_domains", {"registrationStatus": "SOMETIMES"}, "ValidationException", "enum"),
        (
            "list_domains",
            {"registrationStatus": "REGISTERED", "maximumPageSize": 5000},
            "ValidationException",
            "1000",
        ),
    ],
    ids=[
        "name-too-long",
        "literal-arn",
        "number-for-string",
        "missing-required",
        "bar-in-task-list",
        "reason-too-long",
        "heartbeat-details-too-long",
        "six-tags",
        "not-in-enum",
        "page-size-too-big",
    ],
)
def test_bad_input_is_refused_by_the_service_itself(raw_client, operation, params, code, fragment):
    with pytest.raises(ClientError) as caught:
        getattr(raw_client, operation)(**params)
    assert caught.value.response["Error"]["Code"] == code
    assert fragment in caught.value.response["Error"]["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_oversized_decision_response_is_refused_on_both_transports(client):
    driver = Driver(client).register()
    run = driver.start()
    task = driver.decision_task(run)
    big = [schedule_activity(f"a-{index}", run, input="x" * 32768) for index in range(40)]
    with pytest.raises(ClientError) as caught:
        driver.decide(task, *big)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "1048576" in caught.value.response["Error"]["Message"]
    driver.decide(task, complete_workflow())  # the task is still there to answer


@pytest.mark.parametrize(
    ("decisions", "failed_event", "cause"),
    [
        (lambda run: [cancel_timer("never-started")], "CancelTimerFailed", "TIMER_ID_UNKNOWN"),
        (
            lambda run: [start_timer("t", 60), start_timer("t", 60)],
            "StartTimerFailed",
            "TIMER_ID_ALREADY_IN_USE",
        ),
        (
            lambda run: [
                {
                    "decisionType": "ScheduleActivityTask",
                    "scheduleActivityTaskDecisionAttributes": {
                        "activityId": "a",
                        "activityType": {"name": "unknown", "version": "1"},
                    },
                }
            ],
            "ScheduleActivityTaskFailed",
            "ACTIVITY_TYPE_DOES_NOT_EXIST",
        ),
        (
            lambda run: [complete_workflow(), start_timer("t", 60)],
            "CompleteWorkflowExecutionFailed",
            "UNHANDLED_DECISION",
        ),
        (
            lambda run: [
                {
                    "decisionType": "RequestCancelActivityTask",
                    "requestCancelActivityTaskDecisionAttributes": {"activityId": "nothing"},
                }
            ],
            "RequestCancelActivityTaskFailed",
            "ACTIVITY_ID_UNKNOWN",
        ),
    ],
    ids=[
        "cancel-unknown-timer",
        "timer-id-in-use",
        "unknown-activity-type",
        "close-not-last",
        "cancel-unknown-activity",
    ],
)
def test_decision_failures_are_events_with_swf_causes(client, decisions, failed_event, cause):
    driver = Driver(client).register()
    run = driver.start()
    driver.decide(driver.decision_task(run), *decisions(run))
    events = driver.history(run)
    failed = [event for event in events if event["eventType"] == failed_event]
    assert failed, [event["eventType"] for event in events]
    attributes = failed[0][failed_event[0].lower() + failed_event[1:] + "EventAttributes"]
    assert attributes["cause"] == cause
    assert events[-1]["eventType"] == "DecisionTaskScheduled"  # a failed decision wakes the decider


@pytest.fixture(params=TRANSPORTS)
def virtual_client(request: pytest.FixtureRequest) -> Iterator[tuple[Any, VirtualClock]]:
    """A client on a service whose clock skips idle time, so long timeouts pass at once."""
    clock = VirtualClock(quiet_period=0.3)
    running = SWFService(poll_timeout=2.0, clock=clock)
    with make_transport_client(request.param, running) as client:
        yield client, clock
    running.close()


@pytest.mark.parametrize(
    ("timeouts", "expected"),
    [
        ({"scheduleToStartTimeout": "300"}, "SCHEDULE_TO_START"),
        ({"scheduleToStartTimeout": "600", "scheduleToCloseTimeout": "200"}, "SCHEDULE_TO_CLOSE"),
    ],
    ids=["schedule-to-start", "schedule-to-close"],
)
def test_activity_timeouts_on_a_virtual_clock(virtual_client, timeouts, expected):
    client, _ = virtual_client
    driver = Driver(client).register()
    run = driver.start()
    driver.decide(driver.decision_task(run), schedule_activity("a-1", run, **timeouts))
    task = driver.decision_task(run)
    timed_out = [event for event in task["events"] if event["eventType"] == "ActivityTaskTimedOut"]
    assert timed_out[0]["activityTaskTimedOutEventAttributes"]["timeoutType"] == expected


def test_start_to_close_timeout_and_the_late_answer(virtual_client):
    client, clock = virtual_client
    driver = Driver(client).register()
    run = driver.start()
    driver.decide(driver.decision_task(run), schedule_activity("a-1", run, startToCloseTimeout="60"))
    activity = driver.activity_task(run)
    clock.advance(61)  # a started task keeps the service busy: time is moved by hand
    task = driver.decision_task(run)
    timed_out = [event for event in task["events"] if event["eventType"] == "ActivityTaskTimedOut"]
    assert timed_out[0]["activityTaskTimedOutEventAttributes"]["timeoutType"] == "START_TO_CLOSE"
    with pytest.raises(ClientError) as caught:
        client.respond_activity_task_completed(taskToken=activity["taskToken"], result="late")
    assert caught.value.response["Error"]["Code"] == "UnknownResourceFault"


@pytest.mark.parametrize(
    ("filters", "expected_ids"),
    [
        ({"executionFilter": {"workflowId": "wf-b"}}, ["wf-b"]),
        ({"tagFilter": {"tag": "even"}}, ["wf-c", "wf-a"]),
        ({"typeFilter": {"name": WORKFLOW_TYPE["name"], "version": "1"}}, ["wf-c", "wf-b", "wf-a"]),
        ({"typeFilter": {"name": "other"}}, []),
        ({"reverseOrder": True}, ["wf-a", "wf-b", "wf-c"]),
    ],
    ids=["workflow-id", "tag", "type", "other-type", "reverse-order"],
)
def test_open_execution_filters(client, filters, expected_ids):
    driver = Driver(client).register()
    for workflow_id, tag in (("wf-a", "even"), ("wf-b", "odd"), ("wf-c", "even")):
        client.start_workflow_execution(
            domain=driver.domain,
            workflowId=workflow_id,
            workflowType=WORKFLOW_TYPE,
            taskList={"name": "t"},
            tagList=[tag],
        )
    listed = client.list_open_workflow_executions(
        domain=driver.domain, startTimeFilter={"oldestDate": 0}, **filters
    )
    assert [info["execution"]["workflowId"] for info in listed["executionInfos"]] == expected_ids
    count_filters = {key: value for key, value in filters.items() if key != "reverseOrder"}
    counted = client.count_open_workflow_executions(
        domain=driver.domain, startTimeFilter={"oldestDate": 0}, **count_filters
    )
    assert counted["count"] == len(expected_ids)


def test_responses_are_json_1_0_documents(http_client):
    # botocore accepts what it parses; this pins the raw wire shape of one answer and one error too.
    http_client.register_domain(name="wire", workflowExecutionRetentionPeriodInDays="1")
    raw: list[Any] = []
    http_client.meta.events.register("after-call.swf", lambda http_response, **_: raw.append(http_response))
    http_client.describe_domain(name="wire")
    with pytest.raises(ClientError):
        http_client.describe_domain(name="missing")
    answer, error = raw
    assert answer.headers["Content-Type"] == "application/x-amz-json-1.0"
    assert json.loads(answer.content)["domainInfo"]["name"] == "wire"
    body = json.loads(error.content)
    assert body["__type"].endswith("#UnknownResourceFault")
    assert "missing" in body["message"]


@pytest.mark.parametrize(
    ("body", "target", "code"),
    [
        (b"{not json", "SimpleWorkflowService.ListDomains", "SerializationException"),
        (b'{"registrationStatus": NaN}', "SimpleWorkflowService.ListDomains", "SerializationException"),
        (b"[" * 50_000 + b"]" * 50_000, "SimpleWorkflowService.ListDomains", "SerializationException"),
        (
            b'{"registrationStatus": ["REGISTERED"]}',
            "SimpleWorkflowService.ListDomains",
            "SerializationException",
        ),
        (b"{}", "SimpleWorkflowService.DropAllTables", "UnknownOperationException"),
        (
            b'{"taskToken": "%%%"}',
            "SimpleWorkflowService.RespondActivityTaskCompleted",
            "UnknownResourceFault",
        ),
        (
            b'{"taskToken": "t", "decisions": [{}]}',
            "SimpleWorkflowService.RespondDecisionTaskCompleted",
            "ValidationException",
        ),
        (
            b'{"domain": "d", "execution": {"workflowId": "w", "runId": "r"}, "nextPageToken": "forged"}',
            "SimpleWorkflowService.GetWorkflowExecutionHistory",
            "UnknownResourceFault",
        ),
    ],
    ids=[
        "malformed-json",
        "nan",
        "nesting-bomb",
        "array-for-string",
        "unknown-operation",
        "unknown-token",
        "decision-without-type",
        "forged-page-token",
    ],
)
def test_raw_bad_input_to_the_real_service_is_a_4xx_and_never_the_500_path(
    service, caplog, body, target, code
):

    service.handle("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1"})
    with LocalSWFServer(service) as server, caplog.at_level(logging.ERROR):
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        connection.request("POST", "/", body=body, headers={"X-Amz-Target": target})
        response = connection.getresponse()
        payload = json.loads(response.read())
        connection.close()
    assert 400 <= response.status < 500
    assert payload["__type"].rsplit("#", 1)[1] == code, payload
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
