"""Models and querysets against moto's SWF server: save, exists, is_synced, changes, upstream, paging."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from simpleflow.exceptions import ConfigurationError, SWFError, UnknownResource
from simpleflow.swf.client import make_client
from simpleflow.swf.models import (
    ActivityType,
    Difference,
    Domain,
    ExecutionStatus,
    RegistrationStatus,
    WorkflowType,
)
from simpleflow.swf.querysets import (
    ActivityTypeQuerySet,
    DomainQuerySet,
    WorkflowExecutionQuerySet,
    WorkflowTypeQuerySet,
)
from tests.fixtures.swf_executions import start_execution
from tests.unit.swf.fake_http import answer_with, capture_params


def test_domain_round_trip(swf_client: Any) -> None:
    local = Domain("models-domain", retention_period_days="3", description="for tests", client=swf_client)
    assert not local.exists
    assert not local.is_synced
    local.save()
    assert local.exists
    assert local.is_synced
    assert local.changes == []
    assert DomainQuerySet(swf_client).get("models-domain") == local


def test_domain_changes_name_what_differs(swf_client: Any) -> None:
    Domain("drifting", retention_period_days="3", client=swf_client).save()
    stale = Domain("drifting", retention_period_days="7", client=swf_client)
    assert stale.changes == [Difference("retention_period_days", "7", "3")]
    assert not stale.is_synced
    assert stale.upstream().retention_period_days == "3"
    assert stale.upstream().is_synced


def test_domain_deprecation_is_seen_by_filters(swf_client: Any) -> None:
    domain = Domain("old-domain", client=swf_client).save()
    deprecated = domain.deprecate()
    assert deprecated.status is RegistrationStatus.DEPRECATED
    assert domain.changes == [
        Difference("status", RegistrationStatus.REGISTERED, RegistrationStatus.DEPRECATED)
    ]
    queryset = DomainQuerySet(swf_client)
    assert "old-domain" in [d.name for d in queryset.filter(status=RegistrationStatus.DEPRECATED)]
    assert "old-domain" not in [d.name for d in queryset.all()]


def test_saving_an_existing_domain_says_so(swf_client: Any, domain: str) -> None:
    with pytest.raises(SWFError) as caught:
        Domain(domain, client=swf_client).save()
    assert caught.value.code == "DomainAlreadyExistsFault"


def test_get_or_create_domain_is_idempotent(swf_client: Any) -> None:
    queryset = DomainQuerySet(swf_client)
    first = queryset.get_or_create("idempotent-domain", retention_period_days="2")
    again = queryset.get_or_create("idempotent-domain", retention_period_days="2")
    assert first == again
    assert first.retention_period_days == "2"


def test_unknown_domain_raises_unknown_resource(swf_client: Any) -> None:
    with pytest.raises(UnknownResource):
        DomainQuerySet(swf_client).get("never-registered")


@pytest.mark.parametrize(
    ("queryset_class", "defaults"),
    [
        (WorkflowTypeQuerySet, {"default_task_list": "tl", "default_child_policy": "ABANDON"}),
        (ActivityTypeQuerySet, {"default_task_list": "tl", "default_task_heartbeat_timeout": "30"}),
    ],
    ids=["workflow-type", "activity-type"],
)
def test_types_get_or_create_filter_and_deprecate(
    swf_client: Any, domain: str, queryset_class: Any, defaults: dict[str, str]
) -> None:
    queryset = queryset_class(swf_client, domain)
    created = queryset.get_or_create("kind", "1.0", **defaults)
    assert queryset.get_or_create("kind", "1.0", **defaults) == created
    for name, value in defaults.items():
        assert getattr(created, name) == value
    assert created.is_synced
    assert [(t.name, t.version) for t in queryset.all()] == [("kind", "1.0")]
    sent = capture_params(swf_client)
    queryset.filter(name="other")
    assert sent[-1][1]["name"] == "other"  # moto ignores this filter; the request must carry it
    created.deprecate()
    assert queryset.all() == []
    assert [t.name for t in queryset.filter(status=RegistrationStatus.DEPRECATED)] == ["kind"]
    assert not created.is_synced


@pytest.mark.parametrize("model_class", [WorkflowType, ActivityType], ids=["workflow-type", "activity-type"])
def test_unknown_type_does_not_exist(swf_client: Any, domain: str, model_class: Any) -> None:
    model = model_class(domain, "missing", version="1", client=swf_client)
    assert not model.exists
    with pytest.raises(UnknownResource):
        model.upstream()


def test_execution_start_describe_and_history(swf_client: Any, domain: str) -> None:
    execution = start_execution(swf_client, domain, "wf-1", execution_input='{"args": [1]}', tag_list=("a",))
    assert execution.run_id
    assert execution.status is ExecutionStatus.OPEN
    described = WorkflowExecutionQuerySet(swf_client, domain).get("wf-1")
    assert described.run_id == execution.run_id
    assert described.task_list == "decisions"
    assert described.child_policy == "TERMINATE"
    history = execution.history()
    assert [e["eventType"] for e in history[:2]] == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    started = history[0]["workflowExecutionStartedEventAttributes"]
    assert started["input"] == '{"args": [1]}'
    assert [e["eventId"] for e in execution.history(reverse=True)] == [
        e["eventId"] for e in reversed(history)
    ]


def test_execution_signal_and_terminate(swf_client: Any, domain: str) -> None:
    execution = start_execution(swf_client, domain, "wf-2")
    execution.signal("poke", signal_input='{"n": 1}')
    signaled = [e for e in execution.history() if e["eventType"] == "WorkflowExecutionSignaled"]
    assert signaled[0]["workflowExecutionSignaledEventAttributes"]["input"] == '{"n": 1}'
    execution.terminate(reason="enough")
    closed = WorkflowExecutionQuerySet(swf_client, domain).filter(status=ExecutionStatus.CLOSED)
    assert [(e.workflow_id, e.close_status) for e in closed] == [("wf-2", "TERMINATED")]
    assert not dataclasses.replace(execution, status=ExecutionStatus.OPEN).is_synced


def test_execution_filters(swf_client: Any, domain: str) -> None:
    start_execution(swf_client, domain, "wf-a", tag_list=("red",))
    start_execution(swf_client, domain, "wf-b", tag_list=("blue",))
    queryset = WorkflowExecutionQuerySet(swf_client, domain)
    assert sorted(e.workflow_id for e in queryset.all()) == ["wf-a", "wf-b"]
    assert len(queryset.filter(limit=1)) == 1


def test_execution_filters_reach_swf() -> None:
    # moto ignores (or fails on) these filters: check the requests instead.
    client = make_client(endpoint_url="http://127.0.0.1:1")
    answer_with(client, [(200, {"executionInfos": []})])
    sent = capture_params(client)
    queryset = WorkflowExecutionQuerySet(client, "d")
    queryset.filter(workflow_id="wf-b")
    queryset.filter(tag="red")
    queryset.filter(workflow_type_name="wf", workflow_type_version="1")
    queryset.filter(status=ExecutionStatus.CLOSED, close_status="FAILED", reverse=True)
    assert [params.get("executionFilter") for _, params in sent[:1]] == [{"workflowId": "wf-b"}]
    assert sent[1][1]["tagFilter"] == {"tag": "red"}
    assert sent[2][1]["typeFilter"] == {"name": "wf", "version": "1"}
    assert sent[3][0] == "ListClosedWorkflowExecutions"
    assert sent[3][1]["closeStatusFilter"] == {"status": "FAILED"}
    assert sent[3][1]["reverseOrder"] is True


@pytest.mark.parametrize(
    "kwargs",
    [
        {"workflow_id": "x", "tag": "y"},
        {"close_status": "FAILED"},
    ],
    ids=["two-filters", "close-status-on-open"],
)
def test_execution_filters_swf_refuses_are_configuration_errors(
    swf_client: Any, domain: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationError):
        WorkflowExecutionQuerySet(swf_client, domain).filter(**kwargs)


def test_execution_without_open_run_is_unknown(swf_client: Any, domain: str) -> None:
    with pytest.raises(UnknownResource, match="no open execution"):
        WorkflowExecutionQuerySet(swf_client, domain).get("never-started")
