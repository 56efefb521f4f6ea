"""Querysets: find and create SWF models, the way Django managers find rows.

A queryset is bound to a client (and, for types and executions, to a domain name)::

    domains = DomainQuerySet(client)
    domain = domains.get_or_create("prod")
    types = WorkflowTypeQuerySet(client, "prod")
    types.filter(status=RegistrationStatus.DEPRECATED)

``get`` raises :class:`~simpleflow.exceptions.UnknownResource` when SWF does not know the entity. List
calls follow every ``nextPageToken`` through botocore's paginators.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, Generic

from simpleflow.exceptions import ConfigurationError, SWFError
from simpleflow.swf.client import SWFClient, swf_errors
from simpleflow.swf.models import (
    ActivityType,
    Domain,
    ExecutionStatus,
    RegisteredTypeT,
    RegistrationStatus,
    WorkflowExecution,
    WorkflowType,
)

# SWF keeps closed executions at most 90 days; the epoch as "oldest" means "every execution it holds".
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _paginate(client: SWFClient, operation: str, result_key: str, **params: Any) -> Iterator[dict[str, Any]]:
    paginator = client.get_paginator(operation)
    with swf_errors(operation):
        for page in paginator.paginate(**params):
            yield from page.get(result_key, [])


class DomainQuerySet:
    """Domains reachable with ``client``."""

    def __init__(self, client: SWFClient) -> None:
        self.client = client

    def get(self, name: str) -> Domain:
        """The domain called ``name``; raises ``UnknownResource``."""
        return Domain(name, client=self.client).upstream()

    def filter(self, *, status: RegistrationStatus = RegistrationStatus.REGISTERED) -> list[Domain]:
        """Domains with this registration status (each described, to fill in its configuration)."""
        infos = _paginate(self.client, "list_domains", "domainInfos", registrationStatus=status.value)
        return [self.get(info["name"]) for info in infos]

    def all(self) -> list[Domain]:
        """Every registered domain."""
        return self.filter()

    def get_or_create(
        self, name: str, *, retention_period_days: str = "30", description: str | None = None
    ) -> Domain:
        """The domain called ``name``, registered first if SWF does not know it."""
        domain = Domain(
            name, retention_period_days=retention_period_days, description=description, client=self.client
        )
        try:
            domain.save()
        except SWFError as error:
            if error.code != "DomainAlreadyExistsFault":
                raise
        return self.get(name)


class _TypeQuerySet(Generic[RegisteredTypeT]):
    """Types of one kind in one domain; subclasses name the model and SWF's list operation."""

    model: type[RegisteredTypeT]
    list_operation: str

    def __init__(self, client: SWFClient, domain: str) -> None:
        self.client = client
        self.domain = domain

    def get(self, name: str, version: str) -> RegisteredTypeT:
        """The type ``name``/``version``; raises ``UnknownResource``."""
        return self.model(self.domain, name, version=version, client=self.client).upstream()

    def filter(
        self, *, name: str | None = None, status: RegistrationStatus = RegistrationStatus.REGISTERED
    ) -> list[RegisteredTypeT]:
        """Types with this status (and this name when given), without their configuration."""
        params: dict[str, Any] = {"domain": self.domain, "registrationStatus": status.value}
        if name is not None:
            params["name"] = name
        infos = _paginate(self.client, self.list_operation, "typeInfos", **params)
        return [self.model.from_description(self.client, self.domain, info) for info in infos]

    def all(self) -> list[RegisteredTypeT]:
        """Every registered type of this kind in the domain."""
        return self.filter()

    def get_or_create(self, name: str, version: str, **defaults: Any) -> RegisteredTypeT:
        """The type ``name``/``version``, registered with ``defaults`` (model fields) if missing."""
        model = self.model(self.domain, name, version=version, client=self.client, **defaults)
        try:
            model.save()
        except SWFError as error:
            if error.code != "TypeAlreadyExistsFault":
                raise
        return self.get(name, version)


class WorkflowTypeQuerySet(_TypeQuerySet[WorkflowType]):
    """Workflow types of one domain."""

    model = WorkflowType
    list_operation = "list_workflow_types"


class ActivityTypeQuerySet(_TypeQuerySet[ActivityType]):
    """Activity types of one domain."""

    model = ActivityType
    list_operation = "list_activity_types"


class WorkflowExecutionQuerySet:
    """Workflow executions of one domain."""

    def __init__(self, client: SWFClient, domain: str) -> None:
        self.client = client
        self.domain = domain

    def get(self, workflow_id: str, run_id: str | None = None) -> WorkflowExecution:
        """The execution (its open run when ``run_id`` is None), described; raises ``UnknownResource``."""
        return WorkflowExecution(self.domain, workflow_id, run_id=run_id, client=self.client).upstream()

    def filter(
        self,
        *,
        status: ExecutionStatus = ExecutionStatus.OPEN,
        workflow_id: str | None = None,
        workflow_type_name: str | None = None,
        workflow_type_version: str | None = None,
        tag: str | None = None,
        close_status: str | None = None,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        reverse: bool = False,
        limit: int | None = None,
    ) -> list[WorkflowExecution]:
        """Executions with this status, newest last unless ``reverse``.

        SWF accepts one filter at a time among ``workflow_id``, the workflow type, ``tag`` and
        ``close_status`` (closed executions only); combining them raises ``ConfigurationError``.
        """
        filters: dict[str, Any] = {}
        if workflow_id is not None:
            filters["executionFilter"] = {"workflowId": workflow_id}
        if workflow_type_name is not None:
            type_filter = {"name": workflow_type_name}
            if workflow_type_version is not None:
                type_filter["version"] = workflow_type_version
            filters["typeFilter"] = type_filter
        if tag is not None:
            filters["tagFilter"] = {"tag": tag}
        if close_status is not None:
            if status is not ExecutionStatus.CLOSED:
                raise ConfigurationError("close_status filters closed executions only")
            filters["closeStatusFilter"] = {"status": close_status}
        if len(filters) > 1:
            raise ConfigurationError(
                "SWF filters executions by one of workflow id, type, tag or close status at a time, "
                f"not {len(filters)}"
            )
        time_filter: dict[str, datetime] = {"oldestDate": started_after or EPOCH}
        if started_before is not None:
            time_filter["latestDate"] = started_before
        operation = (
            "list_open_workflow_executions"
            if status is ExecutionStatus.OPEN
            else "list_closed_workflow_executions"
        )
        params = {"domain": self.domain, "startTimeFilter": time_filter, "reverseOrder": reverse, **filters}
        if limit is not None:
            params["PaginationConfig"] = {"MaxItems": limit}
        infos = _paginate(self.client, operation, "executionInfos", **params)
        return [WorkflowExecution.from_info(self.client, self.domain, info) for info in infos]

    def all(self) -> list[WorkflowExecution]:
        """Every open execution of the domain."""
        return self.filter()
