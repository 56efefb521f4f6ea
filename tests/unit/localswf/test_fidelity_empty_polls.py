"""An idle long poll answers SWF's exact raw body, and simpleflow's pollers take both empty shapes as empty.

Amazon SWF's idle ``PollForDecisionTask`` body is ``{"previousStartedEventId":0,"startedEventId":0}`` and its
idle ``PollForActivityTask`` body ``{"startedEventId":0}``: no ``taskToken`` and no ``events`` (issue 12).
Older answers of this service, and SWF's documentation, speak of an empty ``taskToken`` instead, so the
pollers must treat both as "no task".
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from simpleflow.localswf.http import LocalSWFServer
from simpleflow.localswf.inprocess import answer
from simpleflow.localswf.service import SWFService
from simpleflow.process.decider import DeciderPoller
from simpleflow.process.worker import ActivityPoller
from simpleflow.swf.actors import ActivityWorker, Decider
from simpleflow.swf.client import make_client
from tests.unit.swf.fake_http import answer_with

DOMAIN = "fidelity"
IDLE_BODIES = {
    "PollForDecisionTask": b'{"previousStartedEventId":0,"startedEventId":0}',
    "PollForActivityTask": b'{"startedEventId":0}',
}
POLL_PARAMS = json.dumps({"domain": DOMAIN, "taskList": {"name": "idle"}}).encode()


@pytest.fixture
def service() -> Iterator[SWFService]:
    running = SWFService(poll_timeout=0.2)
    running.handle("RegisterDomain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"})
    yield running
    running.close()


def raw_http_answer(endpoint_url: str, operation: str, body: bytes) -> tuple[int, bytes]:
    """POST one JSON 1.0 request as an SWF client would, and return the status and the raw body."""
    request = urllib.request.Request(
        endpoint_url,
        data=body,
        method="POST",
        headers={
            "X-Amz-Target": f"SimpleWorkflowService.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


@pytest.mark.parametrize("operation", sorted(IDLE_BODIES), ids=["activity", "decision"])
def test_idle_poll_over_http_is_swfs_exact_body(service: SWFService, operation: str) -> None:
    with LocalSWFServer(service) as server:
        status, body = raw_http_answer(server.endpoint_url, operation, POLL_PARAMS)
    assert (status, body) == (200, IDLE_BODIES[operation])


@pytest.mark.parametrize("operation", sorted(IDLE_BODIES), ids=["activity", "decision"])
def test_idle_poll_in_process_is_swfs_exact_body(service: SWFService, operation: str) -> None:
    status, body = answer(service, target=f"SimpleWorkflowService.{operation}", body=POLL_PARAMS)
    assert (status, body) == (200, IDLE_BODIES[operation])


def test_a_poll_that_gets_a_task_still_carries_its_token(service: SWFService) -> None:
    service.handle(
        "RegisterWorkflowType",
        {
            "domain": DOMAIN,
            "name": "wf",
            "version": "1",
            "defaultTaskList": {"name": "idle"},
            "defaultTaskStartToCloseTimeout": "30",
            "defaultExecutionStartToCloseTimeout": "60",
            "defaultChildPolicy": "TERMINATE",
        },
    )
    service.handle(
        "StartWorkflowExecution",
        {"domain": DOMAIN, "workflowId": "w", "workflowType": {"name": "wf", "version": "1"}},
    )
    status, body = answer(service, target="SimpleWorkflowService.PollForDecisionTask", body=POLL_PARAMS)
    task = json.loads(body)
    assert status == 200
    assert task["taskToken"]
    assert [event["eventType"] for event in task["events"]] == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]


# What an empty poll may look like to a client: SWF's raw body, and the empty token the docs describe.
EMPTY_DECISION_SHAPES = [
    {"previousStartedEventId": 0, "startedEventId": 0},
    {"taskToken": "", "previousStartedEventId": 0, "startedEventId": 0, "events": []},
]
EMPTY_ACTIVITY_SHAPES = [{"startedEventId": 0}, {"taskToken": "", "startedEventId": 0}]
SHAPE_IDS = ["no-token", "empty-token"]


def canned_client(body: dict[str, Any]) -> Any:
    client = make_client(endpoint_url="http://127.0.0.1:1")
    answer_with(client, [(200, body)])
    return client


@pytest.mark.parametrize("body", EMPTY_DECISION_SHAPES, ids=SHAPE_IDS)
def test_decider_takes_either_empty_shape_as_no_task(body: dict[str, Any]) -> None:
    decider = Decider(canned_client(body), DOMAIN, task_list="idle")
    assert list(decider.iter_poll_pages()) == []
    assert decider.poll() is None
    assert DeciderPoller(decider).poll_task() is None


@pytest.mark.parametrize("body", EMPTY_ACTIVITY_SHAPES, ids=SHAPE_IDS)
def test_activity_worker_takes_either_empty_shape_as_no_task(body: dict[str, Any]) -> None:
    worker = ActivityWorker(canned_client(body), DOMAIN, task_list="idle")
    assert worker.poll() is None
    assert ActivityPoller(worker).poll_task() is None
