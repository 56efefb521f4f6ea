"""simpleflow 0.x's SWF models (``Domain``, ``WorkflowType``, ``ActivityType``, ``WorkflowExecution``).

They are this project's models (:mod:`simpleflow.swf.models`) with 0.x's constructors: a domain may be
a ``Domain`` or its name, ``client`` is optional (see :mod:`simpleflow.swf.mapper`), and 0.x's argument
names are accepted (``retention_period``, ``task_list``, ``execution_timeout``, ``decision_tasks_timeout``,
``child_policy``, ...). The ``STATUS_*`` constants are 0.x's strings. ``History`` is this project's
:class:`simpleflow.history.History` (``History(events)``), not 0.x's event-object list.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from simpleflow.history import History
from simpleflow.swf import models
from simpleflow.swf.mapper.core import default_client
from simpleflow.swf.models import ExecutionStatus, RegistrationStatus

__all__ = [
    "ActivityType",
    "BaseModel",
    "Domain",
    "History",
    "WorkflowExecution",
    "WorkflowType",
]

#: 0.x's base class of the models.
BaseModel = models.Model

REGISTERED = RegistrationStatus.REGISTERED.value
DEPRECATED = RegistrationStatus.DEPRECATED.value


MapperT = TypeVar("MapperT")


def as_mapper(cls: type[MapperT], model: Any) -> MapperT:
    """``model`` (one of :mod:`simpleflow.swf.models`) as the 0.x-style class ``cls``, same fields."""
    return cls(**{item.name: getattr(model, item.name) for item in dataclasses.fields(model) if item.init})


def _domain_name(domain: Any) -> str:
    return domain if isinstance(domain, str) else str(domain.name)


def _status(value: Any) -> RegistrationStatus:
    return value if isinstance(value, RegistrationStatus) else RegistrationStatus(value)


def _renamed(fields: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    """``fields`` with 0.x's argument names turned into this project's field names (None dropped)."""
    out = {}
    for key, value in fields.items():
        target = renames.get(key, key)
        if key in renames and value is None:
            continue
        out[target] = str(value) if target.endswith("_timeout") and value is not None else value
    return out


class Domain(models.Domain):
    """``Domain(name, status=REGISTERED, description=None, retention_period=30)``, as in 0.x."""

    STATUS_REGISTERED = REGISTERED
    STATUS_DEPRECATED = DEPRECATED

    def __init__(
        self,
        name: str,
        status: Any = RegistrationStatus.REGISTERED,
        description: str | None = None,
        retention_period: int | str | None = None,
        *,
        client: Any = None,
        connection: Any = None,
        retention_period_days: str | None = None,
    ) -> None:
        days = retention_period_days or (str(retention_period) if retention_period is not None else "30")
        super().__init__(
            name,
            status=_status(status),
            description=description,
            retention_period_days=days,
            client=client or connection or default_client(),
        )

    @property
    def retention_period(self) -> int:
        """0.x's name: the retention period in days, as a number."""
        return int(self.retention_period_days)

    def upstream(self) -> Domain:
        """SWF's version of this domain."""
        return as_mapper(Domain, super().upstream())


_TYPE_RENAMES = {
    "task_list": "default_task_list",
    "task_priority": "default_task_priority",
    "execution_timeout": "default_execution_start_to_close_timeout",
    "decision_tasks_timeout": "default_task_start_to_close_timeout",
    "child_policy": "default_child_policy",
    "lambda_role": "default_lambda_role",
    "task_heartbeat_timeout": "default_task_heartbeat_timeout",
    "task_schedule_to_close_timeout": "default_task_schedule_to_close_timeout",
    "task_schedule_to_start_timeout": "default_task_schedule_to_start_timeout",
    "task_start_to_close_timeout": "default_task_start_to_close_timeout",
}


class _UpstreamType:
    """0.x's constructor of a registered type: ``Type(domain, name, version, status=REGISTERED, ...)``."""

    STATUS_REGISTERED = REGISTERED
    STATUS_DEPRECATED = DEPRECATED

    def __init__(
        self,
        domain: Any,
        name: str,
        version: str | None = None,
        status: Any = RegistrationStatus.REGISTERED,
        *,
        client: Any = None,
        connection: Any = None,
        **fields: Any,
    ) -> None:
        if version is None:
            raise TypeError(f"{type(self).__name__} needs a version")
        # The model class comes next in the MRO; mypy only sees object here.
        super().__init__(  # type: ignore[call-arg]
            _domain_name(domain),
            name,
            version=version,
            status=_status(status),
            client=client or connection or default_client(),
            **_renamed(fields, _TYPE_RENAMES),
        )


class WorkflowType(_UpstreamType, models.WorkflowType):
    """``WorkflowType(domain, name, version, status=REGISTERED, ...)``, as in 0.x."""


class ActivityType(_UpstreamType, models.ActivityType):
    """``ActivityType(domain, name, version, status=REGISTERED, ...)``, as in 0.x."""


class WorkflowExecution(models.WorkflowExecution):
    """``WorkflowExecution(domain, workflow_id, run_id=None, ...)``, as in 0.x."""

    STATUS_OPEN = ExecutionStatus.OPEN.value
    STATUS_CLOSED = ExecutionStatus.CLOSED.value
    CLOSE_STATUS_COMPLETED = "COMPLETED"
    CLOSE_STATUS_FAILED = "FAILED"
    CLOSE_STATUS_CANCELED = "CANCELED"
    CLOSE_STATUS_TERMINATED = "TERMINATED"
    CLOSE_STATUS_CONTINUED_AS_NEW = "CONTINUED_AS_NEW"
    CLOSE_TIMED_OUT = "TIMED_OUT"

    def __init__(
        self,
        domain: Any,
        workflow_id: str,
        run_id: str | None = None,
        status: Any = None,
        *,
        client: Any = None,
        connection: Any = None,
        **fields: Any,
    ) -> None:
        if isinstance(status, str):
            status = ExecutionStatus(status)
        renamed = _renamed(
            fields,
            {
                "input": "execution_input",
                "execution_timeout": "execution_start_to_close_timeout",
                "decision_tasks_timeout": "task_start_to_close_timeout",
            },
        )
        workflow_type = renamed.pop("workflow_type", None)
        if workflow_type is not None:
            renamed.setdefault("workflow_type_name", workflow_type.name)
            renamed.setdefault("workflow_type_version", workflow_type.version)
        if isinstance(renamed.get("tag_list"), list):
            renamed["tag_list"] = tuple(renamed["tag_list"])
        super().__init__(
            _domain_name(domain),
            workflow_id,
            run_id=run_id,
            status=status,
            client=client or connection or default_client(),
            **renamed,
        )


def __getattr__(name: str) -> Any:
    if name == "ActivityTask":
        raise ImportError(
            "simpleflow.swf.mapper.models.ActivityTask does not exist here: use the dict "
            "simpleflow.swf.mapper.actors.ActivityWorker(...).poll() returns instead"
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
