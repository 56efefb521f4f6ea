"""``RespondDecisionTaskCompleted``: the 13 decisions, applied in order within one transaction.

A decision SWF would refuse is recorded as its ``*Failed`` event with SWF's cause, and the decider gets
a new decision task to see it. A close decision (complete, fail, cancel, continue-as-new) that is not
the last one, or whose decision task raced with new events, fails with ``UNHANDLED_DECISION``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from simpleflow.localswf import children, lambdas
from simpleflow.localswf.closing import close_run
from simpleflow.localswf.context import ACTIVITY, DECISION, Context, Run
from simpleflow.localswf.faults import validation_error
from simpleflow.localswf.registry import DEPRECATED, find_type
from simpleflow.localswf.runs import (
    append_event,
    parse_duration,
    parse_priority,
    reset_decision,
    schedule_decision,
    start_run,
    workflow_settings,
)
from simpleflow.localswf.task_list_override import override_task_list
from simpleflow.localswf.tasks import close_activity
from simpleflow.localswf.tokens import gone_task_fault

CLOSE_DECISIONS = {
    "CompleteWorkflowExecution",
    "FailWorkflowExecution",
    "CancelWorkflowExecution",
    "ContinueAsNewWorkflowExecution",
}


def _external_ids(attrs: dict[str, Any]) -> dict[str, Any]:
    ids = {"workflowId": attrs["workflowId"], "runId": attrs.get("runId"), "control": attrs.get("control")}
    return {**ids, "initiatedEventId": 0}


#: The attributes of a ``*Failed`` event for a decision refused for its rate (the activity's is checked in
#: its handler, which knows the task list its rate applies to). Refused before any other check, so a child
#: or a signal has no ``Initiated`` event (``initiatedEventId`` 0).
RATE_FAILURE_IDS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "StartTimer": lambda attrs: {"timerId": attrs["timerId"]},
    "StartChildWorkflowExecution": lambda attrs: {
        "workflowType": attrs["workflowType"],
        "workflowId": attrs["workflowId"],
        "control": attrs.get("control"),
        "initiatedEventId": 0,
    },
    "SignalExternalWorkflowExecution": _external_ids,
    "RequestCancelExternalWorkflowExecution": _external_ids,
    "ScheduleLambdaFunction": lambda attrs: {"id": attrs["id"], "name": attrs["name"]},
    "ContinueAsNewWorkflowExecution": lambda attrs: {},
}


def attributes_key(decision_type: str) -> str:
    """The ``Decision`` member carrying a decision type's attributes."""
    return decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"


def respond_decision_task_completed(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    row = ctx.store.row("SELECT * FROM runs WHERE dt_token = ?", (params["taskToken"],))
    if row is None:
        raise gone_task_fault(ctx, params["taskToken"], kind=DECISION)
    run = ctx.adopt_row(row)
    completed_id = append_event(
        ctx,
        run,
        "DecisionTaskCompleted",
        {
            "executionContext": params.get("executionContext"),
            "scheduledEventId": run.dt_scheduled_id,
            "startedEventId": run.dt_started_id,
            "taskList": params.get("taskList"),
            "taskListScheduleToStartTimeout": params.get("taskListScheduleToStartTimeout"),
        },
    )
    raced = bool(run.dt_pending)
    assert run.dt_scheduled_id is not None and run.dt_started_id is not None
    ctx.drop_deadlines(run.seq, run.dt_scheduled_id)
    run.prev_started_id = run.dt_started_id
    if params.get("executionContext") is not None:
        run.latest_context = params["executionContext"]
    override_task_list(run, params)
    # While decisions apply, new events mark the task pending instead of scheduling in the middle.
    run.dt_state = "completing"
    run.dt_token = None
    run.dt_pending = 0
    applier = DecisionApplier(ctx, run, completed_id=completed_id, raced=raced)
    decisions = params.get("decisions") or []
    for index, decision in enumerate(decisions):
        if not run.is_open:
            break
        applier.apply(decision, is_last=index == len(decisions) - 1)
    if run.is_open:
        needed = raced or applier.needs_decision or bool(run.dt_pending)
        reset_decision(run)
        if needed:
            schedule_decision(ctx, run)
    return {}


class DecisionApplier:
    """Applies one decision task's decisions to its run."""

    def __init__(self, ctx: Context, run: Run, *, completed_id: int, raced: bool) -> None:
        self.ctx = ctx
        self.run = run
        self.completed_id = completed_id
        self.raced = raced
        self.needs_decision = False

    def apply(self, decision: dict[str, Any], *, is_last: bool) -> None:
        decision_type = decision.get("decisionType", "")
        attrs = decision.get(attributes_key(decision_type)) or {}
        if decision_type in CLOSE_DECISIONS and (not is_last or self.raced):
            self.fail(f"{decision_type}Failed", "UNHANDLED_DECISION", {})
            return
        handler = getattr(self, decision_type[0].lower() + decision_type[1:], None) if decision_type else None
        if handler is None:
            raise validation_error(f"Unknown decision type: {decision_type!r}")
        try:
            if decision_type in RATE_FAILURE_IDS and self.refused_for_rate(
                decision_type, self.run.domain, RATE_FAILURE_IDS[decision_type](attrs)
            ):
                return
            handler(attrs)
        except KeyError as exc:
            raise validation_error(f"{decision_type} decision is missing {exc.args[0]}") from None

    def fail(self, event_type: str, cause: str, attrs: dict[str, Any]) -> int:
        """Record a decision's failure; the decider gets a new decision task to see it."""
        self.needs_decision = True
        return append_event(
            self.ctx,
            self.run,
            event_type,
            {**attrs, "cause": cause, "decisionTaskCompletedEventId": self.completed_id},
        )

    def refused_for_rate(self, decision_type: str, scope: str, ids: dict[str, Any]) -> bool:
        """Fail the decision with its ``*_RATE_EXCEEDED`` cause if its rate in ``scope`` is spent."""
        rates = self.ctx.rates
        cause = None if rates is None else rates.refusal(decision_type, scope, now=self.ctx.now)
        if cause is None:
            return False
        self.fail(f"{decision_type}Failed", cause, ids)
        return True

    def event(self, event_type: str, attrs: dict[str, Any]) -> int:
        return append_event(
            self.ctx, self.run, event_type, {**attrs, "decisionTaskCompletedEventId": self.completed_id}
        )

    # -- activities -------------------------------------------------------------------------------

    def scheduleActivityTask(self, attrs: dict[str, Any]) -> None:  # noqa: N802 (SWF decision name)
        ctx, run = self.ctx, self.run
        activity_type, activity_id = attrs["activityType"], attrs["activityId"]
        ids = {"activityType": activity_type, "activityId": activity_id}
        found = ctx.type_row(
            run.domain, kind="activity", name=activity_type["name"], version=activity_type["version"]
        )
        if found is None:
            self.fail("ScheduleActivityTaskFailed", "ACTIVITY_TYPE_DOES_NOT_EXIST", ids)
            return
        type_row, config = found
        if type_row["status"] == DEPRECATED:
            self.fail("ScheduleActivityTaskFailed", "ACTIVITY_TYPE_DEPRECATED", ids)
            return
        in_use = ctx.store.row(
            "SELECT 1 FROM activities WHERE run_seq = ? AND activity_id = ?", (run.seq, activity_id)
        )
        if in_use is not None:
            self.fail("ScheduleActivityTaskFailed", "ACTIVITY_ID_ALREADY_IN_USE", ids)
            return
        if run.open_activities >= ctx.limits.max_open_activities:
            self.fail("ScheduleActivityTaskFailed", "OPEN_ACTIVITIES_LIMIT_EXCEEDED", ids)
            return
        default_list = (config.get("defaultTaskList") or {}).get("name")
        task_list: str = (attrs.get("taskList") or {}).get("name") or default_list or ""
        timeouts = {
            name: attrs.get(name) or config.get(default)
            for name, default in (
                ("scheduleToCloseTimeout", "defaultTaskScheduleToCloseTimeout"),
                ("scheduleToStartTimeout", "defaultTaskScheduleToStartTimeout"),
                ("startToCloseTimeout", "defaultTaskStartToCloseTimeout"),
                ("heartbeatTimeout", "defaultTaskHeartbeatTimeout"),
            )
        }
        # SWF requires every timeout but the heartbeat one (which defaults to NONE).
        timeouts["heartbeatTimeout"] = timeouts["heartbeatTimeout"] or "NONE"
        for missing, cause in (
            (not task_list, "DEFAULT_TASK_LIST_UNDEFINED"),
            (not timeouts["scheduleToCloseTimeout"], "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED"),
            (not timeouts["scheduleToStartTimeout"], "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED"),
            (not timeouts["startToCloseTimeout"], "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
        ):
            if missing:
                self.fail("ScheduleActivityTaskFailed", cause, ids)
                return
        # SWF's documented rate is per task list, which is only known here.
        if self.refused_for_rate("ScheduleActivityTask", f"{run.domain}/{task_list}", ids):
            return
        priority = attrs.get("taskPriority") or config.get("defaultTaskPriority")
        scheduled_id = self.event(
            "ActivityTaskScheduled",
            {
                **ids,
                "input": attrs.get("input"),
                "control": attrs.get("control"),
                "taskList": {"name": task_list},
                "taskPriority": priority,
                **timeouts,
            },
        )
        ctx.store.execute(
            "INSERT INTO activities (run_seq, activity_id, scheduled_id, domain, task_list, priority,"
            " scheduled_at, type_name, type_version, input, state, start_to_close, heartbeat_timeout)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?)",
            (
                run.seq,
                activity_id,
                scheduled_id,
                run.domain,
                task_list,
                parse_priority(priority),
                ctx.now,
                activity_type["name"],
                activity_type["version"],
                attrs.get("input"),
                timeouts["startToCloseTimeout"],
                timeouts["heartbeatTimeout"],
            ),
        )
        run.open_activities += 1
        run.latest_activity_at = ctx.now
        for kind, name in (
            ("activity_schedule_to_start", "scheduleToStartTimeout"),
            ("activity_schedule_to_close", "scheduleToCloseTimeout"),
        ):
            seconds = parse_duration(timeouts[name])
            if seconds is not None:
                ctx.add_deadline(ctx.now + seconds, kind, run_seq=run.seq, ref=scheduled_id)
        ctx.wake(ACTIVITY, run.domain, task_list)

    def requestCancelActivityTask(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        activity_id = attrs["activityId"]
        row = self.ctx.store.row(
            "SELECT * FROM activities WHERE run_seq = ? AND activity_id = ?", (self.run.seq, activity_id)
        )
        if row is None:
            self.fail("RequestCancelActivityTaskFailed", "ACTIVITY_ID_UNKNOWN", {"activityId": activity_id})
            return
        requested_id = self.event("ActivityTaskCancelRequested", {"activityId": activity_id})
        if row["state"] == "scheduled":
            # Not yet handed to a worker: SWF cancels it at once.
            attrs = {"latestCancelRequestedEventId": requested_id}
            close_activity(self.ctx, self.run, row, event_type="ActivityTaskCanceled", attrs=attrs)
        else:
            self.ctx.store.execute(
                "UPDATE activities SET cancel_requested = ? WHERE run_seq = ? AND activity_id = ?",
                (requested_id, self.run.seq, activity_id),
            )

    # -- closing the execution ----------------------------------------------------------------------

    def completeWorkflowExecution(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        result = attrs.get("result")
        close_run(
            self.ctx,
            self.run,
            close_status="COMPLETED",
            event_type="WorkflowExecutionCompleted",
            attrs={"result": result, "decisionTaskCompletedEventId": self.completed_id},
            parent_attrs={"result": result},
        )

    def failWorkflowExecution(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        failure = {"reason": attrs.get("reason"), "details": attrs.get("details")}
        close_run(
            self.ctx,
            self.run,
            close_status="FAILED",
            event_type="WorkflowExecutionFailed",
            attrs={**failure, "decisionTaskCompletedEventId": self.completed_id},
            parent_attrs=failure,
        )

    def cancelWorkflowExecution(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        details = attrs.get("details")
        close_run(
            self.ctx,
            self.run,
            close_status="CANCELED",
            event_type="WorkflowExecutionCanceled",
            attrs={"details": details, "decisionTaskCompletedEventId": self.completed_id},
            parent_attrs={"details": details},
        )

    def continueAsNewWorkflowExecution(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        ctx, run = self.ctx, self.run
        workflow_type = {
            "name": run.type_name,
            "version": attrs.get("workflowTypeVersion") or run.type_version,
        }
        type_row = find_type(ctx, run.domain, kind="workflow", type_ref=workflow_type)
        failed = "ContinueAsNewWorkflowExecutionFailed"
        if type_row is None:
            self.fail(failed, "WORKFLOW_TYPE_DOES_NOT_EXIST", {})
            return
        if type_row["status"] == DEPRECATED:
            self.fail(failed, "WORKFLOW_TYPE_DEPRECATED", {})
            return
        settings, missing = workflow_settings(json.loads(type_row["config"]), attrs)
        if missing:
            self.fail(failed, f"DEFAULT_{missing}_UNDEFINED", {})
            return
        tags = attrs.get("tagList") or []
        parent = None
        if run.parent_seq is not None:
            parent = (ctx.load_run(run.parent_seq), run.parent_initiated_id or 0)
        new_run = start_run(
            ctx,
            run.domain,
            workflow_id=run.workflow_id,
            workflow_type=workflow_type,
            settings=settings,
            input_data=attrs.get("input"),
            tags=tags,
            parent=parent,
            continued_from=run.run_id,
        )
        new_run.parent_started_id = run.parent_started_id
        close_run(
            ctx,
            run,
            close_status="CONTINUED_AS_NEW",
            event_type="WorkflowExecutionContinuedAsNew",
            attrs={
                "input": attrs.get("input"),
                "decisionTaskCompletedEventId": self.completed_id,
                "newExecutionRunId": new_run.run_id,
                "executionStartToCloseTimeout": new_run.execution_timeout,
                "taskList": {"name": new_run.task_list},
                "taskPriority": new_run.task_priority,
                "taskStartToCloseTimeout": new_run.task_timeout,
                "childPolicy": new_run.child_policy,
                "tagList": tags or None,
                "workflowType": workflow_type,
                "lambdaRole": new_run.lambda_role,
            },
        )

    # -- markers and timers -------------------------------------------------------------------------

    def recordMarker(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        self.event("MarkerRecorded", {"markerName": attrs["markerName"], "details": attrs.get("details")})

    def startTimer(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        ctx, run = self.ctx, self.run
        timer_id = attrs["timerId"]
        in_use = ctx.store.row("SELECT 1 FROM timers WHERE run_seq = ? AND timer_id = ?", (run.seq, timer_id))
        if in_use is not None:
            self.fail("StartTimerFailed", "TIMER_ID_ALREADY_IN_USE", {"timerId": timer_id})
            return
        if run.open_timers >= ctx.limits.max_open_timers:
            self.fail("StartTimerFailed", "OPEN_TIMERS_LIMIT_EXCEEDED", {"timerId": timer_id})
            return
        fire_after = attrs["startToFireTimeout"]
        started_id = self.event(
            "TimerStarted",
            {"timerId": timer_id, "control": attrs.get("control"), "startToFireTimeout": fire_after},
        )
        ctx.store.execute(
            "INSERT INTO timers (run_seq, timer_id, started_id) VALUES (?, ?, ?)",
            (run.seq, timer_id, started_id),
        )
        run.open_timers += 1
        ctx.add_deadline(
            ctx.now + (parse_duration(fire_after) or 0.0), "timer", run_seq=run.seq, ref=started_id
        )

    def cancelTimer(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        ctx, run = self.ctx, self.run
        timer_id = attrs["timerId"]
        row = ctx.store.row("SELECT * FROM timers WHERE run_seq = ? AND timer_id = ?", (run.seq, timer_id))
        if row is None:
            self.fail("CancelTimerFailed", "TIMER_ID_UNKNOWN", {"timerId": timer_id})
            return
        self.event("TimerCanceled", {"timerId": timer_id, "startedEventId": row["started_id"]})
        ctx.store.execute("DELETE FROM timers WHERE run_seq = ? AND timer_id = ?", (run.seq, timer_id))
        ctx.drop_deadlines(run.seq, row["started_id"])
        run.open_timers -= 1

    # -- other executions and lambdas ---------------------------------------------------------------

    def signalExternalWorkflowExecution(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        children.signal_external(self, attrs)

    def requestCancelExternalWorkflowExecution(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        children.request_cancel_external(self, attrs)

    def startChildWorkflowExecution(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        children.start_child(self, attrs)

    def scheduleLambdaFunction(self, attrs: dict[str, Any]) -> None:  # noqa: N802
        lambdas.schedule_lambda(self, attrs)
