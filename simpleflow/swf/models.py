"""Local, immutable representations of SWF's entities: domains, workflow and activity types, executions.

A model is built locally (``Domain("prod", client=client)``), from a queryset, or from SWF's own
description. Nothing is sent until :meth:`save`. Each model can compare itself with its upstream
version: :attr:`~Model.exists`, :attr:`~Model.is_synced`, :attr:`~Model.changes` and
:meth:`~Model.upstream` (a new instance built from SWF's description).

Models are frozen dataclasses: a change is a new instance (``dataclasses.replace``), never a mutation.
Every call goes through :func:`simpleflow.swf.client.swf_errors`, so failures are simpleflow errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar, NamedTuple, TypeVar

from simpleflow.exceptions import UnknownResource
from simpleflow.swf.client import SWFClient, swf_errors

ModelT = TypeVar("ModelT", bound="Model")
RegisteredTypeT = TypeVar("RegisteredTypeT", bound="_RegisteredType")


class RegistrationStatus(str, Enum):
    """SWF's registration status of a domain or a type."""

    REGISTERED = "REGISTERED"
    DEPRECATED = "DEPRECATED"


class ExecutionStatus(str, Enum):
    """SWF's execution status of a workflow execution."""

    OPEN = "OPEN"
    CLOSED = "CLOSED"


class Difference(NamedTuple):
    """One attribute whose local value differs from SWF's."""

    attribute: str
    local: Any
    upstream: Any


# Metadata of the fields that :attr:`Model.changes` compares with SWF.
SYNCED = {"synced": True}


class Model:
    """Behaviour shared by the models: upstream comparison. Subclasses are frozen dataclasses."""

    client: SWFClient

    def upstream(self: ModelT) -> ModelT:
        """A new instance built from SWF's current description; raises ``UnknownResource``."""
        raise NotImplementedError

    @property
    def exists(self) -> bool:
        """Whether SWF knows this entity."""
        try:
            self.upstream()
        except UnknownResource:
            return False
        return True

    @property
    def changes(self) -> list[Difference]:
        """The synced attributes whose value differs from SWF's; raises ``UnknownResource``."""
        remote = self.upstream()
        differences = []
        for model_field in dataclasses.fields(self):  # type: ignore[arg-type]
            if not model_field.metadata.get("synced"):
                continue
            local, upstream = getattr(self, model_field.name), getattr(remote, model_field.name)
            if local != upstream:
                differences.append(Difference(model_field.name, local, upstream))
        return differences

    @property
    def is_synced(self) -> bool:
        """Whether SWF knows this entity and agrees on every synced attribute."""
        try:
            return not self.changes
        except UnknownResource:
            return False


def _drop_none(params: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if value is not None}


def _task_list(name: str | None) -> dict[str, str] | None:
    return None if name is None else {"name": name}


def _timeout(value: int | str | None) -> str | None:
    return None if value is None else str(value)


# -- domain -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Domain(Model):
    """An SWF domain. ``retention_period_days`` is SWF's string ("0".."90")."""

    name: str
    _: KW_ONLY
    status: RegistrationStatus = field(default=RegistrationStatus.REGISTERED, metadata=SYNCED)
    description: str | None = field(default=None, metadata=SYNCED)
    retention_period_days: str = field(default="30", metadata=SYNCED)
    client: SWFClient = field(repr=False, compare=False)

    @classmethod
    def from_description(cls, client: SWFClient, description: Mapping[str, Any]) -> Domain:
        """Build from a ``DescribeDomain`` response."""
        info = description["domainInfo"]
        return cls(
            info["name"],
            status=RegistrationStatus(info["status"]),
            description=info.get("description"),
            retention_period_days=str(description["configuration"]["workflowExecutionRetentionPeriodInDays"]),
            client=client,
        )

    def upstream(self) -> Domain:
        """SWF's version of this domain."""
        with swf_errors("DescribeDomain"):
            return Domain.from_description(self.client, self.client.describe_domain(name=self.name))

    def save(self) -> Domain:
        """Register the domain; raises ``SWFError`` with code ``DomainAlreadyExistsFault`` if it exists."""
        with swf_errors("RegisterDomain"):
            self.client.register_domain(
                **_drop_none(
                    {
                        "name": self.name,
                        "description": self.description,
                        "workflowExecutionRetentionPeriodInDays": self.retention_period_days,
                    }
                )
            )
        return self

    def deprecate(self) -> Domain:
        """Deprecate the domain on SWF and return the deprecated model."""
        with swf_errors("DeprecateDomain"):
            self.client.deprecate_domain(name=self.name)
        return dataclasses.replace(self, status=RegistrationStatus.DEPRECATED)


# -- types ------------------------------------------------------------------------------------------------


def _configuration_key(attribute: str) -> str:
    """SWF's configuration key of a ``default_*`` attribute: ``default_task_list`` -> ``defaultTaskList``."""
    first, *rest = attribute.split("_")
    return first + "".join(word.capitalize() for word in rest)


@dataclass(frozen=True)
class _RegisteredType(Model):
    """What workflow and activity types share; each ``default_*`` field is SWF's configuration key in
    snake case, so describing and registering a type are the same code for both kinds.

    Timeouts are SWF's strings (seconds or ``NONE``).
    """

    domain: str
    name: str
    _: KW_ONLY
    version: str
    status: RegistrationStatus = field(default=RegistrationStatus.REGISTERED, metadata=SYNCED)
    description: str | None = field(default=None, metadata=SYNCED)
    default_task_list: str | None = field(default=None, metadata=SYNCED)
    default_task_priority: str | None = field(default=None, metadata=SYNCED)
    default_task_start_to_close_timeout: str | None = field(default=None, metadata=SYNCED)
    creation_date: datetime | None = field(default=None, compare=False)
    deprecation_date: datetime | None = field(default=None, compare=False)
    client: SWFClient = field(repr=False, compare=False)

    # SWF's name of the kind, in its operations (``DescribeWorkflowType``) and keys (``workflowType``).
    _SWF_KIND: ClassVar[str]

    @classmethod
    def _type_key(cls) -> str:
        return cls._SWF_KIND[0].lower() + cls._SWF_KIND[1:]

    @classmethod
    def _plain_defaults(cls) -> list[str]:
        """The ``default_*`` attributes SWF takes as they are: all but the task list, which it nests."""
        return [
            model_field.name
            for model_field in dataclasses.fields(cls)
            if model_field.name.startswith("default_") and model_field.name != "default_task_list"
        ]

    @classmethod
    def from_description(
        cls: type[RegisteredTypeT], client: SWFClient, domain: str, description: Mapping[str, Any]
    ) -> RegisteredTypeT:
        """Build from a ``Describe*Type`` response (or a ``typeInfo`` with no configuration)."""
        info = description.get("typeInfo", description)
        config = description.get("configuration", {})
        defaults = {
            attribute: config.get(_configuration_key(attribute)) for attribute in cls._plain_defaults()
        }
        return cls(
            domain,
            info[cls._type_key()]["name"],
            version=info[cls._type_key()]["version"],
            status=RegistrationStatus(info["status"]),
            description=info.get("description"),
            default_task_list=config.get("defaultTaskList", {}).get("name"),
            creation_date=info.get("creationDate"),
            deprecation_date=info.get("deprecationDate"),
            client=client,
            **defaults,
        )

    @property
    def reference(self) -> dict[str, str]:
        """The ``{"name", "version"}`` shape SWF uses to name the type."""
        return {"name": self.name, "version": self.version}

    def _call(self, action: str, **params: Any) -> Any:
        """SWF's ``<action><kind>`` operation (``DescribeActivityType``...), its errors translated."""
        # Imported here so that importing the models loads no botocore; a client has loaded it already.
        from botocore import xform_name

        operation = action + self._SWF_KIND
        with swf_errors(operation):
            return getattr(self.client, xform_name(operation))(**params)

    def upstream(self: RegisteredTypeT) -> RegisteredTypeT:
        """SWF's version of this type."""
        response = self._call("Describe", domain=self.domain, **{self._type_key(): self.reference})
        return type(self).from_description(self.client, self.domain, response)

    def save(self: RegisteredTypeT) -> RegisteredTypeT:
        """Register the type; raises ``SWFError`` with code ``TypeAlreadyExistsFault`` if it exists."""
        self._call("Register", **self.registration_params())
        return self

    def registration_params(self) -> dict[str, Any]:
        """The ``Register*Type`` request for this model."""
        params: dict[str, Any] = {
            "domain": self.domain,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "defaultTaskList": _task_list(self.default_task_list),
        }
        for attribute in self._plain_defaults():
            value = getattr(self, attribute)
            params[_configuration_key(attribute)] = (
                _timeout(value) if attribute.endswith("_timeout") else value
            )
        return _drop_none(params)

    def deprecate(self: RegisteredTypeT) -> RegisteredTypeT:
        """Deprecate the type on SWF and return the deprecated model."""
        self._call("Deprecate", domain=self.domain, **{self._type_key(): self.reference})
        return dataclasses.replace(self, status=RegistrationStatus.DEPRECATED)


@dataclass(frozen=True, kw_only=True)
class WorkflowType(_RegisteredType):
    """An SWF workflow type of ``domain``; timeouts are SWF's strings (seconds or ``NONE``)."""

    default_execution_start_to_close_timeout: str | None = field(default=None, metadata=SYNCED)
    default_child_policy: str | None = field(default=None, metadata=SYNCED)
    default_lambda_role: str | None = field(default=None, metadata=SYNCED)

    _SWF_KIND = "WorkflowType"


@dataclass(frozen=True, kw_only=True)
class ActivityType(_RegisteredType):
    """An SWF activity type of ``domain``; timeouts are SWF's strings (seconds or ``NONE``)."""

    default_task_heartbeat_timeout: str | None = field(default=None, metadata=SYNCED)
    default_task_schedule_to_start_timeout: str | None = field(default=None, metadata=SYNCED)
    default_task_schedule_to_close_timeout: str | None = field(default=None, metadata=SYNCED)

    _SWF_KIND = "ActivityType"


# -- executions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowExecution(Model):
    """A workflow execution of ``domain``: ``run_id`` is None until it is started (or looked up)."""

    domain: str
    workflow_id: str
    _: KW_ONLY
    run_id: str | None = None
    workflow_type_name: str | None = None
    workflow_type_version: str | None = None
    status: ExecutionStatus | None = field(default=None, metadata=SYNCED)
    close_status: str | None = field(default=None, metadata=SYNCED)
    cancel_requested: bool = field(default=False, metadata=SYNCED)
    task_list: str | None = None
    task_priority: str | None = None
    execution_input: str | None = None
    tag_list: tuple[str, ...] = ()
    execution_start_to_close_timeout: str | None = None
    task_start_to_close_timeout: str | None = None
    child_policy: str | None = None
    lambda_role: str | None = None
    start_timestamp: datetime | None = field(default=None, compare=False)
    close_timestamp: datetime | None = field(default=None, compare=False)
    parent: Mapping[str, str] | None = field(default=None, compare=False)
    open_counts: Mapping[str, int] = field(default_factory=dict, compare=False)
    latest_execution_context: str | None = field(default=None, compare=False)
    client: SWFClient = field(repr=False, compare=False)

    @classmethod
    def from_info(cls, client: SWFClient, domain: str, info: Mapping[str, Any]) -> WorkflowExecution:
        """Build from an ``executionInfo`` of a list or describe response."""
        return cls(
            domain,
            info["execution"]["workflowId"],
            run_id=info["execution"]["runId"],
            workflow_type_name=info["workflowType"]["name"],
            workflow_type_version=info["workflowType"]["version"],
            status=ExecutionStatus(info["executionStatus"]),
            close_status=info.get("closeStatus"),
            cancel_requested=bool(info.get("cancelRequested", False)),
            tag_list=tuple(info.get("tagList", ())),
            start_timestamp=info.get("startTimestamp"),
            close_timestamp=info.get("closeTimestamp"),
            parent=info.get("parent"),
            client=client,
        )

    @classmethod
    def from_description(
        cls, client: SWFClient, domain: str, description: Mapping[str, Any]
    ) -> WorkflowExecution:
        """Build from a ``DescribeWorkflowExecution`` response."""
        config = description.get("executionConfiguration", {})
        return dataclasses.replace(
            cls.from_info(client, domain, description["executionInfo"]),
            task_list=config.get("taskList", {}).get("name"),
            task_priority=config.get("taskPriority"),
            execution_start_to_close_timeout=config.get("executionStartToCloseTimeout"),
            task_start_to_close_timeout=config.get("taskStartToCloseTimeout"),
            child_policy=config.get("childPolicy"),
            lambda_role=config.get("lambdaRole"),
            open_counts=dict(description.get("openCounts", {})),
            latest_execution_context=description.get("latestExecutionContext"),
        )

    @property
    def reference(self) -> dict[str, str]:
        """The ``{"workflowId", "runId"}`` shape SWF uses to name the execution."""
        return _drop_none({"workflowId": self.workflow_id, "runId": self.run_id})

    def _with_run_id(self) -> WorkflowExecution:
        """This execution, with the run id of the open run filled in when it was not given."""
        if self.run_id is not None:
            return self
        with swf_errors("ListOpenWorkflowExecutions"):
            response = self.client.list_open_workflow_executions(
                domain=self.domain,
                startTimeFilter={"oldestDate": datetime(1970, 1, 1)},
                executionFilter={"workflowId": self.workflow_id},
            )
        infos = response.get("executionInfos", [])
        if not infos:
            raise UnknownResource(
                "DescribeWorkflowExecution",
                "UnknownResourceFault",
                f"no open execution of workflow id {self.workflow_id!r} in domain {self.domain!r}",
            )
        return dataclasses.replace(self, run_id=infos[0]["execution"]["runId"])

    def upstream(self) -> WorkflowExecution:
        """SWF's description of this execution (of its open run when ``run_id`` is None)."""
        execution = self._with_run_id()
        with swf_errors("DescribeWorkflowExecution"):
            response = self.client.describe_workflow_execution(
                domain=self.domain, execution=execution.reference
            )
        return WorkflowExecution.from_description(self.client, self.domain, response)

    def save(self) -> WorkflowExecution:
        """Start the execution; returns the model with its ``run_id`` (OPEN)."""
        params = _drop_none(
            {
                "domain": self.domain,
                "workflowId": self.workflow_id,
                "workflowType": {"name": self.workflow_type_name, "version": self.workflow_type_version},
                "taskList": _task_list(self.task_list),
                "taskPriority": self.task_priority,
                "input": self.execution_input,
                "executionStartToCloseTimeout": _timeout(self.execution_start_to_close_timeout),
                "taskStartToCloseTimeout": _timeout(self.task_start_to_close_timeout),
                "childPolicy": self.child_policy,
                "lambdaRole": self.lambda_role,
            }
        )
        if self.tag_list:
            params["tagList"] = list(self.tag_list)
        with swf_errors("StartWorkflowExecution"):
            response = self.client.start_workflow_execution(**params)
        return dataclasses.replace(self, run_id=response["runId"], status=ExecutionStatus.OPEN)

    def iter_history_pages(
        self, *, reverse: bool = False, page_size: int | None = None
    ) -> Iterator[list[dict]]:
        """Stream the history one page of events at a time, following every ``nextPageToken``."""
        execution = self._with_run_id()
        paginator = self.client.get_paginator("get_workflow_execution_history")
        config = {} if page_size is None else {"PageSize": page_size}
        with swf_errors("GetWorkflowExecutionHistory"):
            for page in paginator.paginate(
                domain=self.domain,
                execution=execution.reference,
                reverseOrder=reverse,
                PaginationConfig=config,
            ):
                yield page.get("events", [])

    def history(self, *, reverse: bool = False) -> list[dict]:
        """Every event of the history, all pages merged (oldest first unless ``reverse``)."""
        return [event for page in self.iter_history_pages(reverse=reverse) for event in page]

    def _request(self, **params: Any) -> dict[str, Any]:
        """A request to this execution (to its current run when ``run_id`` is None), Nones left out."""
        return _drop_none(
            {"domain": self.domain, "workflowId": self.workflow_id, "runId": self.run_id, **params}
        )

    def signal(self, signal_name: str, *, signal_input: str | None = None) -> None:
        """Send ``signal_name`` with its input (already encoded) to the execution."""
        with swf_errors("SignalWorkflowExecution"):
            self.client.signal_workflow_execution(**self._request(signalName=signal_name, input=signal_input))

    def request_cancel(self) -> None:
        """Ask the execution to cancel itself (its decider sees ``WorkflowExecutionCancelRequested``)."""
        with swf_errors("RequestCancelWorkflowExecution"):
            self.client.request_cancel_workflow_execution(**self._request())

    def started_event(self) -> dict[str, Any]:
        """The ``WorkflowExecutionStarted`` event of this run (its first): input, task list, tags..."""
        with swf_errors("GetWorkflowExecutionHistory"):
            response = self.client.get_workflow_execution_history(
                domain=self.domain, execution=self.reference, maximumPageSize=1
            )
        events: list[dict[str, Any]] = response.get("events", [])
        if not events:
            raise UnknownResource(
                "GetWorkflowExecutionHistory", "UnknownResourceFault", f"{self.workflow_id} has no history"
            )
        return events[0]

    def restart(self, *, reason: str) -> WorkflowExecution:
        """Start a new run with this run's type, input, tags, task list and timeouts; returns it.

        An open run is terminated first, with ``reason``: SWF allows one open run per workflow id.
        """
        started = self.started_event()["workflowExecutionStartedEventAttributes"]
        if self.status is ExecutionStatus.OPEN:
            self.terminate(reason=reason)
        return dataclasses.replace(
            self,
            run_id=None,
            execution_input=started.get("input"),
            tag_list=tuple(started.get("tagList", ())),
            task_list=started.get("taskList", {}).get("name"),
            task_priority=started.get("taskPriority"),
            execution_start_to_close_timeout=started.get("executionStartToCloseTimeout"),
            task_start_to_close_timeout=started.get("taskStartToCloseTimeout"),
            child_policy=started.get("childPolicy"),
            lambda_role=started.get("lambdaRole"),
        ).save()

    def terminate(
        self, *, reason: str | None = None, details: str | None = None, child_policy: str | None = None
    ) -> None:
        """Terminate the execution at once."""
        with swf_errors("TerminateWorkflowExecution"):
            self.client.terminate_workflow_execution(
                **self._request(reason=reason, details=details, childPolicy=child_policy)
            )
