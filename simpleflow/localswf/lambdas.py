"""Lambda tasks: ``ScheduleLambdaFunction`` runs a Python callable the service was given at start.

The callables follow the AWS Lambda contract: they receive ``event = json.loads(input)`` (None without
input) and return a JSON-serializable result, recorded as ``json.dumps(result)``. An exception becomes
``LambdaFunctionFailed`` with the exception type as reason and Lambda's error document as details. Each
invocation runs in its own thread, outside the service lock.

Without any registered function the decision fails with ``LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION``; a
name that was not registered is scheduled, then fails to start (``StartLambdaFunctionFailed``), which is
what SWF records when it cannot invoke the function.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simpleflow.localswf.context import Context
from simpleflow.localswf.runs import append_event, parse_duration, request_decision

if TYPE_CHECKING:
    from simpleflow.localswf.decisions import DecisionApplier

LambdaFunction = Callable[[Any], Any]
REASON_LIMIT = 256
DETAILS_LIMIT = 32_768


def schedule_lambda(applier: DecisionApplier, attrs: dict[str, Any]) -> None:
    """Record ``LambdaFunctionScheduled`` and ``LambdaFunctionStarted``; the call runs after commit."""
    ctx, run = applier.ctx, applier.run
    lambda_id, name = attrs["id"], attrs["name"]
    ids = {"id": lambda_id, "name": name}
    failed = "ScheduleLambdaFunctionFailed"
    if not ctx.lambda_names:
        applier.fail(failed, "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION", ids)
        return
    in_use = ctx.store.row("SELECT 1 FROM lambdas WHERE run_seq = ? AND lambda_id = ?", (run.seq, lambda_id))
    if in_use is not None:
        applier.fail(failed, "ID_ALREADY_IN_USE", ids)
        return
    if run.open_lambdas >= ctx.limits.max_open_lambdas:
        applier.fail(failed, "OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED", ids)
        return
    timeout = attrs.get("startToCloseTimeout") or str(int(ctx.limits.lambda_start_to_close_timeout))
    scheduled_id = applier.event(
        "LambdaFunctionScheduled",
        {**ids, "control": attrs.get("control"), "input": attrs.get("input"), "startToCloseTimeout": timeout},
    )
    if name not in ctx.lambda_names:
        append_event(
            ctx,
            run,
            "StartLambdaFunctionFailed",
            {
                "scheduledEventId": scheduled_id,
                "cause": "ASSUME_ROLE_FAILED",
                "message": f"Function not found: {name}",
            },
        )
        applier.needs_decision = True
        return
    started_id = append_event(ctx, run, "LambdaFunctionStarted", {"scheduledEventId": scheduled_id})
    ctx.store.execute(
        "INSERT INTO lambdas (run_seq, lambda_id, scheduled_id, started_id, name, input)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (run.seq, lambda_id, scheduled_id, started_id, name, attrs.get("input")),
    )
    run.open_lambdas += 1
    seconds = parse_duration(timeout)
    if seconds is not None:
        ctx.add_deadline(ctx.now + seconds, "lambda", run_seq=run.seq, ref=scheduled_id)
    ctx.lambda_jobs.append((run.seq, scheduled_id, name, attrs.get("input")))


def invoke(function: LambdaFunction, input_data: str | None) -> tuple[str, dict[str, Any]]:
    """Call a function per the Lambda contract: the outcome event type and its attributes."""
    try:
        event = None if input_data is None else json.loads(input_data)
        result = function(event)
        return "LambdaFunctionCompleted", {"result": json.dumps(result)[:DETAILS_LIMIT]}
    except Exception as exc:
        error = {
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "stackTrace": traceback.format_exception(exc)[-20:],
        }
        return "LambdaFunctionFailed", {
            "reason": type(exc).__name__[:REASON_LIMIT],
            "details": json.dumps(error)[:DETAILS_LIMIT],
        }


def finish_lambda(
    ctx: Context, run_seq: int, scheduled_id: int, *, event_type: str, attrs: dict[str, Any]
) -> None:
    """Record a lambda's outcome, unless it already timed out or its run closed."""
    row = ctx.store.row(
        "SELECT * FROM lambdas WHERE run_seq = ? AND scheduled_id = ?", (run_seq, scheduled_id)
    )
    if row is None:
        return
    close_lambda(ctx, row, event_type=event_type, attrs=attrs)


def close_lambda(ctx: Context, row: Any, *, event_type: str, attrs: dict[str, Any]) -> None:
    """Record how a lambda task ended, forget it, and schedule a decision."""
    run = ctx.load_run(row["run_seq"])
    append_event(
        ctx,
        run,
        event_type,
        {**attrs, "scheduledEventId": row["scheduled_id"], "startedEventId": row["started_id"]},
    )
    ctx.store.execute("DELETE FROM lambdas WHERE run_seq = ? AND lambda_id = ?", (run.seq, row["lambda_id"]))
    ctx.drop_deadlines(run.seq, row["scheduled_id"])
    run.open_lambdas -= 1
    request_decision(ctx, run)
