"""Access to SWF (Amazon's or the embedded service) through boto3.

- :mod:`~simpleflow.swf.client`: :func:`make_client`, :func:`set_credentials`, error translation;
- :mod:`~simpleflow.swf.models` and :mod:`~simpleflow.swf.querysets`: domains, types, executions;
- :mod:`~simpleflow.swf.actors`: the :class:`Decider` and :class:`ActivityWorker` actors;
- :mod:`~simpleflow.swf.registration`: ensure the domain and types a run needs exist.
"""

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
