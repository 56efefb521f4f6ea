"""The life of an execution: appending events, its one decision task, starting a run.

These are the building blocks every operation, decision and timeout uses, so the SWF invariants live
here once: event ids are dense per run, and an execution has at most one scheduled decision task (events
that arrive while a decision task is started mark it pending, which schedules exactly one more).
"""

from __future__ import annotations

import json
from typing import Any

from simpleflow.localswf.context import DECISION, Context, Run
from simpleflow.localswf.tokens import opaque_text

OPEN = "OPEN"
CLOSED = "CLOSED"
NONE = "NONE"

ATTRIBUTE_KEYS: dict[str, str] = {}


def attributes_key(event_type: str) -> str:
    """The ``HistoryEvent`` member carrying an event type's attributes."""
    key = ATTRIBUTE_KEYS.get(event_type)
    if key is None:
        key = ATTRIBUTE_KEYS[event_type] = event_type[0].lower() + event_type[1:] + "EventAttributes"
    return key


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """Drop the members that are None: absent, as SWF leaves them."""
    return {key: value for key, value in values.items() if value is not None}


# Built once: json.dumps with options builds a new encoder per call, and every event is dumped.
_COMPACT_ENCODER = json.JSONEncoder(separators=(",", ":"))


def dump(value: Any) -> str:
    """Compact JSON for storage."""
    return _COMPACT_ENCODER.encode(value)


def parse_duration(value: str | None) -> float | None:
    """Seconds of an SWF duration string; None for ``NONE`` or no value (no limit)."""
    if value is None or value == NONE:
        return None
    return float(int(value))


def parse_priority(value: str | None) -> int:
    """SWF task priorities are signed integers as strings; higher runs first."""
    return int(value) if value else 0


def new_run_id() -> str:
    """A fresh run id, opaque as SWF's."""
    return opaque_text(33)


def append_event(ctx: Context, run: Run, event_type: str, attrs: dict[str, Any]) -> int:
    """Append an event to the run's history and return its id."""
    event_id = run.next_event_id
    run.next_event_id += 1
    ctx.store.execute(
        "INSERT INTO events (run_seq, event_id, ts, event_type, attrs) VALUES (?, ?, ?, ?, ?)",
        (run.seq, event_id, ctx.now, event_type, dump(compact(attrs))),
    )
    return event_id


def event_to_wire(row: Any) -> str:
    """An ``events`` row as the JSON text of a ``HistoryEvent``, its stored attributes spliced in as they
    are (see :mod:`~simpleflow.localswf.answers`).

    The event type is one of the service's own names, so it needs no escaping; ``repr`` of a float is
    what ``json`` writes for it.
    """
    event_type = row["event_type"]
    return (
        f'{{"eventId":{row["event_id"]},"eventTimestamp":{row["ts"]!r},"eventType":"{event_type}",'
        f'"{attributes_key(event_type)}":{row["attrs"]}}}'
    )


def request_decision(ctx: Context, run: Run) -> None:
    """Something the decider must see happened: make sure exactly one decision task will follow."""
    if not run.is_open:
        return
    if run.dt_state is None:
        schedule_decision(ctx, run)
    elif run.dt_state != "scheduled":
        # Started, or its decisions are being applied: one more task follows when it completes.
        run.dt_pending = 1


def schedule_decision(ctx: Context, run: Run) -> None:
    """Record ``DecisionTaskScheduled`` and queue the task for the deciders.

    The task goes to the list a decider's override names, if any (see ``task_list_override``), with
    that override's schedule-to-start timeout when it is temporary.
    """
    task_list = run.dt_task_list or run.task_list
    schedule_to_start = run.dt_schedule_to_start
    event_id = append_event(
        ctx,
        run,
        "DecisionTaskScheduled",
        {
            "taskList": {"name": task_list},
            "taskPriority": run.task_priority,
            "startToCloseTimeout": run.task_timeout,
            "scheduleToStartTimeout": schedule_to_start,
        },
    )
    run.dt_state = "scheduled"
    run.dt_scheduled_id = event_id
    run.dt_started_id = None
    run.dt_token = None
    run.dt_pending = 0
    run.dt_scheduled_at = ctx.now
    run.dt_task_list = task_list
    run.dt_priority = parse_priority(run.task_priority)
    seconds = parse_duration(schedule_to_start)
    if seconds is not None:
        ctx.add_deadline(ctx.now + seconds, "decision_schedule_to_start", run_seq=run.seq, ref=event_id)
    ctx.wake(DECISION, run.domain, task_list)


def reset_decision(run: Run) -> None:
    """Forget the current decision task (completed, timed out, or the run closed)."""
    run.dt_state = None
    run.dt_token = None
    run.dt_started_id = None
    run.dt_scheduled_id = None
    run.dt_pending = 0


def find_open_run(ctx: Context, domain: str, workflow_id: str) -> Run | None:
    """The open run of a workflow id in a domain, if any."""
    row = ctx.store.row(
        "SELECT * FROM runs WHERE domain = ? AND workflow_id = ? AND status = 'OPEN'", (domain, workflow_id)
    )
    return None if row is None else ctx.adopt_row(row)


def find_run(ctx: Context, domain: str, workflow_id: str, run_id: str | None) -> Run | None:
    """A run by id, or the open run of the workflow id when no run id is given."""
    if not run_id:
        return find_open_run(ctx, domain, workflow_id)
    row = ctx.store.row(
        "SELECT * FROM runs WHERE run_id = ? AND domain = ? AND workflow_id = ?",
        (run_id, domain, workflow_id),
    )
    return None if row is None else ctx.adopt_row(row)


def workflow_settings(config: dict[str, Any], attrs: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """An execution's settings from a request and the type's defaults.

    Returns the settings and, when one cannot be resolved, the name of the missing default
    (``TASK_LIST``, ``EXECUTION_START_TO_CLOSE_TIMEOUT``, ``TASK_START_TO_CLOSE_TIMEOUT``,
    ``CHILD_POLICY``), which callers turn into a fault or a decision failure cause.
    """
    task_list = (attrs.get("taskList") or {}).get("name") or (config.get("defaultTaskList") or {}).get("name")
    settings = {
        "task_list": task_list,
        "execution_timeout": attrs.get("executionStartToCloseTimeout")
        or config.get("defaultExecutionStartToCloseTimeout"),
        "task_timeout": attrs.get("taskStartToCloseTimeout") or config.get("defaultTaskStartToCloseTimeout"),
        "child_policy": attrs.get("childPolicy") or config.get("defaultChildPolicy"),
        "task_priority": attrs.get("taskPriority") or config.get("defaultTaskPriority"),
        "lambda_role": attrs.get("lambdaRole") or config.get("defaultLambdaRole"),
    }
    for key, missing in (
        ("task_list", "TASK_LIST"),
        ("execution_timeout", "EXECUTION_START_TO_CLOSE_TIMEOUT"),
        ("task_timeout", "TASK_START_TO_CLOSE_TIMEOUT"),
        ("child_policy", "CHILD_POLICY"),
    ):
        if not settings[key]:
            return settings, missing
    return settings, None


def start_run(
    ctx: Context,
    domain: str,
    *,
    workflow_id: str,
    workflow_type: dict[str, str],
    settings: dict[str, Any],
    input_data: str | None,
    tags: list[str],
    parent: tuple[Run, int] | None = None,
    continued_from: str | None = None,
) -> Run:
    """Open a new run: record ``WorkflowExecutionStarted``, arm its timeout, schedule a decision task."""
    run = ctx.insert_run(
        {
            "domain": domain,
            "workflow_id": workflow_id,
            "run_id": new_run_id(),
            "type_name": workflow_type["name"],
            "type_version": workflow_type["version"],
            "task_list": settings["task_list"],
            "task_priority": settings["task_priority"],
            "child_policy": settings["child_policy"],
            "execution_timeout": settings["execution_timeout"],
            "task_timeout": settings["task_timeout"],
            "lambda_role": settings["lambda_role"],
            "tags": dump(tags),
            "started": ctx.now,
            "status": OPEN,
            "cancel_requested": 0,
            "parent_seq": parent[0].seq if parent else None,
            "parent_initiated_id": parent[1] if parent else None,
            "next_event_id": 1,
            "open_activities": 0,
            "open_timers": 0,
            "open_lambdas": 0,
            "dt_pending": 0,
            "dt_priority": 0,
            "prev_started_id": 0,
        }
    )
    append_event(
        ctx,
        run,
        "WorkflowExecutionStarted",
        {
            "input": input_data,
            "executionStartToCloseTimeout": run.execution_timeout,
            "taskStartToCloseTimeout": run.task_timeout,
            "childPolicy": run.child_policy,
            "taskList": {"name": run.task_list},
            "taskPriority": run.task_priority,
            "workflowType": run.workflow_type,
            "tagList": tags or None,
            "continuedExecutionRunId": continued_from,
            "parentWorkflowExecution": parent[0].execution if parent else None,
            "parentInitiatedEventId": parent[1] if parent else None,
            "lambdaRole": run.lambda_role,
        },
    )
    seconds = parse_duration(run.execution_timeout)
    if seconds is not None:
        ctx.add_deadline(ctx.now + seconds, "execution", run_seq=run.seq, ref=0)
    schedule_decision(ctx, run)
    return run
