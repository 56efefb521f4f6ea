"""Decisions that reach other executions: child workflows, external signals and cancel requests.

SWF carries these out asynchronously; here they complete within the decision's transaction, so the
``*Initiated`` event is followed at once by its outcome (child started, signaled, cancel requested, or
the ``*Failed`` event with SWF's cause), which schedules a decision task as on SWF.

A child that cannot even be described (unknown or deprecated type, a default that is not registered)
fails without an ``Initiated`` event, with ``initiatedEventId`` 0, since that event needs a task list
and a child policy; a child whose workflow id is already running fails after its ``Initiated`` event.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from simpleflow.localswf.closing import request_cancel_run
from simpleflow.localswf.registry import DEPRECATED, find_type
from simpleflow.localswf.runs import (
    append_event,
    find_open_run,
    find_run,
    request_decision,
    start_run,
    workflow_settings,
)

if TYPE_CHECKING:
    from simpleflow.localswf.decisions import DecisionApplier


def start_child(applier: DecisionApplier, attrs: dict[str, Any]) -> None:
    """``StartChildWorkflowExecution``: start a run whose closing is reported to this one."""
    ctx, run = applier.ctx, applier.run
    workflow_type, workflow_id = attrs["workflowType"], attrs["workflowId"]
    ids = {"workflowType": workflow_type, "workflowId": workflow_id, "control": attrs.get("control")}
    failed = "StartChildWorkflowExecutionFailed"
    type_row = find_type(ctx, run.domain, kind="workflow", type_ref=workflow_type)
    if type_row is None:
        applier.fail(failed, "WORKFLOW_TYPE_DOES_NOT_EXIST", {**ids, "initiatedEventId": 0})
        return
    if type_row["status"] == DEPRECATED:
        applier.fail(failed, "WORKFLOW_TYPE_DEPRECATED", {**ids, "initiatedEventId": 0})
        return
    settings, missing = workflow_settings(json.loads(type_row["config"]), attrs)
    if missing:
        applier.fail(failed, f"DEFAULT_{missing}_UNDEFINED", {**ids, "initiatedEventId": 0})
        return
    tags = attrs.get("tagList") or []
    initiated_id = applier.event(
        "StartChildWorkflowExecutionInitiated",
        {
            **ids,
            "input": attrs.get("input"),
            "executionStartToCloseTimeout": settings["execution_timeout"],
            "taskList": {"name": settings["task_list"]},
            "taskPriority": settings["task_priority"],
            "childPolicy": settings["child_policy"],
            "taskStartToCloseTimeout": settings["task_timeout"],
            "tagList": tags or None,
            "lambdaRole": settings["lambda_role"],
        },
    )
    if find_open_run(ctx, run.domain, workflow_id) is not None:
        applier.fail(failed, "WORKFLOW_ALREADY_RUNNING", {**ids, "initiatedEventId": initiated_id})
        return
    open_children = ctx.store.scalar(
        "SELECT COUNT(*) FROM runs WHERE parent_seq = ? AND status = 'OPEN'", (run.seq,)
    )
    if open_children >= ctx.limits.max_open_children:
        applier.fail(failed, "OPEN_CHILDREN_LIMIT_EXCEEDED", {**ids, "initiatedEventId": initiated_id})
        return
    child = start_run(
        ctx,
        run.domain,
        workflow_id=workflow_id,
        workflow_type=workflow_type,
        settings=settings,
        input_data=attrs.get("input"),
        tags=tags,
        parent=(run, initiated_id),
    )
    child.parent_started_id = append_event(
        ctx,
        run,
        "ChildWorkflowExecutionStarted",
        {
            "workflowExecution": child.execution,
            "workflowType": workflow_type,
            "initiatedEventId": initiated_id,
        },
    )
    applier.needs_decision = True


def signal_external(applier: DecisionApplier, attrs: dict[str, Any]) -> None:
    """``SignalExternalWorkflowExecution``: signal another open execution (or this one)."""
    ctx, run = applier.ctx, applier.run
    target_ids = {"workflowId": attrs["workflowId"], "runId": attrs.get("runId")}
    initiated_id = applier.event(
        "SignalExternalWorkflowExecutionInitiated",
        {
            **target_ids,
            "signalName": attrs["signalName"],
            "input": attrs.get("input"),
            "control": attrs.get("control"),
        },
    )
    target = find_run(ctx, run.domain, attrs["workflowId"], attrs.get("runId"))
    if target is None or not target.is_open:
        applier.fail(
            "SignalExternalWorkflowExecutionFailed",
            "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
            {**target_ids, "initiatedEventId": initiated_id, "control": attrs.get("control")},
        )
        return
    append_event(
        ctx,
        target,
        "WorkflowExecutionSignaled",
        {
            "signalName": attrs["signalName"],
            "input": attrs.get("input"),
            "externalWorkflowExecution": run.execution,
            "externalInitiatedEventId": initiated_id,
        },
    )
    request_decision(ctx, target)
    append_event(
        ctx,
        run,
        "ExternalWorkflowExecutionSignaled",
        {"workflowExecution": target.execution, "initiatedEventId": initiated_id},
    )
    applier.needs_decision = True


def request_cancel_external(applier: DecisionApplier, attrs: dict[str, Any]) -> None:
    """``RequestCancelExternalWorkflowExecution``: ask another open execution to cancel."""
    ctx, run = applier.ctx, applier.run
    target_ids = {"workflowId": attrs["workflowId"], "runId": attrs.get("runId")}
    initiated_id = applier.event(
        "RequestCancelExternalWorkflowExecutionInitiated", {**target_ids, "control": attrs.get("control")}
    )
    target = find_run(ctx, run.domain, attrs["workflowId"], attrs.get("runId"))
    if target is None or not target.is_open:
        applier.fail(
            "RequestCancelExternalWorkflowExecutionFailed",
            "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
            {**target_ids, "initiatedEventId": initiated_id, "control": attrs.get("control")},
        )
        return
    request_cancel_run(ctx, target, external=run, external_initiated_id=initiated_id)
    append_event(
        ctx,
        run,
        "ExternalWorkflowExecutionCancelRequested",
        {"workflowExecution": target.execution, "initiatedEventId": initiated_id},
    )
    applier.needs_decision = True
