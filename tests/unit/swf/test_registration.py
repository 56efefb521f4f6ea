"""Ensuring the domain and types exist: idempotent, remembered, and explicit about AWS domains."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.exceptions import ConfigurationError, UnknownResource
from simpleflow.swf.models import Domain
from simpleflow.swf.querysets import ActivityTypeQuerySet, WorkflowTypeQuerySet
from simpleflow.swf.registration import TypeRegistry, ensure_domain
from tests.unit.swf.fake_http import capture_params


def test_missing_domain_is_an_error_that_says_how_to_register(swf_client: Any) -> None:
    with pytest.raises(UnknownResource) as caught:
        ensure_domain(swf_client, "absent-domain")
    assert "aws swf register-domain --name absent-domain" in str(caught.value)
    assert not Domain("absent-domain", client=swf_client).exists


def test_missing_domain_is_registered_when_allowed(swf_client: Any) -> None:
    domain = ensure_domain(swf_client, "embedded-domain", register_if_missing=True, retention_period_days="1")
    assert domain.exists
    assert domain.retention_period_days == "1"
    assert ensure_domain(swf_client, "embedded-domain", register_if_missing=True) == domain


def test_existing_domain_is_returned(swf_client: Any, domain: str) -> None:
    assert ensure_domain(swf_client, domain).name == domain


def test_deprecated_domain_is_refused(swf_client: Any, domain: str) -> None:
    Domain(domain, client=swf_client).deprecate()
    with pytest.raises(ConfigurationError, match="deprecated"):
        ensure_domain(swf_client, domain)


def _schedule(name: str, version: str = "1") -> dict[str, Any]:
    return {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityId": f"activity-{name}-1",
            "activityType": {"name": name, "version": version},
            "taskList": {"name": "work"},
            "startToCloseTimeout": "300",
            "scheduleToStartTimeout": "3600",
            "scheduleToCloseTimeout": "NONE",
            "heartbeatTimeout": "NONE",
        },
    }


def _start_child(name: str) -> dict[str, Any]:
    return {
        "decisionType": "StartChildWorkflowExecution",
        "startChildWorkflowExecutionDecisionAttributes": {
            "workflowId": "child-1",
            "workflowType": {"name": name, "version": "1"},
            "taskList": {"name": "decide"},
            "childPolicy": "TERMINATE",
            "executionStartToCloseTimeout": "3600",
            "taskStartToCloseTimeout": "60",
        },
    }


def test_decision_types_are_registered_with_the_decisions_values(swf_client: Any, domain: str) -> None:
    registry = TypeRegistry(swf_client, domain)
    registry.ensure_decision_types(
        [_schedule("examples.increment"), _start_child("child"), {"decisionType": "StartTimer"}]
    )
    activity = ActivityTypeQuerySet(swf_client, domain).get("examples.increment", "1")
    assert activity.default_task_list == "work"
    assert activity.default_task_start_to_close_timeout == "300"
    assert activity.default_task_schedule_to_close_timeout == "NONE"
    child = WorkflowTypeQuerySet(swf_client, domain).get("child", "1")
    assert child.default_child_policy == "TERMINATE"
    assert child.default_task_list == "decide"


def test_registration_is_idempotent_and_remembered(swf_client: Any, domain: str) -> None:
    ActivityTypeQuerySet(swf_client, domain).get_or_create("already", "1")
    registry = TypeRegistry(swf_client, domain)
    sent = capture_params(swf_client)
    registry.ensure_decision_types([_schedule("already"), _schedule("fresh")])
    assert [operation for operation, _ in sent] == ["RegisterActivityType", "RegisterActivityType"]
    registry.ensure_decision_types([_schedule("already"), _schedule("fresh")])
    assert len(sent) == 2
    assert sorted(t.name for t in ActivityTypeQuerySet(swf_client, domain).all()) == ["already", "fresh"]


def test_registration_in_an_unknown_domain_fails(swf_client: Any) -> None:
    with pytest.raises(UnknownResource):
        TypeRegistry(swf_client, "no-such-domain").ensure_decision_types([_schedule("x")])
