"""Starting an execution of a Workflow class, and reading how it closed.

Shared by ``workflow.start``, ``standalone`` and the ``--local`` runner, on any engine. Its progress while it
runs is :mod:`simpleflow.progress`'s.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from simpleflow import payload
from simpleflow.exceptions import ConfigurationError, WorkflowFailed
from simpleflow.run_context import start_choices

if TYPE_CHECKING:
    from simpleflow.workflow import Workflow

# SWF's ceiling for an execution's start-to-close timeout (one year), the default when a class sets none.
MAX_EXECUTION_TIMEOUT = 365 * 24 * 3600
DEFAULT_DECISION_TASK_TIMEOUT = 300
MAX_TAGS = 5

#: The event that closes an execution, and the close status it stands for.
CLOSE_EVENTS = {
    "WorkflowExecutionCompleted": "COMPLETED",
    "WorkflowExecutionFailed": "FAILED",
    "WorkflowExecutionTimedOut": "TIMED_OUT",
    "WorkflowExecutionCanceled": "CANCELED",
    "WorkflowExecutionTerminated": "TERMINATED",
    "WorkflowExecutionContinuedAsNew": "CONTINUED_AS_NEW",
}


def parse_tags(tags: str | None) -> list[str]:
    """``a,b`` as a list of tags; SWF allows at most 5."""
    parsed = [tag.strip() for tag in (tags or "").split(",") if tag.strip()]
    if len(parsed) > MAX_TAGS:
        raise ConfigurationError(f"at most {MAX_TAGS} tags are allowed on SWF, got {len(parsed)}")
    return parsed


def workflow_type_of(workflow_cls: type[Workflow]) -> dict[str, str]:
    """The SWF ``workflowType`` of a Workflow class."""
    return {"name": str(workflow_cls.name), "version": str(workflow_cls.version)}


def start_execution(
    client: Any,
    workflow_cls: type[Workflow],
    value: Any = None,
    *,
    domain: str,
    workflow_id: str | None = None,
    task_list: str | None = None,
    execution_timeout: int | None = None,
    decision_tasks_timeout: int | None = None,
    tags: Iterable[str] = (),
    register_domain: bool = False,
    payload_store: payload.PayloadStore | None = None,
) -> dict[str, str]:
    """Start an execution of ``workflow_cls`` with input ``value``; returns its ``workflowId``/``runId``.

    The workflow type is registered when missing. The domain is registered only with
    ``register_domain`` (the caller knows the engine is an embedded service); otherwise an unknown
    domain raises UnknownResource with the command that registers it. A decision task list, an
    execution timeout and a decision task timeout not given come from the class (``task_list``,
    ``execution_timeout``, ``decision_tasks_timeout``), then from defaults; a workflow id, tags and a
    task list not given come from the class hooks ``get_workflow_id``, ``get_tag_list`` and
    ``get_task_list`` (called with the input) or ``tag_list``/``task_list``, as upstream (a top-level
    ``INHERIT_TAG_LIST`` gives no tags). An input over SWF's limit
    goes to ``payload_store``; without one it raises PayloadTooLarge saying which setting to change.
    """
    from simpleflow.observability.tracing import carry_trace
    from simpleflow.swf.client import swf_errors
    from simpleflow.swf.models import WorkflowType
    from simpleflow.swf.registration import TypeRegistry, ensure_domain

    # First: an input that cannot travel is the caller's to fix, whatever the engine says.
    value = carry_trace(value, workflow_name=workflow_type_of(workflow_cls)["name"])  # when tracing
    input_text = payload.encode_field("input", value, store=payload_store, field="workflow input")
    ensure_domain(client, domain, register_if_missing=register_domain)
    kind = workflow_type_of(workflow_cls)
    # Upstream's class hooks (get_workflow_id, get_tag_list, get_task_list) fill what was not given.
    chosen = start_choices(workflow_cls, value, workflow_id=workflow_id, tags=list(tags), task_list=task_list)
    task_list = chosen.task_list or kind["name"]
    execution = str(
        execution_timeout or getattr(workflow_cls, "execution_timeout", None) or MAX_EXECUTION_TIMEOUT
    )
    decision = str(
        decision_tasks_timeout
        or getattr(workflow_cls, "decision_tasks_timeout", None)
        or DEFAULT_DECISION_TASK_TIMEOUT
    )
    # The class's child_policy (a schedule's scheduler abandons its runs), else SWF's usual TERMINATE.
    child_policy = str(getattr(workflow_cls, "child_policy", None) or "TERMINATE")
    TypeRegistry(client, domain).ensure_workflow_type(
        WorkflowType(
            domain,
            kind["name"],
            version=kind["version"],
            default_task_list=task_list,
            default_child_policy=child_policy,
            default_execution_start_to_close_timeout=execution,
            default_task_start_to_close_timeout=decision,
            client=client,
        )
    )
    workflow_id = (
        chosen.workflow_id or f"{kind['name']}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    )
    params: dict[str, Any] = {
        "domain": domain,
        "workflowId": workflow_id,
        "workflowType": kind,
        "taskList": {"name": task_list},
        "input": input_text,
        "executionStartToCloseTimeout": execution,
        "taskStartToCloseTimeout": decision,
        "childPolicy": child_policy,
    }
    if len(chosen.tags) > MAX_TAGS:
        raise ConfigurationError(f"at most {MAX_TAGS} tags are allowed on SWF, got {len(chosen.tags)}")
    if chosen.tags:
        params["tagList"] = chosen.tags
    with swf_errors("StartWorkflowExecution"):
        started = client.start_workflow_execution(**params)
    return {"workflowId": workflow_id, "runId": started["runId"]}


# -- close -------------------------------------------------------------------------------------------------


def attributes_key(event_type: str) -> str:
    """``ActivityTaskScheduled`` -> ``activityTaskScheduledEventAttributes``."""
    return event_type[0].lower() + event_type[1:] + "EventAttributes"


def close_of(events: Iterable[Mapping[str, Any]]) -> tuple[str, dict[str, Any]] | None:
    """``(close status, attributes of the close event)`` when ``events`` end with one, else None."""
    last = None
    for last in events:  # noqa: B007 - only the last event matters
        pass
    if last is None or last["eventType"] not in CLOSE_EVENTS:
        return None
    return CLOSE_EVENTS[last["eventType"]], dict(last.get(attributes_key(last["eventType"]), {}))


def read_close(client: Any, domain: str, execution: Mapping[str, str]) -> tuple[str, dict[str, Any]] | None:
    """How ``execution`` closed (see :func:`close_of`), from the last event of its history."""
    from simpleflow.swf.client import swf_errors

    with swf_errors("GetWorkflowExecutionHistory"):
        page = client.get_workflow_execution_history(
            domain=domain, execution=dict(execution), reverseOrder=True, maximumPageSize=1
        )
    return close_of(page.get("events", [])[:1])


#: The close attributes that may carry an out-of-band reference.
CLOSE_FIELDS = ("result", "reason", "details")


def resolve_close_fields(
    attributes: Mapping[str, Any], *, store: payload.PayloadStore | None
) -> dict[str, Any]:
    """The close attributes with every out-of-band reference replaced by the text it stands for.

    For a caller that must read the store before it goes away (a run's temporary store).
    """
    resolved = dict(attributes)
    for name in CLOSE_FIELDS:
        text = resolved.get(name)
        if isinstance(text, str) and (payload.is_reference(text) or payload.is_jumbo_reference(text)):
            resolved[name] = payload.resolve(text, store=store, field=f"workflow {name}")
    return resolved


def result_or_raise(
    status: str, attributes: Mapping[str, Any], *, store: payload.PayloadStore | None = None
) -> Any:
    """The decoded result of a completed execution; WorkflowFailed for any other close status.

    Out-of-band references (result, failure reason and details) are fetched from ``store``.
    """
    if status == "COMPLETED":
        return payload.decode(attributes.get("result"), field="workflow result", store=store)
    if status == "FAILED":
        reason, details = payload.decode_failure(
            attributes.get("reason"), attributes.get("details"), store=store
        )
        raise WorkflowFailed(reason or "the workflow failed", details)
    if status == "TIMED_OUT":
        raise WorkflowFailed(f"the workflow timed out ({attributes.get('timeoutType', 'START_TO_CLOSE')})")
    if status == "CANCELED":
        raise WorkflowFailed("the workflow was canceled", attributes.get("details"))
    if status == "TERMINATED":
        raise WorkflowFailed(f"the workflow was terminated: {attributes.get('reason') or 'no reason given'}")
    raise ValueError(f"not a final close status: {status}")
