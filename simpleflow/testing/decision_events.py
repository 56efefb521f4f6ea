"""The events SWF records for each decision of a ``RespondDecisionTaskCompleted``.

Used by :meth:`HistoryBuilder.record_decisions` to play the engine's part in tests: every decision
type SWF has maps to the event a successful decision produces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from simpleflow.testing.event_log import Raw

if TYPE_CHECKING:
    from simpleflow.testing.history_builder import HistoryBuilder

Recorder = Callable[["HistoryBuilder", Mapping[str, Any]], int]


def _raw(text: str | None) -> Raw | None:
    return None if text is None else Raw(text)


def _schedule_activity(builder: HistoryBuilder, attrs: Mapping[str, Any]) -> int:
    return builder.activity_scheduled(
        attrs["activityId"],
        name=attrs["activityType"]["name"],
        version=attrs["activityType"]["version"],
        input=_raw(attrs.get("input")),
        task_list=(attrs.get("taskList") or {}).get("name", "default"),
        control=attrs.get("control"),
    )


def _closing(event_type: str, *keys: str) -> Recorder:
    def record(builder: HistoryBuilder, attrs: Mapping[str, Any]) -> int:
        values = {key: attrs.get(key) for key in keys}
        return builder.add_event(event_type, decisionTaskCompletedEventId=builder._completed_id(), **values)

    return record


def _continue_as_new(builder: HistoryBuilder, attrs: Mapping[str, Any]) -> int:
    return builder.add_event(
        "WorkflowExecutionContinuedAsNew",
        input=attrs.get("input"),
        decisionTaskCompletedEventId=builder._completed_id(),
        newExecutionRunId=f"{builder.run_id}-next",
        executionStartToCloseTimeout=attrs.get("executionStartToCloseTimeout"),
        taskList=attrs.get("taskList") or {"name": builder.task_list},
        taskStartToCloseTimeout=attrs.get("taskStartToCloseTimeout"),
        childPolicy=attrs.get("childPolicy") or "TERMINATE",
        tagList=attrs.get("tagList"),
        workflowType={
            "name": builder.workflow_name,
            "version": attrs.get("workflowTypeVersion") or builder.workflow_version,
        },
    )


def _cancel_external(builder: HistoryBuilder, attrs: Mapping[str, Any]) -> int:
    return builder.add_event(
        "RequestCancelExternalWorkflowExecutionInitiated",
        workflowId=attrs["workflowId"],
        runId=attrs.get("runId"),
        control=attrs.get("control"),
        decisionTaskCompletedEventId=builder._completed_id(),
    )


_RECORDERS: dict[str, Recorder] = {
    "ScheduleActivityTask": _schedule_activity,
    "RequestCancelActivityTask": lambda b, a: b.activity_cancel_requested(a["activityId"]),
    "CompleteWorkflowExecution": _closing("WorkflowExecutionCompleted", "result"),
    "FailWorkflowExecution": _closing("WorkflowExecutionFailed", "reason", "details"),
    "CancelWorkflowExecution": _closing("WorkflowExecutionCanceled", "details"),
    "ContinueAsNewWorkflowExecution": _continue_as_new,
    "RecordMarker": lambda b, a: b.marker_recorded(a["markerName"], details=_raw(a.get("details"))),
    "StartTimer": lambda b, a: b.timer_started(
        a["timerId"], timeout=int(a["startToFireTimeout"]), control=a.get("control")
    ),
    "CancelTimer": lambda b, a: b.timer_canceled(a["timerId"]),
    "SignalExternalWorkflowExecution": lambda b, a: b.signal_initiated(
        a["workflowId"],
        a["signalName"],
        run_id=a.get("runId"),
        input=_raw(a.get("input")),
        control=a.get("control"),
    ),
    "RequestCancelExternalWorkflowExecution": _cancel_external,
    "StartChildWorkflowExecution": lambda b, a: b.child_initiated(
        a["workflowId"],
        name=a["workflowType"]["name"],
        version=a["workflowType"]["version"],
        input=_raw(a.get("input")),
        control=a.get("control"),
    ),
    "ScheduleLambdaFunction": lambda b, a: b.lambda_scheduled(
        a["id"], name=a["name"], input=_raw(a.get("input")), control=a.get("control")
    ),
}


def record_decision(builder: HistoryBuilder, decision: Mapping[str, Any]) -> int:
    """Append the event SWF records when ``decision`` succeeds; return its id."""
    decision_type = decision["decisionType"]
    attributes_key = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
    try:
        recorder = _RECORDERS[decision_type]
    except KeyError:
        raise ValueError(f"unknown decision type {decision_type!r}") from None
    return recorder(builder, decision.get(attributes_key) or {})
