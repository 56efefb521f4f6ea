"""Firing what is due: the six timeouts, timers, lambda timeouts, the effects of decisions that reach other
executions (child starts, external signals and cancel requests) and the retention of closed runs.

Each deadline row names a run and a task (by its scheduled or started event id). A deadline is checked
against the task's current state when it fires, so a task that closed or moved on is left alone; a
heartbeat deadline re-arms itself from the last heartbeat instead of being rewritten on every beat.
"""

from __future__ import annotations

from typing import Any

from simpleflow.localswf.children import SIDE_EFFECTS, carry_out
from simpleflow.localswf.closing import purge_run, time_out_run
from simpleflow.localswf.context import Context
from simpleflow.localswf.lambdas import close_lambda
from simpleflow.localswf.runs import (
    append_event,
    parse_duration,
    request_decision,
    reset_decision,
    schedule_decision,
)
from simpleflow.localswf.task_list_override import has_temporary_override, revert_override
from simpleflow.localswf.tasks import close_activity

BATCH = 500

ACTIVITY_TIMEOUTS = {
    "activity_schedule_to_start": ("SCHEDULE_TO_START", "scheduled"),
    "activity_schedule_to_close": ("SCHEDULE_TO_CLOSE", None),
    "activity_start_to_close": ("START_TO_CLOSE", "started"),
    "activity_heartbeat": ("HEARTBEAT", "started"),
}


def next_due(ctx: Context) -> float | None:
    """The earliest deadline, in epoch seconds."""
    due: float | None = ctx.store.scalar("SELECT MIN(due) FROM deadlines")
    return due


def next_work_due(ctx: Context) -> float | None:
    """The earliest deadline that gives a decider or worker something to do (retention does not)."""
    due: float | None = ctx.store.scalar(
        "SELECT due FROM deadlines WHERE kind != 'retention' ORDER BY due LIMIT 1"
    )
    return due


def fire_due(ctx: Context, params: dict[str, Any]) -> int:
    """Fire every deadline due at ``ctx.now`` (up to a batch); returns how many were handled."""
    rows = ctx.store.rows(
        "SELECT rowid, * FROM deadlines WHERE due <= ? ORDER BY due, rowid LIMIT ?", (ctx.now, BATCH)
    )
    for row in rows:
        ctx.store.execute("DELETE FROM deadlines WHERE rowid = ?", (row["rowid"],))
        fire(ctx, row["kind"], run_seq=row["run_seq"], ref=row["ref"])
    return len(rows)


def fire(ctx: Context, kind: str, *, run_seq: int, ref: int) -> None:
    """Fire one deadline if what it guards is still in the state it applies to."""
    if kind == "retention":
        effects_due = pending_effects_due(ctx, run_seq)
        if effects_due is not None:
            # A run purged at once (retention 0) still carries out what it decided before closing.
            ctx.add_deadline(effects_due, kind, run_seq=run_seq, ref=ref)
            return
        purge_run(ctx, run_seq)
        return
    try:
        run = ctx.load_run(run_seq)
    except LookupError:
        return
    if kind in SIDE_EFFECTS:
        # Carried out even when the run closed since it decided them (see ``children``).
        carry_out(ctx, kind, run, initiated_id=ref)
        return
    if not run.is_open:
        return
    if kind == "execution":
        time_out_run(ctx, run)
    elif kind in ("decision_start_to_close", "decision_schedule_to_start"):
        state = "started" if kind == "decision_start_to_close" else "scheduled"
        if run.dt_state != state or run.dt_scheduled_id != ref:
            return
        append_event(
            ctx,
            run,
            "DecisionTaskTimedOut",
            {
                "timeoutType": "START_TO_CLOSE" if state == "started" else "SCHEDULE_TO_START",
                "scheduledEventId": ref,
                "startedEventId": run.dt_started_id or 0,
            },
        )
        reset_decision(run)
        # Either timeout reverts a temporary override (a schedule-to-start deadline exists only for one);
        # a permanent override keeps the run's decision tasks on its list: see task_list_override.
        if has_temporary_override(run):
            revert_override(run)
        schedule_decision(ctx, run)
    elif kind in ACTIVITY_TIMEOUTS:
        fire_activity_timeout(ctx, kind, run_seq=run_seq, ref=ref)
    elif kind == "timer":
        timer = ctx.store.row("SELECT * FROM timers WHERE run_seq = ? AND started_id = ?", (run_seq, ref))
        if timer is None:
            return
        append_event(ctx, run, "TimerFired", {"timerId": timer["timer_id"], "startedEventId": ref})
        ctx.store.execute(
            "DELETE FROM timers WHERE run_seq = ? AND timer_id = ?", (run_seq, timer["timer_id"])
        )
        run.open_timers -= 1
        request_decision(ctx, run)
    elif kind == "lambda":
        row = ctx.store.row("SELECT * FROM lambdas WHERE run_seq = ? AND scheduled_id = ?", (run_seq, ref))
        if row is not None:
            close_lambda(
                ctx, row, event_type="LambdaFunctionTimedOut", attrs={"timeoutType": "START_TO_CLOSE"}
            )


def pending_effects_due(ctx: Context, run_seq: int) -> float | None:
    """When the last child start, signal or cancel request the run decided is due (None: none pending)."""
    marks = ", ".join("?" for _ in SIDE_EFFECTS)
    due: float | None = ctx.store.scalar(
        f"SELECT MAX(due) FROM deadlines WHERE run_seq = ? AND kind IN ({marks})", (run_seq, *SIDE_EFFECTS)
    )
    return due


def fire_activity_timeout(ctx: Context, kind: str, *, run_seq: int, ref: int) -> None:
    row = ctx.store.row("SELECT * FROM activities WHERE run_seq = ? AND scheduled_id = ?", (run_seq, ref))
    timeout_type, state = ACTIVITY_TIMEOUTS[kind]
    if row is None or (state is not None and row["state"] != state):
        return
    if kind == "activity_heartbeat":
        beat_due = (row["heartbeat_at"] or 0.0) + (parse_duration(row["heartbeat_timeout"]) or 0.0)
        if beat_due > ctx.now:
            ctx.add_deadline(beat_due, kind, run_seq=run_seq, ref=ref)
            return
    run = ctx.load_run(run_seq)
    close_activity(
        ctx,
        run,
        row,
        event_type="ActivityTaskTimedOut",
        attrs={"timeoutType": timeout_type, "details": row["details"]},
    )
