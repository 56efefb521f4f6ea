"""Make sure the domain and the types a run needs exist on SWF, registering them when missing.

- Types (activity and workflow) are registered when missing, on any engine. Registering is idempotent:
  SWF's ``TypeAlreadyExistsFault`` means the work is done. A :class:`TypeRegistry` remembers what it
  has ensured, so a decider does not call SWF for every decision.
- The domain is registered only when the caller says the engine is the embedded service it started
  (``register_if_missing=True``): callers that started it know, whereas sniffing an endpoint URL
  would guess. On Amazon SWF a missing domain is an error whose message says how to register it,
  because a domain is an account-level resource with a retention period someone should choose.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from simpleflow.exceptions import ConfigurationError, SWFError, UnknownResource
from simpleflow.swf.client import SWFClient, swf_errors
from simpleflow.swf.models import ActivityType, Domain, RegistrationStatus, WorkflowType

DEFAULT_RETENTION_DAYS = "30"
#: Type defaults registered for a child workflow whose start decision leaves them out: SWF's longest
#: execution (one year), a 5-minute decision task, and children terminated with their parent.
CHILD_DEFAULTS = {
    "executionStartToCloseTimeout": str(365 * 24 * 3600),
    "taskStartToCloseTimeout": "300",
    "childPolicy": "TERMINATE",
}

# Registered as a workflow type's defaults when its class leaves them unset, so that starting an
# execution never fails for a missing default (SWF's DEFAULT_*_UNDEFINED causes).
DEFAULT_EXECUTION_TIMEOUT = "86400"
DEFAULT_DECISION_TASK_TIMEOUT = "300"
DEFAULT_CHILD_POLICY = "TERMINATE"
DEFAULT_WORKFLOW_TASK_LIST = "default"


def ensure_domain(
    client: SWFClient,
    domain: str,
    *,
    register_if_missing: bool = False,
    retention_period_days: str = DEFAULT_RETENTION_DAYS,
) -> Domain:
    """The registered domain ``domain``; registers it first only if ``register_if_missing``.

    Raises ``UnknownResource`` (with the command that registers it) when it is missing and may not be
    registered here, and ``ConfigurationError`` when it is deprecated.
    """
    model = Domain(domain, retention_period_days=retention_period_days, client=client)
    try:
        upstream = model.upstream()
    except UnknownResource as error:
        if not register_if_missing:
            raise UnknownResource(
                "DescribeDomain",
                error.code,
                f"domain {domain!r} is not registered; register it once with "
                f"`aws swf register-domain --name {domain} "
                f"--workflow-execution-retention-period-in-days {retention_period_days}` "
                "(or run with --local-swf to use the embedded service)",
            ) from error
        try:
            model.save()
        except SWFError as save_error:
            # Another process may have registered it between our describe and our register.
            if save_error.code != "DomainAlreadyExistsFault":
                raise
        upstream = model.upstream()
    if upstream.status is RegistrationStatus.DEPRECATED:
        raise ConfigurationError(f"domain {domain!r} is deprecated on SWF; use another domain")
    return upstream


def _register(call: Any, operation: str, params: Mapping[str, Any]) -> bool:
    """Call a RegisterXType; True when it registered, False when the type already existed."""
    try:
        with swf_errors(operation):
            call(**params)
    except SWFError as error:
        if error.code == "TypeAlreadyExistsFault":
            return False
        raise
    return True


class TypeRegistry:
    """Registers activity and workflow types of one domain when missing; thread-safe, remembers."""

    def __init__(self, client: SWFClient, domain: str) -> None:
        self.client = client
        self.domain = domain
        self._ensured: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()

    def _is_ensured(self, key: tuple[str, str, str]) -> bool:
        with self._lock:
            return key in self._ensured

    def _remember(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            self._ensured.add(key)

    def ensure_activity_type(self, model: ActivityType) -> bool:
        """Register ``model`` unless it exists; True when this call registered it."""
        key = ("activity", model.name, model.version)
        if self._is_ensured(key):
            return False
        params = {**model.registration_params(), "domain": self.domain}
        registered = _register(self.client.register_activity_type, "RegisterActivityType", params)
        self._remember(key)
        return registered

    def ensure_workflow_type(self, model: WorkflowType) -> bool:
        """Register ``model`` unless it exists; True when this call registered it."""
        key = ("workflow", model.name, model.version)
        if self._is_ensured(key):
            return False
        params = {**model.registration_params(), "domain": self.domain}
        registered = _register(self.client.register_workflow_type, "RegisterWorkflowType", params)
        self._remember(key)
        return registered

    def ensure_decision_types(self, decisions: Iterable[Mapping[str, Any]]) -> None:
        """Register the activity and child workflow types that ``decisions`` schedule.

        The defaults registered are the decision's own values: a decision built from an activity's
        attributes carries its task list and timeouts, which are then also the type's defaults.
        """
        for decision in decisions:
            kind = decision.get("decisionType")
            if kind == "ScheduleActivityTask":
                self.ensure_activity_type(
                    activity_type_from_decision(
                        self.client, self.domain, decision["scheduleActivityTaskDecisionAttributes"]
                    )
                )
            elif kind == "StartChildWorkflowExecution":
                self.ensure_workflow_type(
                    workflow_type_from_decision(
                        self.client, self.domain, decision["startChildWorkflowExecutionDecisionAttributes"]
                    )
                )


def activity_type_from_decision(
    client: SWFClient, domain: str, attributes: Mapping[str, Any]
) -> ActivityType:
    """The activity type a ``ScheduleActivityTask`` decision names, its values as defaults."""
    kind = attributes["activityType"]
    task_list = attributes.get("taskList", {}).get("name")
    return ActivityType(
        domain,
        kind["name"],
        version=kind["version"],
        default_task_list=task_list,
        # No default priority: one decision's priority (a submit's __priority) would become every later
        # decision's, and a task submitted without one must have none, as on SWF with simpleflow 0.36.
        default_task_start_to_close_timeout=attributes.get("startToCloseTimeout"),
        default_task_heartbeat_timeout=attributes.get("heartbeatTimeout"),
        default_task_schedule_to_start_timeout=attributes.get("scheduleToStartTimeout"),
        default_task_schedule_to_close_timeout=attributes.get("scheduleToCloseTimeout"),
        client=client,
    )


def workflow_type_from_decision(
    client: SWFClient, domain: str, attributes: Mapping[str, Any]
) -> WorkflowType:
    """The workflow type a ``StartChildWorkflowExecution`` decision names, its values as defaults.

    A child start that leaves a timeout or the child policy out relies on the type's defaults, and SWF
    refuses it when the type has none (``DEFAULT_..._UNDEFINED``), so missing ones get
    :data:`CHILD_DEFAULTS`.
    """
    kind = attributes["workflowType"]
    return WorkflowType(
        domain,
        kind["name"],
        version=kind["version"],
        default_task_list=attributes.get("taskList", {}).get("name"),
        default_task_start_to_close_timeout=attributes.get(
            "taskStartToCloseTimeout", CHILD_DEFAULTS["taskStartToCloseTimeout"]
        ),
        default_execution_start_to_close_timeout=attributes.get(
            "executionStartToCloseTimeout", CHILD_DEFAULTS["executionStartToCloseTimeout"]
        ),
        default_child_policy=attributes.get("childPolicy", CHILD_DEFAULTS["childPolicy"]),
        default_lambda_role=attributes.get("lambdaRole"),
        client=client,
    )


def workflow_type_for(
    client: SWFClient, domain: str, workflow_cls: type, *, task_list: str | None = None
) -> WorkflowType:
    """The workflow type a :class:`~simpleflow.workflow.Workflow` subclass registers as.

    Defaults come from the class (``task_list``, ``execution_timeout``, ``decision_tasks_timeout``,
    ``child_policy``, ``task_priority``), else from this module's ``DEFAULT_*`` constants; ``task_list``
    overrides the class's.
    """

    def attribute(name: str) -> Any:
        return getattr(workflow_cls, name, None)

    def as_text(value: Any, default: str | None) -> str | None:
        return default if value is None else str(value)

    return WorkflowType(
        domain,
        workflow_cls.name,  # type: ignore[attr-defined]
        version=str(attribute("version") or "1.0"),
        default_task_list=task_list or attribute("task_list") or DEFAULT_WORKFLOW_TASK_LIST,
        default_task_priority=as_text(attribute("task_priority"), None),
        default_execution_start_to_close_timeout=as_text(
            attribute("execution_timeout"), DEFAULT_EXECUTION_TIMEOUT
        ),
        default_task_start_to_close_timeout=as_text(
            attribute("decision_tasks_timeout"), DEFAULT_DECISION_TASK_TIMEOUT
        ),
        default_child_policy=attribute("child_policy") or DEFAULT_CHILD_POLICY,
        client=client,
    )
