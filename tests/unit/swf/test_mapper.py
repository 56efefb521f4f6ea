"""simpleflow 0.x's ``simpleflow.swf.mapper`` and ``simpleflow.swf.executor`` call forms."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.exceptions import ConfigurationError
from simpleflow.swf.mapper.actors import ActivityWorker, Decider
from simpleflow.swf.mapper.exceptions import DoesNotExistError, extract_error_code
from simpleflow.swf.mapper.models import Domain, WorkflowExecution, WorkflowType
from simpleflow.swf.mapper.querysets import DomainQuerySet, WorkflowExecutionQuerySet, WorkflowTypeQuerySet
from simpleflow.swf.models import RegistrationStatus
from tests.fixtures.swf_executions import start_execution


def test_domains_as_upstream(swf_client: Any, domain: str) -> None:
    found = DomainQuerySet(client=swf_client).get(domain)
    assert isinstance(found, Domain) and found.name == domain and found.retention_period == 1
    assert found.status == Domain.STATUS_REGISTERED
    assert domain in [d.name for d in DomainQuerySet(client=swf_client).all()]
    with pytest.raises(DoesNotExistError) as raised:
        Domain("no-such-domain", client=swf_client).upstream()
    assert extract_error_code(raised.value) == "UnknownResourceFault"


def test_workflow_types_take_a_domain_object(swf_client: Any, domain: str) -> None:
    model = Domain(domain, client=swf_client)
    created = WorkflowTypeQuerySet(model, client=swf_client).create(
        "flow",
        "2",
        task_list="decisions",
        execution_timeout=600,
        decision_tasks_timeout=30,
        child_policy="TERMINATE",
    )
    assert isinstance(created, WorkflowType)
    got = WorkflowTypeQuerySet(model, client=swf_client).get("flow", "2")
    assert isinstance(got, WorkflowType) and got.status is RegistrationStatus.REGISTERED
    assert (got.default_task_list, got.default_execution_start_to_close_timeout) == ("decisions", "600")
    assert [t.name for t in WorkflowTypeQuerySet(domain, client=swf_client).all()] == ["flow"]


def test_executions_as_upstream(swf_client: Any, domain: str) -> None:
    start_execution(swf_client, domain, "wf-mapper")
    executions = WorkflowExecutionQuerySet(Domain(domain, client=swf_client), client=swf_client)
    found = executions.get("wf-mapper")
    assert isinstance(found, WorkflowExecution) and found.status.value == WorkflowExecution.STATUS_OPEN
    assert [e.workflow_id for e in executions.filter(status=WorkflowExecution.STATUS_OPEN)] == ["wf-mapper"]
    assert (
        WorkflowExecution(domain, "wf-mapper", found.run_id, client=swf_client).upstream().run_id
        == found.run_id
    )


def test_actors_take_domain_and_task_list(swf_client: Any, domain: str) -> None:
    decider = Decider(Domain(domain, client=swf_client), "decisions", client=swf_client)
    worker = ActivityWorker(domain, "activities", "me", client=swf_client)
    assert (decider.domain, decider.task_list) == (domain, "decisions")
    assert (worker.domain, worker.task_list, worker.identity) == (domain, "activities", "me")


def test_swf_executor_replays_with_upstream_arguments() -> None:
    from simpleflow.swf.executor import Executor
    from simpleflow.testing.history_builder import HistoryBuilder
    from tests.compat.flows_modules import PlainWorkflow

    executor = Executor("prod", PlainWorkflow, "my-activities")
    assert (executor.domain, executor.workflow_class) == ("prod", PlainWorkflow)
    replay = executor.replay(HistoryBuilder(PlainWorkflow, input=["x"]).decision_task())
    (decision,) = replay.decisions
    assert decision["decisionType"] == "ScheduleActivityTask"
    assert decision["scheduleActivityTaskDecisionAttributes"]["taskList"] == {"name": "my-activities"}


def test_swf_executor_refuses_repair() -> None:
    from simpleflow.swf.executor import Executor
    from tests.compat.flows_modules import PlainWorkflow

    with pytest.raises(ConfigurationError, match="standalone --repair"):
        Executor("prod", PlainWorkflow, repair_with=object())
