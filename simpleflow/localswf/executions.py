"""Workflow executions from outside: start, describe, list and count, history, signal, cancel, terminate."""

from __future__ import annotations

import json
from typing import Any

from simpleflow.localswf.answers import EncodedEvents
from simpleflow.localswf.children import open_child_count
from simpleflow.localswf.closing import request_cancel_run, terminate_run
from simpleflow.localswf.context import Context, Run
from simpleflow.localswf.faults import SWFFault, unknown_execution, validation_error
from simpleflow.localswf.paging import decode_page_token, encode_page_token, page_size
from simpleflow.localswf.registry import DEPRECATED, require_domain, require_type
from simpleflow.localswf.runs import (
    append_event,
    event_to_wire,
    find_open_run,
    find_run,
    request_decision,
    start_run,
    workflow_settings,
)


def start_workflow_execution(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    domain = params["domain"]
    type_row = require_type(ctx, params, kind="workflow")
    if type_row["status"] == DEPRECATED:
        raise SWFFault("TypeDeprecatedFault", f"Workflow type {type_row['name']} {type_row['version']}")
    if find_open_run(ctx, domain, params["workflowId"]) is not None:
        raise SWFFault("WorkflowExecutionAlreadyStartedFault", f"Already started: {params['workflowId']}")
    settings, missing = workflow_settings(json.loads(type_row["config"]), params)
    if missing:
        raise SWFFault("DefaultUndefinedFault", f"No {missing.lower()} given and no default registered")
    run = start_run(
        ctx,
        domain,
        workflow_id=params["workflowId"],
        workflow_type=params["workflowType"],
        settings=settings,
        input_data=params.get("input"),
        tags=params.get("tagList") or [],
    )
    return {"runId": run.run_id}


def require_run(ctx: Context, params: dict[str, Any], *, open_only: bool = False) -> Run:
    """The run a request names (``execution`` or ``workflowId``/``runId``), or UnknownResourceFault."""
    require_domain(ctx, params["domain"], registered=False)
    execution = params.get("execution") or {"workflowId": params["workflowId"], "runId": params.get("runId")}
    run = find_run(ctx, params["domain"], execution["workflowId"], execution.get("runId"))
    if run is None or (open_only and not run.is_open):
        raise unknown_execution(execution["workflowId"], execution.get("runId"))
    return run


def execution_info(row: Any, *, parent: Any = None) -> dict[str, Any]:
    """A ``runs`` row as a ``WorkflowExecutionInfo``."""
    info: dict[str, Any] = {
        "execution": {"workflowId": row["workflow_id"], "runId": row["run_id"]},
        "workflowType": {"name": row["type_name"], "version": row["type_version"]},
        "startTimestamp": row["started"],
        "executionStatus": row["status"],
        "cancelRequested": bool(row["cancel_requested"]),
    }
    tags = json.loads(row["tags"])
    if tags:
        info["tagList"] = tags
    if row["closed"] is not None:
        info["closeTimestamp"] = row["closed"]
        info["closeStatus"] = row["close_status"]
    if parent is not None:
        info["parent"] = {"workflowId": parent["workflow_id"], "runId": parent["run_id"]}
    return info


def parent_row(ctx: Context, row: Any) -> Any:
    if row["parent_seq"] is None:
        return None
    return ctx.store.row("SELECT workflow_id, run_id FROM runs WHERE seq = ?", (row["parent_seq"],))


def describe_workflow_execution(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    run = require_run(ctx, params)
    row = ctx.store.row("SELECT * FROM runs WHERE seq = ?", (run.seq,))
    open_children = open_child_count(ctx, run)
    config: dict[str, Any] = {
        "taskStartToCloseTimeout": run.task_timeout,
        "executionStartToCloseTimeout": run.execution_timeout,
        "taskList": {"name": run.task_list},
        "childPolicy": run.child_policy,
    }
    if run.task_priority is not None:
        config["taskPriority"] = run.task_priority
    if run.lambda_role is not None:
        config["lambdaRole"] = run.lambda_role
    result: dict[str, Any] = {
        "executionInfo": execution_info(row, parent=parent_row(ctx, row)),
        "executionConfiguration": config,
        "openCounts": {
            "openActivityTasks": run.open_activities,
            "openDecisionTasks": 1 if run.dt_state else 0,
            "openTimers": run.open_timers,
            "openChildWorkflowExecutions": open_children,
            "openLambdaFunctions": run.open_lambdas,
        },
    }
    if run.latest_activity_at is not None:
        result["latestActivityTaskTimestamp"] = run.latest_activity_at
    if run.latest_context is not None:
        result["latestExecutionContext"] = run.latest_context
    return result


def history_page(
    ctx: Context, run_seq: int, *, params: dict[str, Any], first: int = 1, last: int | None = None
) -> tuple[EncodedEvents, str | None]:
    """One page of a run's events between ``first`` and ``last`` (inclusive), and the next token."""
    reverse = bool(params.get("reverseOrder"))
    size = page_size(params, ctx.limits)
    position = decode_page_token(params.get("nextPageToken"))
    if isinstance(position, dict):
        position = position.get("after")
    sql = "SELECT * FROM events WHERE run_seq = ? AND event_id >= ?"
    args: list[Any] = [run_seq, first]
    if last is not None:
        sql += " AND event_id <= ?"
        args.append(last)
    if position is not None:
        sql += " AND event_id < ?" if reverse else " AND event_id > ?"
        args.append(int(position))
    sql += f" ORDER BY event_id {'DESC' if reverse else 'ASC'} LIMIT ?"
    rows = ctx.store.rows(sql, [*args, size + 1])
    token = encode_page_token(rows[size - 1]["event_id"]) if len(rows) > size else None
    return EncodedEvents(event_to_wire(row) for row in rows[:size]), token


def get_workflow_execution_history(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    run = require_run(ctx, params)
    events, token = history_page(ctx, run.seq, params=params)
    result: dict[str, Any] = {"events": events}
    if token:
        result["nextPageToken"] = token
    return result


def execution_query(ctx: Context, params: dict[str, Any], *, closed: bool) -> tuple[str, list[Any], str]:
    """The WHERE clause of a list or count request, its arguments, and the time column it sorts on."""
    require_domain(ctx, params["domain"], registered=False)
    time_filters = [name for name in ("startTimeFilter", "closeTimeFilter") if params.get(name)]
    if len(time_filters) != 1:
        raise validation_error("Exactly one of startTimeFilter and closeTimeFilter must be given")
    exclusive = [
        name
        for name in ("executionFilter", "typeFilter", "tagFilter", "closeStatusFilter")
        if params.get(name) is not None
    ]
    if len(exclusive) > 1:
        raise validation_error(
            f"Only one of {', '.join(exclusive)} can be given (they are mutually exclusive)"
        )
    column = "started" if time_filters[0] == "startTimeFilter" else "closed"
    time_filter = params[time_filters[0]]
    where = "domain = ? AND status = ?"
    args: list[Any] = [params["domain"], "CLOSED" if closed else "OPEN"]
    where += f" AND {column} >= ?"
    args.append(float(time_filter["oldestDate"]))
    if time_filter.get("latestDate") is not None:
        where += f" AND {column} <= ?"
        args.append(float(time_filter["latestDate"]))
    if params.get("executionFilter"):
        where += " AND workflow_id = ?"
        args.append(params["executionFilter"]["workflowId"])
    if params.get("typeFilter"):
        where += " AND type_name = ?"
        args.append(params["typeFilter"]["name"])
        if params["typeFilter"].get("version"):
            where += " AND type_version = ?"
            args.append(params["typeFilter"]["version"])
    if params.get("tagFilter"):
        where += " AND EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE json_each.value = ?)"
        args.append(params["tagFilter"]["tag"])
    if params.get("closeStatusFilter"):
        where += " AND close_status = ?"
        args.append(params["closeStatusFilter"]["status"])
    return where, args, column


def list_executions(ctx: Context, params: dict[str, Any], *, closed: bool) -> dict[str, Any]:
    where, args, column = execution_query(ctx, params, closed=closed)
    # SWF lists the newest first; reverseOrder gives the oldest first.
    reverse = bool(params.get("reverseOrder"))
    position = decode_page_token(params.get("nextPageToken"))
    if position is not None:
        where += f" AND ({column}, seq) {'>' if reverse else '<'} (?, ?)"
        args.extend(position)
    order = "ASC" if reverse else "DESC"
    size = page_size(params, ctx.limits)
    rows = ctx.store.rows(
        f"SELECT * FROM runs WHERE {where} ORDER BY {column} {order}, seq {order} LIMIT ?", [*args, size + 1]
    )
    result: dict[str, Any] = {
        "executionInfos": [execution_info(row, parent=parent_row(ctx, row)) for row in rows[:size]]
    }
    if len(rows) > size:
        last = rows[size - 1]
        result["nextPageToken"] = encode_page_token([last[column], last["seq"]])
    return result


def count_executions(ctx: Context, params: dict[str, Any], *, closed: bool) -> dict[str, Any]:
    where, args, _ = execution_query(ctx, params, closed=closed)
    count = ctx.store.scalar(f"SELECT COUNT(*) FROM runs WHERE {where}", args)
    return {"count": count, "truncated": False}


def signal_workflow_execution(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    run = require_run(ctx, params, open_only=True)
    append_event(
        ctx,
        run,
        "WorkflowExecutionSignaled",
        {"signalName": params["signalName"], "input": params.get("input")},
    )
    request_decision(ctx, run)
    return {}


def request_cancel_workflow_execution(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    run = require_run(ctx, params, open_only=True)
    request_cancel_run(ctx, run)
    return {}


def terminate_workflow_execution(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    run = require_run(ctx, params, open_only=True)
    terminate_run(
        ctx,
        run,
        reason=params.get("reason"),
        details=params.get("details"),
        child_policy=params.get("childPolicy"),
        cause="OPERATOR_INITIATED",
    )
    return {}
