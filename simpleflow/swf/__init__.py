"""Access to SWF (Amazon's or the embedded service) through boto3.

- :mod:`~simpleflow.swf.client`: :func:`make_client`, :func:`set_credentials`, error translation;
- :mod:`~simpleflow.swf.models` and :mod:`~simpleflow.swf.querysets`: domains, types, executions;
- :mod:`~simpleflow.swf.actors`: the :class:`Decider` and :class:`ActivityWorker` actors;
- :mod:`~simpleflow.swf.registration`: ensure the domain and types a run needs exist.

The names below are imported on first use (PEP 562): every ``import simpleflow.swf.client`` runs this
file first, and loading the models here would put botocore into every command's start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simpleflow.swf.actors import ActivityWorker, Decider
    from simpleflow.swf.client import make_client, set_credentials, swf_errors
    from simpleflow.swf.models import (
        ActivityType,
        Domain,
        ExecutionStatus,
        RegistrationStatus,
        WorkflowExecution,
        WorkflowType,
    )
    from simpleflow.swf.querysets import (
        ActivityTypeQuerySet,
        DomainQuerySet,
        WorkflowExecutionQuerySet,
        WorkflowTypeQuerySet,
    )
    from simpleflow.swf.registration import TypeRegistry, ensure_domain

# Exported name -> the module that defines it.
_EXPORTS = {
    "ActivityType": "simpleflow.swf.models",
    "ActivityTypeQuerySet": "simpleflow.swf.querysets",
    "ActivityWorker": "simpleflow.swf.actors",
    "Decider": "simpleflow.swf.actors",
    "Domain": "simpleflow.swf.models",
    "DomainQuerySet": "simpleflow.swf.querysets",
    "ExecutionStatus": "simpleflow.swf.models",
    "RegistrationStatus": "simpleflow.swf.models",
    "TypeRegistry": "simpleflow.swf.registration",
    "WorkflowExecution": "simpleflow.swf.models",
    "WorkflowExecutionQuerySet": "simpleflow.swf.querysets",
    "WorkflowType": "simpleflow.swf.models",
    "WorkflowTypeQuerySet": "simpleflow.swf.querysets",
    "ensure_domain": "simpleflow.swf.registration",
    "make_client": "simpleflow.swf.client",
    "set_credentials": "simpleflow.swf.client",
    "swf_errors": "simpleflow.swf.client",
}

__all__ = [
    "ActivityType",
    "ActivityTypeQuerySet",
    "ActivityWorker",
    "Decider",
    "Domain",
    "DomainQuerySet",
    "ExecutionStatus",
    "RegistrationStatus",
    "TypeRegistry",
    "WorkflowExecution",
    "WorkflowExecutionQuerySet",
    "WorkflowType",
    "WorkflowTypeQuerySet",
    "ensure_domain",
    "make_client",
    "set_credentials",
    "swf_errors",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
