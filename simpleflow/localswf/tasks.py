"""Decision and activity tasks: handing them to pollers, activity responses, heartbeats, counts.

A ``take_*`` function returns a task or None; the service turns None into a long-poll wait. Task tokens
are random and stored with the task; once the task is closed (answered, timed out, or its run closed)
the token is gone and a late response gets ``UnknownResourceFault``, as on SWF.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from simpleflow.localswf.answers import EncodedEvents
from simpleflow.localswf.context import ACTIVITY, DECISION, Context, Run
from simpleflow.localswf.faults import unknown_decision_task, validation_error
from simpleflow.localswf.paging import decode_page_token, encode_page_token, page_size
from simpleflow.localswf.registry import require_domain
from simpleflow.localswf.runs import append_event, event_to_wire, parse_duration, request_decision
from simpleflow.localswf.store import Store
from simpleflow.localswf.tokens import gone_task_fault, new_token


def decision_events(
    ctx: Context, run_seq: int, *, first: int, last: int, after: int | None, params: dict[str, Any]
) -> tuple[EncodedEvents, int | None]:
    """A page of the events a decision task carries, and the event id the next page starts after."""
    reverse = bool(params.get("reverseOrder"))
    size = page_size(params, ctx.limits)
    sql = "SELECT * FROM events WHERE run_seq = ? AND event_id BETWEEN ? AND ?"
    args: list[Any] = [run_seq, first, last]
    if after is not None:
        sql += " AND event_id < ?" if reverse else " AND event_id > ?"
        args.append(after)
    sql += f" ORDER BY event_id {'DESC' if reverse else 'ASC'} LIMIT ?"
    rows = ctx.store.rows(sql, [*args, size + 1])
    next_after = rows[size - 1]["event_id"] if len(rows) > size else None
    return EncodedEvents(event_to_wire(row) for row in rows[:size]), next_after


def decision_task(ctx: Context, run: Run, *, params: dict[str, Any], page: dict[str, Any]) -> dict[str, Any]:
    """The ``DecisionTask`` response for a page of a started decision task."""
    events, next_after = decision_events(
        ctx, run.seq, first=page["first"], last=page["last"], after=page.get("after"), params=params
    )
    task: dict[str, Any] = {
        "taskToken": page["token"],
        "startedEventId": page["last"],
        "previousStartedEventId": page["previous"],
        "workflowExecution": run.execution,
        "workflowType": run.workflow_type,
        "events": events,
    }
    if next_after is not None:
        task["nextPageToken"] = encode_page_token({**page, "after": next_after})
    return task


def next_decision_page(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """A further page of a decision task's history (``PollForDecisionTask`` with ``nextPageToken``)."""
    page = decode_page_token(params["nextPageToken"])
    if not isinstance(page, dict) or "seq" not in page:
        raise validation_error("Invalid nextPageToken")
    try:
        run = ctx.load_run(page["seq"])
    except LookupError:
        raise unknown_decision_task() from None
    return decision_task(ctx, run, params=params, page=page)


NEXT_DECISION_TASK = (
    "SELECT * FROM runs WHERE domain = ? AND dt_task_list = ? AND dt_state = 'scheduled'"
    " ORDER BY dt_priority DESC, dt_scheduled_at, seq LIMIT 1"
)
NEXT_ACTIVITY_TASK = (
    "SELECT * FROM activities WHERE domain = ? AND task_list = ? AND state = 'scheduled'"
    " ORDER BY priority DESC, scheduled_at, run_seq, scheduled_id LIMIT 1"
)


def next_task_row(store: Store, kind: str, *, domain: str, task_list: str) -> sqlite3.Row | None:
    """The row of the task a poll of this task list would take next (a run for decision tasks)."""
    return store.row(NEXT_DECISION_TASK if kind == DECISION else NEXT_ACTIVITY_TASK, (domain, task_list))


def _task_to_take(
    ctx: Context, kind: str, params: dict[str, Any], queued: sqlite3.Row | None
) -> sqlite3.Row | None:
    """The row a poll takes: ``queued`` when the caller read it already, else the next one (the domain
    is checked first, so an unknown one raises its fault)."""
    domain = params["domain"]
    require_domain(ctx, domain)
    if queued is not None:
        return queued
    return next_task_row(ctx.store, kind, domain=domain, task_list=params["taskList"]["name"])


def take_decision_task(
    ctx: Context, params: dict[str, Any], *, queued: sqlite3.Row | None = None
) -> dict[str, Any] | None:
    """Start the most urgent scheduled decision task of the task list, if there is one.

    ``queued``: that task's row, when the caller read it under the service lock just before.
    """
    row = _task_to_take(ctx, DECISION, params, queued)
    if row is None:
        return None
    run = ctx.adopt_row(row)
    assert run.dt_scheduled_id is not None
    started_id = append_event(
        ctx,
        run,
        "DecisionTaskStarted",
        {"identity": params.get("identity"), "scheduledEventId": run.dt_scheduled_id},
    )
    token = new_token(run.seq, run.dt_scheduled_id)
    run.dt_state = "started"
    run.dt_started_id = started_id
    run.dt_token = token
    ctx.drop_deadlines(run.seq, run.dt_scheduled_id, kind="decision_schedule_to_start")
    seconds = parse_duration(run.task_timeout)
    if seconds is not None:
        ctx.add_deadline(
            ctx.now + seconds, "decision_start_to_close", run_seq=run.seq, ref=run.dt_scheduled_id
        )
    first = 1
    if params.get("startAtPreviousStartedEvent") and run.prev_started_id:
        first = run.prev_started_id
    page = {
        "seq": run.seq,
        "token": token,
        "first": first,
        "last": started_id,
        "previous": run.prev_started_id,
    }
    return decision_task(ctx, run, params=params, page=page)


def take_activity_task(
    ctx: Context, params: dict[str, Any], *, queued: sqlite3.Row | None = None
) -> dict[str, Any] | None:
    """Start the most urgent scheduled activity task of the task list, if there is one.

    ``queued``: that task's row, when the caller read it under the service lock just before.
    """
    row = _task_to_take(ctx, ACTIVITY, params, queued)
    if row is None:
        return None
    run = ctx.load_run(row["run_seq"])
    scheduled_id = row["scheduled_id"]
    started_id = append_event(
        ctx,
        run,
        "ActivityTaskStarted",
        {"identity": params.get("identity"), "scheduledEventId": scheduled_id},
    )
    token = new_token(run.seq, scheduled_id)
    ctx.store.execute(
        "UPDATE activities SET state = 'started', started_id = ?, token = ?, heartbeat_at = ?"
        " WHERE run_seq = ? AND activity_id = ?",
        (started_id, token, ctx.now, run.seq, row["activity_id"]),
    )
    ctx.drop_deadlines(run.seq, scheduled_id, kind="activity_schedule_to_start")
    for kind, column in (
        ("activity_start_to_close", "start_to_close"),
        ("activity_heartbeat", "heartbeat_timeout"),
    ):
        seconds = parse_duration(row[column])
        if seconds is not None:
            ctx.add_deadline(ctx.now + seconds, kind, run_seq=run.seq, ref=scheduled_id)
    task: dict[str, Any] = {
        "taskToken": token,
        "activityId": row["activity_id"],
        "startedEventId": started_id,
        "workflowExecution": run.execution,
        "activityType": {"name": row["type_name"], "version": row["type_version"]},
    }
    if row["input"] is not None:
        task["input"] = row["input"]
    return task


def close_activity(ctx: Context, run: Run, row: Any, *, event_type: str, attrs: dict[str, Any]) -> None:
    """Record how an activity task ended, forget it, and schedule a decision."""
    append_event(
        ctx,
        run,
        event_type,
        {**attrs, "scheduledEventId": row["scheduled_id"], "startedEventId": row["started_id"]},
    )
    ctx.store.execute(
        "DELETE FROM activities WHERE run_seq = ? AND activity_id = ?", (run.seq, row["activity_id"])
    )
    run.open_activities -= 1
    ctx.drop_deadlines(run.seq, row["scheduled_id"])
    request_decision(ctx, run)


def started_activity(ctx: Context, token: str) -> tuple[Run, Any]:
    """The started activity task a token names, or UnknownResourceFault."""
    row = ctx.store.row("SELECT * FROM activities WHERE token = ?", (token,))
    if row is None:
        raise gone_task_fault(ctx, token, kind=ACTIVITY)
    return ctx.load_run(row["run_seq"]), row


def respond_activity_task_completed(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    run, row = started_activity(ctx, params["taskToken"])
    close_activity(ctx, run, row, event_type="ActivityTaskCompleted", attrs={"result": params.get("result")})
    return {}


def respond_activity_task_failed(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    run, row = started_activity(ctx, params["taskToken"])
    attrs = {"reason": params.get("reason"), "details": params.get("details")}
    close_activity(ctx, run, row, event_type="ActivityTaskFailed", attrs=attrs)
    return {}


def respond_activity_task_canceled(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    run, row = started_activity(ctx, params["taskToken"])
    attrs = {
        "details": params.get("details"),
        "latestCancelRequestedEventId": row["cancel_requested"] or None,
    }
    close_activity(ctx, run, row, event_type="ActivityTaskCanceled", attrs=attrs)
    return {}


def record_activity_task_heartbeat(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    run, row = started_activity(ctx, params["taskToken"])
    ctx.store.execute(
        "UPDATE activities SET heartbeat_at = ?, details = ? WHERE run_seq = ? AND activity_id = ?",
        (ctx.now, params.get("details"), run.seq, row["activity_id"]),
    )
    return {"cancelRequested": bool(row["cancel_requested"])}


def count_pending_activity_tasks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require_domain(ctx, params["domain"])
    count = ctx.store.scalar(
        "SELECT COUNT(*) FROM activities WHERE domain = ? AND task_list = ? AND state = 'scheduled'",
        (params["domain"], params["taskList"]["name"]),
    )
    return {"count": count, "truncated": False}


def count_pending_decision_tasks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    require_domain(ctx, params["domain"])
    count = ctx.store.scalar(
        "SELECT COUNT(*) FROM runs WHERE domain = ? AND dt_task_list = ? AND dt_state = 'scheduled'",
        (params["domain"], params["taskList"]["name"]),
    )
    return {"count": count, "truncated": False}
