"""Whether the decisions a replay made are the ones a history recorded for that decision task.

SWF records each decision of a ``RespondDecisionTaskCompleted`` as one event that names the
``DecisionTaskCompleted`` event in its ``decisionTaskCompletedEventId``, in the order of the decisions.
:func:`recorded_decisions` gathers those events for one decision task; :func:`first_mismatch` compares
them with the decisions the code makes now, one by one, and returns the first that differs.

What counts as the same decision: the same decision type (its success event, or its ``*Failed``
event when SWF refused it) and the same identity and data, field by field:

======================================= =====================================================
decision                                fields compared
======================================= =====================================================
ScheduleActivityTask                    activityId, activityType (name, version), input, control
ScheduleLambdaFunction                  id, name, input, control
StartTimer                              timerId, startToFireTimeout, control
CancelTimer                             timerId
RecordMarker                            markerName, details
RequestCancelActivityTask               activityId
StartChildWorkflowExecution             workflowId, workflowType (name, version), input, control
SignalExternalWorkflowExecution         workflowId, runId, signalName, input, control
RequestCancelExternalWorkflowExecution  workflowId, runId, control
CompleteWorkflowExecution               result
FailWorkflowExecution                   reason, details (without their traceback)
CancelWorkflowExecution                 details
ContinueAsNewWorkflowExecution          input
======================================= =====================================================

A ``*Failed`` event holds only the identity fields (and SWF's cause), so only those are compared.
What SWF or the deployment fills in is not compared: task lists (a ``standalone`` or ``--local`` run
routes every activity to a task list of its own), timeouts, priorities, tags, child policies, roles.
Data fields are compared as :func:`simpleflow.runtime.resolution.same_input` compares a submission
with its recorded task: equal texts, an out-of-band reference to the produced text, or equal JSON
values (another encoder's spacing or key order is not a change). A failure's traceback names files
and line numbers, which move with any edit, so it is left out of the comparison of ``details``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simpleflow import payload
from simpleflow.exceptions import PayloadError
from simpleflow.history import attributes_key
from simpleflow.runtime.resolution import same_input

__all__ = ["Mismatch", "RecordedDecision", "first_mismatch", "recorded_decisions"]

# Fields holding encoded data (compared as values); the others are compared as they are.
_DATA_FIELDS = frozenset({"input", "result", "details", "control"})
# The two events a decision can leave: (success event, failure event), and the fields compared.
_SHAPES: dict[str, tuple[str, str, tuple[str, ...], tuple[str, ...]]] = {
    # decision: (event, failure event, identity fields, data fields)
    "ScheduleActivityTask": (
        "ActivityTaskScheduled",
        "ScheduleActivityTaskFailed",
        ("activityId", "activityType"),
        ("input", "control"),
    ),
    "ScheduleLambdaFunction": (
        "LambdaFunctionScheduled",
        "ScheduleLambdaFunctionFailed",
        ("id", "name"),
        ("input", "control"),
    ),
    "StartTimer": ("TimerStarted", "StartTimerFailed", ("timerId",), ("startToFireTimeout", "control")),
    "CancelTimer": ("TimerCanceled", "CancelTimerFailed", ("timerId",), ()),
    "RecordMarker": ("MarkerRecorded", "RecordMarkerFailed", ("markerName",), ("details",)),
    "RequestCancelActivityTask": (
        "ActivityTaskCancelRequested",
        "RequestCancelActivityTaskFailed",
        ("activityId",),
        (),
    ),
    "StartChildWorkflowExecution": (
        "StartChildWorkflowExecutionInitiated",
        "StartChildWorkflowExecutionFailed",
        ("workflowId", "workflowType"),
        ("input", "control"),
    ),
    "SignalExternalWorkflowExecution": (
        "SignalExternalWorkflowExecutionInitiated",
        "SignalExternalWorkflowExecutionFailed",
        ("workflowId", "runId"),
        ("signalName", "input", "control"),
    ),
    "RequestCancelExternalWorkflowExecution": (
        "RequestCancelExternalWorkflowExecutionInitiated",
        "RequestCancelExternalWorkflowExecutionFailed",
        ("workflowId", "runId"),
        ("control",),
    ),
    "CompleteWorkflowExecution": (
        "WorkflowExecutionCompleted",
        "CompleteWorkflowExecutionFailed",
        (),
        ("result",),
    ),
    "FailWorkflowExecution": (
        "WorkflowExecutionFailed",
        "FailWorkflowExecutionFailed",
        (),
        ("reason", "details"),
    ),
    "CancelWorkflowExecution": (
        "WorkflowExecutionCanceled",
        "CancelWorkflowExecutionFailed",
        (),
        ("details",),
    ),
    "ContinueAsNewWorkflowExecution": (
        "WorkflowExecutionContinuedAsNew",
        "ContinueAsNewWorkflowExecutionFailed",
        (),
        ("input",),
    ),
}
# Which decision an event records, and whether it is the failure event.
_DECISION_OF: dict[str, tuple[str, bool]] = {
    **{success: (decision, False) for decision, (success, _, _, _) in _SHAPES.items()},
    **{failure: (decision, True) for decision, (_, failure, _, _) in _SHAPES.items()},
}
# Failures SWF records later, after the decision's ``*Initiated`` event: not a decision of their own.
_DEFERRED_FAILURES = frozenset(
    {
        "StartChildWorkflowExecutionFailed",
        "SignalExternalWorkflowExecutionFailed",
        "RequestCancelExternalWorkflowExecutionFailed",
    }
)


@dataclass(frozen=True)
class RecordedDecision:
    """One decision as the history recorded it: its event, the decision type, and whether SWF refused it."""

    event_id: int
    event_type: str
    decision_type: str
    failed: bool
    attributes: Mapping[str, Any]
    #: The ``DecisionTaskCompleted`` event of the decision task that made it.
    completed_event_id: int = 0

    def fields(self) -> dict[str, Any]:
        """The compared fields this event holds (identity only, for a refusal)."""
        _, _, identity, data = _SHAPES[self.decision_type]
        names = identity if self.failed else identity + data
        return {"decision": self.decision_type, **{name: self.attributes.get(name) for name in names}}


@dataclass(frozen=True)
class Mismatch:
    """Where a decision task's decisions part: the recorded decision (if any), the produced one (if any)."""

    recorded: RecordedDecision | None
    produced: Mapping[str, Any] | None
    reason: str

    def recorded_fields(self) -> dict[str, Any] | None:
        """The compared fields of the recorded decision, ``None`` when the history has none there."""
        return None if self.recorded is None else self.recorded.fields()

    def produced_fields(self) -> dict[str, Any] | None:
        """The compared fields of the produced decision, ``None`` when the code made none there."""
        if self.produced is None:
            return None
        decision_type = self.produced["decisionType"]
        attributes = _decision_attributes(self.produced)
        shape = _SHAPES.get(decision_type)
        if shape is None:
            return {"decision": decision_type, **attributes}
        failed = self.recorded is not None and self.recorded.failed
        _, _, identity, data = shape
        names = identity if failed else identity + data
        fields = {name: _produced_value(decision_type, attributes, name) for name in names}
        return {"decision": decision_type, **fields}


def recorded_decisions(
    events: Sequence[Mapping[str, Any]], completed_event_id: int | None = None
) -> list[RecordedDecision]:
    """The decisions the history recorded, in their order: those of the ``DecisionTaskCompleted`` event
    ``completed_event_id``, or of every decision task when it is ``None``."""
    found: list[RecordedDecision] = []
    for event in events:
        event_type = event["eventType"]
        known = _DECISION_OF.get(event_type)
        if known is None:
            continue
        attributes = event.get(attributes_key(event_type)) or {}
        completed = attributes.get("decisionTaskCompletedEventId")
        if completed is None or (completed_event_id is not None and completed != completed_event_id):
            continue
        if event_type in _DEFERRED_FAILURES and attributes.get("initiatedEventId"):
            continue  # the outcome of an Initiated event recorded earlier
        decision_type, failed = known
        found.append(
            RecordedDecision(
                int(event["eventId"]), event_type, decision_type, failed, attributes, int(completed)
            )
        )
    return found


def first_mismatch(
    produced: Sequence[Mapping[str, Any]],
    recorded: Sequence[RecordedDecision],
    *,
    store: payload.PayloadStore | None = None,
    unknown_run_id: str | None = None,
) -> Mismatch | None:
    """The first place where ``produced`` (decision dicts) and ``recorded`` differ, else ``None``.

    ``store`` reads out-of-band payloads the history refers to. ``unknown_run_id`` is the run id the
    replay ran under when the history did not tell its own: a ``runId`` the code gives as that id (a
    signal to its own run) cannot be checked, and is taken as the recorded one.
    """
    for index in range(max(len(produced), len(recorded))):
        decision = produced[index] if index < len(produced) else None
        event = recorded[index] if index < len(recorded) else None
        if decision is None:
            assert event is not None
            return Mismatch(
                event, None, f"the history has a {event.decision_type} decision the code did not make"
            )
        if event is None:
            return Mismatch(
                None,
                decision,
                f"the code made a {decision['decisionType']} decision the history does not have",
            )
        reason = _difference(decision, event, store=store, unknown_run_id=unknown_run_id)
        if reason is not None:
            return Mismatch(event, decision, reason)
    return None


def _difference(
    decision: Mapping[str, Any],
    event: RecordedDecision,
    *,
    store: payload.PayloadStore | None,
    unknown_run_id: str | None,
) -> str | None:
    decision_type = decision["decisionType"]
    if decision_type != event.decision_type:
        return f"the history has a {event.decision_type} decision where the code made a {decision_type} one"
    attributes = _decision_attributes(decision)
    differing = []
    for name, recorded in event.fields().items():
        if name == "decision":
            continue
        produced = _produced_value(decision_type, attributes, name)
        if name == "workflowType" and isinstance(recorded, Mapping) and isinstance(produced, Mapping):
            # A child started without a version takes its type's default: compare what was given.
            same = recorded.get("name") == produced.get("name") and (
                produced.get("version") is None or recorded.get("version") == produced.get("version")
            )
        elif name == "runId" and unknown_run_id is not None and produced == unknown_run_id:
            same = True
        elif name == "details" and decision_type == "FailWorkflowExecution":
            same = _same_failure_details(recorded, produced, store=store)
        elif name in _DATA_FIELDS:
            same = _same_data(recorded, produced, store=store)
        else:
            same = recorded == produced
        if not same:
            differing.append(name)
    if differing:
        return f"{decision_type} differs in {', '.join(differing)}"
    return None


def _same_data(recorded: Any, produced: Any, *, store: payload.PayloadStore | None) -> bool:
    """Whether two data fields hold the same value (see the module documentation)."""
    if isinstance(recorded, str) and isinstance(produced, str) and payload.is_reference(produced):
        # Both went out of band (a replay stores what it produces too): the same bytes have the same
        # digest, wherever each store is.
        if payload.is_reference(recorded):
            return bool(
                payload.PayloadReference.parse(recorded).digest
                == payload.PayloadReference.parse(produced).digest
            )
        produced = payload.resolve(produced, store=store, field="produced input")
    return same_input(recorded, produced, store=store)


def _decision_attributes(decision: Mapping[str, Any]) -> Mapping[str, Any]:
    decision_type = decision["decisionType"]
    key = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
    attributes: Mapping[str, Any] = decision.get(key) or {}
    return attributes


def _produced_value(decision_type: str, attributes: Mapping[str, Any], name: str) -> Any:
    value = attributes.get(name)
    if name == "startToFireTimeout" and value is not None:
        return str(value)  # SWF records the timeout as the string it was sent as
    return value


def _same_failure_details(recorded: Any, produced: Any, *, store: payload.PayloadStore | None) -> bool:
    if _same_data(recorded, produced, store=store):
        return True
    try:
        recorded_value = payload.decode(recorded, field="recorded details", store=store)
        produced_value = payload.decode(produced, field="produced details", store=store)
    except (ValueError, PayloadError):
        return False
    if isinstance(recorded_value, dict) and isinstance(produced_value, dict):
        recorded_value.pop("traceback", None)
        produced_value.pop("traceback", None)
    return bool(recorded_value == produced_value)
