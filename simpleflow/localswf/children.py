"""Decisions that reach other executions: child workflows, external signals and cancel requests.

As on SWF, these are carried out asynchronously. The decision records its ``*Initiated`` event and a
deadline (``Limits.side_effect_delay`` from now) in the deciding transaction; the scheduler carries the
effect out later, in a transaction of its own, so other events (an activity completing, a signal) may be
recorded in between. The outcome is ``ChildWorkflowExecutionStarted``, ``ExternalWorkflowExecutionSignaled``
or ``ExternalWorkflowExecutionCancelRequested``, or the ``*Failed`` event with SWF's cause, and it schedules
a decision task for the initiating run. The deadline row and the ``Initiated`` event are stored together,
so a service restarted between the two still carries the effect out: the ``Initiated`` event holds
everything the effect needs.

A child that cannot even be described (unknown or deprecated type, a default that is not registered)
fails at once without an ``Initiated`` event, with ``initiatedEventId`` 0, since that event needs a task
list and a child policy. A child whose workflow id is already running, or over the open-children limit,
fails later, after its ``Initiated`` event; so does a signal or cancel request whose target is not open
when it is delivered.

The decision stands once its task completed, even if the initiating run closes before the effect lands
(a signal decided together with ``CompleteWorkflowExecution``, say): the signal or cancel request is still
delivered and the child still starts, and only the outcome event is left out, as a closed history takes
no more events. A child whose parent was terminated or timed out meanwhile gets the child policy that
close applied to the children already running.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from simpleflow.localswf.closing import DECIDED_EFFECT_DEADLINES, request_cancel_run, terminate_run
from simpleflow.localswf.context import Context, Run
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

#: Deadline kinds of the effects waiting to be carried out; each deadline's ``ref`` is the ``Initiated``
#: event id in the initiating run. They outlive the close of that run, so ``closing`` keeps them.
CHILD_START, EXTERNAL_SIGNAL, EXTERNAL_CANCEL = DECIDED_EFFECT_DEADLINES
SIDE_EFFECTS = frozenset({CHILD_START, EXTERNAL_SIGNAL, EXTERNAL_CANCEL})

#: Close statuses after which SWF applies the child policy to the open children (see ``closing``).
FORCED_CLOSES = frozenset({"TERMINATED", "TIMED_OUT"})


# -- counting -----------------------------------------------------------------------------------------


def open_child_count(ctx: Context, run: Run) -> int:
    """``openCounts.openChildWorkflowExecutions`` of ``run``: its open children, the pending ones included.

    SWF documents the count as the child executions "whose status is OPEN", and counts the parent's other
    tasks from the decision on (an activity task is open from ``ActivityTaskScheduled``, before any worker
    starts it). A child is the parent's from ``StartChildWorkflowExecutionInitiated`` in the same way: it
    is open until its ``*Failed`` or close event, so one whose start is still to be carried out counts.
    """
    started = ctx.store.scalar(
        "SELECT COUNT(*) FROM runs WHERE parent_seq = ? AND status = 'OPEN'", (run.seq,)
    )
    pending = ctx.store.scalar(
        "SELECT COUNT(*) FROM deadlines WHERE run_seq = ? AND kind = ?", (run.seq, CHILD_START)
    )
    return int(started) + int(pending)


# -- the decisions ------------------------------------------------------------------------------------


def start_child(applier: DecisionApplier, attrs: dict[str, Any]) -> None:
    """``StartChildWorkflowExecution``: record its ``Initiated`` event; the child starts later."""
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
            "tagList": attrs.get("tagList") or None,
            "lambdaRole": settings["lambda_role"],
        },
    )
    _defer(ctx, run, CHILD_START, initiated_id)


def signal_external(applier: DecisionApplier, attrs: dict[str, Any]) -> None:
    """``SignalExternalWorkflowExecution``: record its ``Initiated`` event; the signal is delivered later."""
    initiated_id = applier.event(
        "SignalExternalWorkflowExecutionInitiated",
        {
            "workflowId": attrs["workflowId"],
            "runId": attrs.get("runId"),
            "signalName": attrs["signalName"],
            "input": attrs.get("input"),
            "control": attrs.get("control"),
        },
    )
    _defer(applier.ctx, applier.run, EXTERNAL_SIGNAL, initiated_id)


def request_cancel_external(applier: DecisionApplier, attrs: dict[str, Any]) -> None:
    """``RequestCancelExternalWorkflowExecution``: record its ``Initiated`` event; delivered later."""
    initiated_id = applier.event(
        "RequestCancelExternalWorkflowExecutionInitiated",
        {"workflowId": attrs["workflowId"], "runId": attrs.get("runId"), "control": attrs.get("control")},
    )
    _defer(applier.ctx, applier.run, EXTERNAL_CANCEL, initiated_id)


def _defer(ctx: Context, run: Run, kind: str, initiated_id: int) -> None:
    # No decision task is asked for here: SWF schedules one when the outcome is recorded.
    ctx.add_deadline(ctx.now + ctx.limits.side_effect_delay, kind, run_seq=run.seq, ref=initiated_id)


# -- carrying them out --------------------------------------------------------------------------------


def carry_out(ctx: Context, kind: str, run: Run, *, initiated_id: int) -> None:
    """Carry out the effect of the ``Initiated`` event ``initiated_id`` of ``run`` (open or closed)."""
    initiated = event_attributes(ctx, run, initiated_id)
    if initiated is None:
        return
    if kind == CHILD_START:
        _start_child_now(ctx, run, initiated_id, initiated)
    elif kind == EXTERNAL_SIGNAL:
        _signal_now(ctx, run, initiated_id, initiated)
    elif kind == EXTERNAL_CANCEL:
        _request_cancel_now(ctx, run, initiated_id, initiated)
    else:
        raise ValueError(f"not a side effect deadline: {kind!r}")


def event_attributes(ctx: Context, run: Run, event_id: int) -> dict[str, Any] | None:
    """The attributes of one event of ``run`` as stored (None when the event is not there)."""
    row = ctx.store.row("SELECT attrs FROM events WHERE run_seq = ? AND event_id = ?", (run.seq, event_id))
    if row is None:
        return None
    attrs: dict[str, Any] = json.loads(row["attrs"])
    return attrs


def _record_outcome(ctx: Context, run: Run, event_type: str, attrs: dict[str, Any]) -> int | None:
    """Append the outcome to the initiating run and wake its decider; a closed history takes nothing."""
    if not run.is_open:
        return None
    event_id = append_event(ctx, run, event_type, attrs)
    request_decision(ctx, run)
    return event_id


def _failure(initiated_id: int, initiated: dict[str, Any], cause: str, **ids: Any) -> dict[str, Any]:
    return {
        **ids,
        "cause": cause,
        "initiatedEventId": initiated_id,
        "decisionTaskCompletedEventId": initiated["decisionTaskCompletedEventId"],
        "control": initiated.get("control"),
    }


def _start_child_now(ctx: Context, parent: Run, initiated_id: int, initiated: dict[str, Any]) -> None:
    workflow_id, workflow_type = initiated["workflowId"], initiated["workflowType"]
    ids = {"workflowId": workflow_id, "workflowType": workflow_type}
    cause = None
    if find_open_run(ctx, parent.domain, workflow_id) is not None:
        cause = "WORKFLOW_ALREADY_RUNNING"
    elif parent.is_open:
        open_children = ctx.store.scalar(
            "SELECT COUNT(*) FROM runs WHERE parent_seq = ? AND status = 'OPEN'", (parent.seq,)
        )
        if open_children >= ctx.limits.max_open_children:
            cause = "OPEN_CHILDREN_LIMIT_EXCEEDED"
    if cause is not None:
        failed = _failure(initiated_id, initiated, cause, **ids)
        _record_outcome(ctx, parent, "StartChildWorkflowExecutionFailed", failed)
        return
    settings = {
        "task_list": initiated["taskList"]["name"],
        "execution_timeout": initiated["executionStartToCloseTimeout"],
        "task_timeout": initiated["taskStartToCloseTimeout"],
        "child_policy": initiated["childPolicy"],
        "task_priority": initiated.get("taskPriority"),
        "lambda_role": initiated.get("lambdaRole"),
    }
    child = start_run(
        ctx,
        parent.domain,
        workflow_id=workflow_id,
        workflow_type=workflow_type,
        settings=settings,
        input_data=initiated.get("input"),
        tags=initiated.get("tagList") or [],
        parent=(parent, initiated_id),
    )
    started = {
        "workflowExecution": child.execution,
        "workflowType": workflow_type,
        "initiatedEventId": initiated_id,
    }
    child.parent_started_id = _record_outcome(ctx, parent, "ChildWorkflowExecutionStarted", started)
    if not parent.is_open and parent.close_status in FORCED_CLOSES:
        _apply_closed_parent_policy(ctx, parent, child)


def _apply_closed_parent_policy(ctx: Context, parent: Run, child: Run) -> None:
    """The child policy the parent's forced close applied to its running children, for a late child."""
    # The close event is the parent's last one; it names the policy (a terminate call may override it).
    close_attrs = event_attributes(ctx, parent, parent.next_event_id - 1) or {}
    policy = close_attrs.get("childPolicy") or parent.child_policy
    if policy == "TERMINATE":
        terminate_run(ctx, child, cause="CHILD_POLICY_APPLIED")
    elif policy == "REQUEST_CANCEL":
        request_cancel_run(ctx, child, cause="CHILD_POLICY_APPLIED")


def _find_target(ctx: Context, source: Run, initiated: dict[str, Any]) -> Run | None:
    target = find_run(ctx, source.domain, initiated["workflowId"], initiated.get("runId"))
    return target if target is not None and target.is_open else None


def _signal_now(ctx: Context, source: Run, initiated_id: int, initiated: dict[str, Any]) -> None:
    target_ids = {"workflowId": initiated["workflowId"], "runId": initiated.get("runId")}
    target = _find_target(ctx, source, initiated)
    if target is None:
        failed = _failure(initiated_id, initiated, "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION", **target_ids)
        _record_outcome(ctx, source, "SignalExternalWorkflowExecutionFailed", failed)
        return
    append_event(
        ctx,
        target,
        "WorkflowExecutionSignaled",
        {
            "signalName": initiated["signalName"],
            "input": initiated.get("input"),
            "externalWorkflowExecution": source.execution,
            "externalInitiatedEventId": initiated_id,
        },
    )
    request_decision(ctx, target)
    _record_outcome(
        ctx,
        source,
        "ExternalWorkflowExecutionSignaled",
        {"workflowExecution": target.execution, "initiatedEventId": initiated_id},
    )


def _request_cancel_now(ctx: Context, source: Run, initiated_id: int, initiated: dict[str, Any]) -> None:
    target_ids = {"workflowId": initiated["workflowId"], "runId": initiated.get("runId")}
    target = _find_target(ctx, source, initiated)
    if target is None:
        failed = _failure(initiated_id, initiated, "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION", **target_ids)
        _record_outcome(ctx, source, "RequestCancelExternalWorkflowExecutionFailed", failed)
        return
    request_cancel_run(ctx, target, external=source, external_initiated_id=initiated_id)
    _record_outcome(
        ctx,
        source,
        "ExternalWorkflowExecutionCancelRequested",
        {"workflowExecution": target.execution, "initiatedEventId": initiated_id},
    )
