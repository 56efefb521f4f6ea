"""The embedded service answers as Amazon SWF does, through boto3 on both transports (issue 12)."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.swf.actors import ActivityWorker, Decider

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
