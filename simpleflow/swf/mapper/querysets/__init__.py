"""simpleflow 0.x's querysets: ``DomainQuerySet()``, ``WorkflowTypeQuerySet(domain)``, ...

They are this project's querysets (:mod:`simpleflow.swf.querysets`) with 0.x's constructors (a
``Domain`` or a domain name, ``client`` optional) and 0.x's keyword names on ``filter`` / ``all``
(``registration_status``, ``status=WorkflowExecution.STATUS_OPEN``); they return the models of
:mod:`simpleflow.swf.mapper.models`.
"""

from __future__ import annotations

from typing import Any

from simpleflow.swf import querysets
from simpleflow.swf.mapper.core import default_client
from simpleflow.swf.mapper.models import (
    ActivityType,
    Domain,
    WorkflowExecution,
    WorkflowType,
    _domain_name,
    as_mapper,
)
from simpleflow.swf.models import ExecutionStatus, RegistrationStatus

__all__ = ["ActivityTypeQuerySet", "DomainQuerySet", "WorkflowExecutionQuerySet", "WorkflowTypeQuerySet"]


def _registration(value: Any) -> RegistrationStatus:
    return value if isinstance(value, RegistrationStatus) else RegistrationStatus(value)


class DomainQuerySet(querysets.DomainQuerySet):
    """``DomainQuerySet()``: the domains of the default client (or of ``client``)."""

    def __init__(self, *args: Any, client: Any = None, connection: Any = None, **kwargs: Any) -> None:
        super().__init__(client or connection or default_client())

    def get(self, name: str, *args: Any, **kwargs: Any) -> Domain:
        """The domain ``name``; raises ``UnknownResource`` (0.x's ``DoesNotExistError``)."""
        return Domain(name, client=self.client).upstream()

    def filter(  # type: ignore[override]
        self, registration_status: Any = RegistrationStatus.REGISTERED, *, status: Any = None
    ) -> list[Domain]:
        """Domains with this registration status."""
        chosen = _registration(status or registration_status)
        return [self.get(domain.name) for domain in super().filter(status=chosen)]

    def all(self, registration_status: Any = RegistrationStatus.REGISTERED) -> list[Domain]:  # type: ignore[override]
        """Every domain with this registration status."""
        return self.filter(registration_status)

    def create(
        self, name: str, status: Any = None, description: str | None = None, retention_period: int = 30
    ) -> Domain:
        """Register the domain ``name`` and return it."""
        domain = Domain(name, description=description, retention_period=retention_period, client=self.client)
        domain.save()
        return domain


class _TypeQuerySetMixin:
    model_class: Any
    client: Any
    domain: str

    def get(self, name: str, version: str, *args: Any, **kwargs: Any) -> Any:
        """The type ``name``/``version``; raises ``UnknownResource``."""
        return self.model_class(self.domain, name, version, client=self.client).upstream()

    def filter(
        self,
        domain: Any = None,
        registration_status: Any = RegistrationStatus.REGISTERED,
        name: str | None = None,
    ) -> list[Any]:
        """Types with this registration status (and name)."""
        found = querysets._paginate(
            self.client,
            self.list_operation,  # type: ignore[attr-defined]
            "typeInfos",
            domain=_domain_name(domain) if domain is not None else self.domain,
            registrationStatus=_registration(registration_status).value,
            **({"name": name} if name else {}),
        )
        return [self.model_class.from_description(self.client, self.domain, info) for info in found]

    def all(self, registration_status: Any = RegistrationStatus.REGISTERED) -> list[Any]:
        """Every type of this kind with this registration status."""
        return self.filter(registration_status=registration_status)

    def create(self, name: str, version: str, **fields: Any) -> Any:
        """Register the type and return it."""
        model = self.model_class(self.domain, name, version, client=self.client, **fields)
        model.save()
        return model


class WorkflowTypeQuerySet(_TypeQuerySetMixin, querysets.WorkflowTypeQuerySet):  # type: ignore[misc]
    """``WorkflowTypeQuerySet(domain)``."""

    model_class = WorkflowType

    def __init__(
        self, domain: Any, *args: Any, client: Any = None, connection: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(client or connection or default_client(), _domain_name(domain))


class ActivityTypeQuerySet(_TypeQuerySetMixin, querysets.ActivityTypeQuerySet):  # type: ignore[misc]
    """``ActivityTypeQuerySet(domain)``."""

    model_class = ActivityType

    def __init__(
        self, domain: Any, *args: Any, client: Any = None, connection: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(client or connection or default_client(), _domain_name(domain))


class WorkflowExecutionQuerySet(querysets.WorkflowExecutionQuerySet):
    """``WorkflowExecutionQuerySet(domain)``."""

    def __init__(
        self, domain: Any, *args: Any, client: Any = None, connection: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(client or connection or default_client(), _domain_name(domain))

    def get(
        self, workflow_id: str, run_id: str | None = None, *args: Any, **kwargs: Any
    ) -> WorkflowExecution:
        """The execution; raises ``UnknownResource``."""
        return as_mapper(WorkflowExecution, super().get(workflow_id, run_id))

    def filter(  # type: ignore[override]
        self, status: Any = ExecutionStatus.OPEN, **filters: Any
    ) -> list[WorkflowExecution]:
        """Executions with this status (``"OPEN"``/``"CLOSED"`` or :class:`ExecutionStatus`)."""
        chosen = status if isinstance(status, ExecutionStatus) else ExecutionStatus(status)
        filters.pop("domain", None)
        if "start_oldest_date" in filters or "oldest_date" in filters:
            filters.pop("start_oldest_date", None)
            filters.pop("oldest_date", None)
        found = super().filter(status=chosen, **filters)
        return [as_mapper(WorkflowExecution, item) for item in found]

    def all(self, status: Any = ExecutionStatus.OPEN, **filters: Any) -> list[WorkflowExecution]:  # type: ignore[override]
        """Every execution with this status."""
        return self.filter(status, **filters)


def __getattr__(name: str) -> Any:
    if name == "HistoryQuerySet":
        raise ImportError(
            "simpleflow.swf.mapper.querysets.HistoryQuerySet does not exist here: "
            "use WorkflowExecution.history() or iter_history_pages() instead"
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
