"""Closing an execution: the close event, dropping its open work, telling its parent, its children.

A closed run keeps its history until the domain's retention period has passed; a ``retention``
deadline then purges it. The child policy (TERMINATE, REQUEST_CANCEL, ABANDON) is applied to open
children when the run is terminated or times out, as SWF documents it.
"""

from __future__ import annotations

from typing import Any

from simpleflow.localswf.context import Context, Run
from simpleflow.localswf.runs import CLOSED, append_event, request_decision, reset_decision

DAY = 86_400.0
#: Deadline kinds that outlive their run's close: the child starts, signals and cancel requests it decided
#: are still carried out after it closed (see :mod:`simpleflow.localswf.children`).
DECIDED_EFFECT_DEADLINES = ("child_start", "external_signal", "external_cancel")

PARENT_EVENTS = {
    "COMPLETED": "ChildWorkflowExecutionCompleted",
    "FAILED": "ChildWorkflowExecutionFailed",
    "CANCELED": "ChildWorkflowExecutionCanceled",
    "TERMINATED": "ChildWorkflowExecutionTerminated",
    "TIMED_OUT": "ChildWorkflowExecutionTimedOut",
}


def close_run(
    ctx: Context,
    run: Run,
    *,
    close_status: str,
    event_type: str,
    attrs: dict[str, Any],
    parent_attrs: dict[str, Any] | None = None,
) -> int:
    """Record the close event, drop the run's open tasks and timers, and notify its parent."""
    event_id = append_event(ctx, run, event_type, attrs)
    run.status = CLOSED
    run.close_status = close_status
    run.closed = ctx.now
    reset_decision(run)
    for table in ("activities", "timers", "lambdas"):
        ctx.store.execute(f"DELETE FROM {table} WHERE run_seq = ?", (run.seq,))
    ctx.store.execute(
        "DELETE FROM deadlines WHERE run_seq = ? AND kind NOT IN (?, ?, ?)",
        (run.seq, *DECIDED_EFFECT_DEADLINES),
    )
    run.open_activities = run.open_timers = run.open_lambdas = 0
    domain = ctx.domain_row(run.domain)
    retention = None if domain is None else domain["retention_days"]
    days = 0.0 if retention in (None, "NONE") else float(retention)
    ctx.add_deadline(ctx.now + days * DAY, "retention", run_seq=run.seq, ref=0)
    if run.parent_seq is not None and close_status in PARENT_EVENTS:
        notify_parent(ctx, run, close_status=close_status, attrs=parent_attrs or {})
    return event_id


def notify_parent(ctx: Context, child: Run, *, close_status: str, attrs: dict[str, Any]) -> None:
    """Record the child's closing in its parent's history, if the parent is still open."""
    assert child.parent_seq is not None
    parent = ctx.load_run(child.parent_seq)
    if not parent.is_open:
        return
    append_event(
        ctx,
        parent,
        PARENT_EVENTS[close_status],
        {
            "workflowExecution": child.execution,
            "workflowType": child.workflow_type,
            "initiatedEventId": child.parent_initiated_id,
            "startedEventId": child.parent_started_id,
            **attrs,
        },
    )
    request_decision(ctx, parent)


def terminate_run(
    ctx: Context,
    run: Run,
    *,
    reason: str | None = None,
    details: str | None = None,
    child_policy: str | None = None,
    cause: str | None = None,
) -> None:
    """Close the run as TERMINATED and apply the child policy to its open children."""
    policy = child_policy or run.child_policy
    close_run(
        ctx,
        run,
        close_status="TERMINATED",
        event_type="WorkflowExecutionTerminated",
        attrs={"reason": reason, "details": details, "childPolicy": policy, "cause": cause},
    )
    apply_child_policy(ctx, run, policy)


def time_out_run(ctx: Context, run: Run) -> None:
    """Close the run as TIMED_OUT (execution start-to-close) and apply the child policy."""
    close_run(
        ctx,
        run,
        close_status="TIMED_OUT",
        event_type="WorkflowExecutionTimedOut",
        attrs={"timeoutType": "START_TO_CLOSE", "childPolicy": run.child_policy},
        parent_attrs={"timeoutType": "START_TO_CLOSE"},
    )
    apply_child_policy(ctx, run, run.child_policy)


def request_cancel_run(
    ctx: Context,
    run: Run,
    *,
    external: Run | None = None,
    external_initiated_id: int | None = None,
    cause: str | None = None,
) -> None:
    """Record ``WorkflowExecutionCancelRequested`` and let the decider handle it."""
    append_event(
        ctx,
        run,
        "WorkflowExecutionCancelRequested",
        {
            "externalWorkflowExecution": external.execution if external else None,
            "externalInitiatedEventId": external_initiated_id,
            "cause": cause,
        },
    )
    run.cancel_requested = 1
    request_decision(ctx, run)


def apply_child_policy(ctx: Context, run: Run, policy: str) -> None:
    """Terminate, cancel or abandon the open children of a run that was forced to close."""
    if policy == "ABANDON":
        return
    rows = ctx.store.rows("SELECT * FROM runs WHERE parent_seq = ? AND status = 'OPEN'", (run.seq,))
    for row in rows:
        child = ctx.adopt_row(row)
        if not child.is_open:
            continue
        if policy == "TERMINATE":
            terminate_run(ctx, child, cause="CHILD_POLICY_APPLIED")
        elif policy == "REQUEST_CANCEL":
            request_cancel_run(ctx, child, cause="CHILD_POLICY_APPLIED")


def purge_run(ctx: Context, run_seq: int) -> None:
    """Delete a closed run whose retention period is over."""
    ctx.runs.pop(run_seq, None)
    for table, column in (("events", "run_seq"), ("deadlines", "run_seq"), ("runs", "seq")):
        ctx.store.execute(f"DELETE FROM {table} WHERE {column} = ?", (run_seq,))
