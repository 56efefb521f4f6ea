"""A lone UTF-16 surrogate in any string is refused with a ValidationException, on every transport."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import pytest

from simpleflow.localswf.embedded import embedded_client, embedded_direct_client, embedded_server
from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import Driver, decision, schedule

TARGET = "SimpleWorkflowService."


@pytest.fixture
def server(swf_service: SWFService) -> Iterator[LocalSWFServer]:
    with embedded_server(swf_service) as running:
        yield running


def post(server: LocalSWFServer, operation: str, body: str) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        headers = {"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.0"}
        connection.request("POST", "/", body=body.encode(), headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


# The JSON texts are written out with the escape itself (as curl would send it), not built by json.dumps.
RAW_REQUESTS = [
    ("DescribeDomain", r'{"name":"\ud800"}', "name"),
    (
        "RegisterDomain",
        r'{"name":"d","workflowExecutionRetentionPeriodInDays":"1","description":"x\udfffy"}',
        "description",
    ),
    ("ListDomains", r'{"registrationStatus":"REGISTERED","nextPageToken":"\udbff"}', "nextPageToken"),
    ("TagResource", r'{"resourceArn":"arn:x","tags":[{"key":"k","value":"\ud800"}]}', "tags.1.member.value"),
]


@pytest.mark.parametrize(("operation", "body", "path"), RAW_REQUESTS, ids=[r[0] for r in RAW_REQUESTS])
def test_http_answers_a_validation_exception(server, operation, body, path):
    status, answer = post(server, operation, body)
    assert status == 400
    assert answer["__type"].endswith("#ValidationException")
    assert f"at '{path}'" in answer["message"]
    assert "lone surrogate" in answer["message"]
    # The service is still there, and a proper pair (an emoji escaped as JSON does) is fine.
    assert post(server, "ListDomains", '{"registrationStatus":"REGISTERED"}')[0] == 200
    assert post(server, "DescribeDomain", r'{"name":"\ud83d\ude00"}')[1]["__type"].endswith(
        "UnknownResourceFault"
    )


@pytest.mark.parametrize("transport", ["in-process", "direct"])
def test_in_process_transports_answer_the_same(swf_service, transport):
    context = embedded_client if transport == "in-process" else embedded_direct_client
    with context(swf_service) as client, pytest.raises(botocore.exceptions.ClientError) as raised:
        client.describe_domain(name="\ud800")
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "at 'name'" in error["Message"]


def test_a_surrogate_in_a_decision_fails_the_call_and_keeps_the_task(swf):
    swf.start()
    task = swf.poll_decision()
    bad = [schedule("a-1", input="\ud800"), decision("CompleteWorkflowExecution", result="ok")]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        swf.client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=bad)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert (
        "decisions.1.member.scheduleActivityTaskDecisionAttributes.input"
        in raised.value.response["Error"]["Message"]
    )
    # Nothing was recorded: the same task is still the decider's to answer.
    swf.client.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=[decision("CompleteWorkflowExecution")]
    )
    assert swf.history("wf-1", task["workflowExecution"]["runId"])[-1] == "WorkflowExecutionCompleted"


def test_a_surrogate_in_a_signal_input_is_refused(swf: Driver):
    run_id = swf.start()
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        swf.client.signal_workflow_execution(
            domain=swf.domain, workflowId="wf-1", runId=run_id, signalName="s", input="\udc00"
        )
    assert raised.value.response["Error"]["Code"] == "ValidationException"
