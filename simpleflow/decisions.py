"""Pure builders of the 13 SWF decisions, as the dicts boto3's ``respond_decision_task_completed`` takes.

Each builder validates what SWF would reject, so that a bad decision fails in the decider with a clear
error instead of coming back as a ``*Failed`` event (or a rejected request) later:

- identifiers (activity, timer and workflow ids, type names, task lists) are 1..256 characters (versions
  1..64), without ``:``, ``/``, ``|``, control characters, leading or trailing whitespace, and are not the
  literal string ``arn``;
- data fields (input, result, control, details) are encoded strings of at most 32,768 characters, a
  reason at most 256 (:class:`~simpleflow.exceptions.PayloadTooLarge`, like :func:`simpleflow.payload.fit`);
- at most 5 tags of at most 256 characters each;
- timeouts are whole seconds (an ``int`` or a ``timedelta``) or ``"NONE"``, and are sent as strings.

Rule breaks raise :class:`~simpleflow.exceptions.InvalidDecision` (a ``ValueError``). Data fields take text
already encoded by :mod:`simpleflow.payload`: these builders never encode values themselves.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from simpleflow.exceptions import InvalidDecision, PayloadTooLarge

__all__ = [
    "CHILD_POLICIES",
    "CLOSING_DECISION_TYPES",
    "DECISION_TYPES",
    "MAX_DECISIONS_PER_RESPONSE",
    "MAX_REQUEST_BYTES",
    "cancel_timer",
    "cancel_workflow_execution",
    "complete_workflow_execution",
    "continue_as_new_workflow_execution",
    "decision_size",
    "fail_workflow_execution",
    "record_marker",
    "request_cancel_activity_task",
    "request_cancel_external_workflow_execution",
    "schedule_activity_task",
    "schedule_lambda_function",
    "signal_external_workflow_execution",
    "start_child_workflow_execution",
    "start_timer",
    "validate_child_policy",
    "validate_identifier",
    "validate_lambda_role",
    "validate_tag_list",
    "validate_timeout",
]

#: SWF accepts at most this many decisions in one RespondDecisionTaskCompleted.
MAX_DECISIONS_PER_RESPONSE = 100
#: SWF rejects requests larger than this many bytes.
MAX_REQUEST_BYTES = 1_048_576

DECISION_TYPES = (
    "ScheduleActivityTask",
    "RequestCancelActivityTask",
    "CompleteWorkflowExecution",
    "FailWorkflowExecution",
    "CancelWorkflowExecution",
    "ContinueAsNewWorkflowExecution",
    "RecordMarker",
    "StartTimer",
    "CancelTimer",
    "SignalExternalWorkflowExecution",
    "RequestCancelExternalWorkflowExecution",
    "StartChildWorkflowExecution",
    "ScheduleLambdaFunction",
)
#: The decisions that close the execution (SWF accepts them only as the last decision of a response).
CLOSING_DECISION_TYPES = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)
CHILD_POLICIES = ("TERMINATE", "REQUEST_CANCEL", "ABANDON")

Timeout = int | str | datetime.timedelta

_DATA_LIMIT = 32768
_REASON_LIMIT = 256
_MAX_TAGS = 5
_TAG_LIMIT = 256
_TIMEOUT_MAX_CHARS = 8
_INT32 = (-(2**31), 2**31 - 1)


# -- validation -----------------------------------------------------------------------------------------


#: What SWF refuses in an identifier: ``:``, ``/``, ``|`` and the control characters (U+0000-U+001F,
#: U+007F-U+009F). One regex search instead of a Python test per character: identifiers are checked on
#: every decision, and that loop was 5% of a decider's time.
_FORBIDDEN_IN_IDENTIFIER = re.compile("[:/|\x00-\x1f\x7f-\x9f]")


def validate_identifier(value: Any, *, field: str, max_length: int = 256, strict: bool = True) -> str:
    """Check an SWF identifier and return it; raises :class:`InvalidDecision` naming ``field``.

    With ``strict`` (ids, type names and versions, task lists) SWF's character rules apply as well as the
    length: no ``:``, ``/``, ``|``, control characters, surrounding whitespace, and not ``arn``.
    """
    if not isinstance(value, str):
        raise InvalidDecision(field, value, f"must be a string, not {type(value).__name__}")
    if not 1 <= len(value) <= max_length:
        raise InvalidDecision(field, value, f"must be 1 to {max_length} characters long, not {len(value)}")
    if strict:
        if _FORBIDDEN_IN_IDENTIFIER.search(value) is not None:
            bad = sorted(set(_FORBIDDEN_IN_IDENTIFIER.findall(value)))
            raise InvalidDecision(field, value, f"must not contain {', '.join(repr(c) for c in bad)}")
        if value != value.strip():
            raise InvalidDecision(field, value, "must not start or end with whitespace")
        if value == "arn":
            raise InvalidDecision(field, value, "must not be the literal string 'arn'")
    return value


def _data(value: Any, *, field: str, limit: int = _DATA_LIMIT) -> str:
    if not isinstance(value, str):
        raise InvalidDecision(
            field, value, f"must be encoded text (see simpleflow.payload.encode), not {type(value).__name__}"
        )
    if len(value) > limit:
        raise PayloadTooLarge(field, len(value), limit)
    return value


def _timeout(value: Any, *, field: str, allow_none: bool = True) -> str:
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
        if seconds != int(seconds):
            raise InvalidDecision(field, value, "must be whole seconds")
        value = int(seconds)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidDecision(field, value, "must be whole seconds (int or timedelta) or 'NONE'")
    text = str(value)
    if text == "NONE":
        if not allow_none:
            raise InvalidDecision(field, value, "must be a number of seconds; 'NONE' is not allowed here")
        return text
    if not text.isdigit() or len(text) > _TIMEOUT_MAX_CHARS:
        raise InvalidDecision(field, value, "must be 0 to 99999999 seconds, or 'NONE'")
    return text


def _priority(value: Any, *, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidDecision(field, value, "must be an integer")
    try:
        number = int(value)
    except ValueError:
        raise InvalidDecision(field, value, "must be an integer") from None
    if not _INT32[0] <= number <= _INT32[1]:
        raise InvalidDecision(field, value, "must fit in a signed 32-bit integer")
    return str(number)


def _tags(tags: Any, *, field: str) -> list[str]:
    if isinstance(tags, str) or not isinstance(tags, Sequence):
        raise InvalidDecision(field, tags, "must be a list of strings")
    if len(tags) > _MAX_TAGS:
        raise InvalidDecision(field, tags, f"has {len(tags)} tags; SWF allows at most {_MAX_TAGS}")
    for tag in tags:
        if not isinstance(tag, str) or len(tag) > _TAG_LIMIT:
            raise InvalidDecision(field, tag, f"each tag must be a string of at most {_TAG_LIMIT} characters")
    return list(tags)


def _child_policy(value: Any, *, field: str) -> str:
    if value not in CHILD_POLICIES:
        raise InvalidDecision(field, value, f"must be one of {', '.join(CHILD_POLICIES)}")
    return str(value)


def _lambda_role(value: Any, *, field: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 1600:
        raise InvalidDecision(field, value, "must be an IAM role ARN of 1 to 1600 characters")
    return value


# Public forms of the checks, for options validated before any decision is built (a child's submit options).


def validate_timeout(value: Any, *, field: str, allow_none: bool = True) -> str:
    """A timeout as SWF takes it (whole seconds as text, or ``"NONE"``); raises :class:`InvalidDecision`."""
    return _timeout(value, field=field, allow_none=allow_none)


def validate_tag_list(tags: Any, *, field: str) -> list[str]:
    """A tag list of at most 5 strings of at most 256 characters; raises :class:`InvalidDecision`."""
    return _tags(tags, field=field)


def validate_child_policy(value: Any, *, field: str) -> str:
    """One of :data:`CHILD_POLICIES`; raises :class:`InvalidDecision` naming ``field``."""
    return _child_policy(value, field=field)


def validate_lambda_role(value: Any, *, field: str) -> str:
    """An IAM role ARN of 1 to 1600 characters; raises :class:`InvalidDecision` naming ``field``."""
    return _lambda_role(value, field=field)


def _decision(decision_type: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    key = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
    return {"decisionType": decision_type, key: {k: v for k, v in attributes.items() if v is not None}}


def _opt(check: Any, value: Any, **options: Any) -> Any:
    """``check(value, **options)`` unless the value is absent (None), in which case it stays absent."""
    return None if value is None else check(value, **options)


def _task_list(name: str | None, *, field: str) -> dict[str, str] | None:
    return None if name is None else {"name": validate_identifier(name, field=field)}


def _task_priority(value: Any, *, field: str) -> str | None:
    return _opt(_priority, value, field=field)


# -- the 13 builders ------------------------------------------------------------------------------------


def schedule_activity_task(
    activity_id: str,
    *,
    name: str,
    version: str,
    input: str | None = None,  # SWF's attribute name, as the contract spells it
    control: str | None = None,
    task_list: str | None = None,
    task_priority: int | str | None = None,
    schedule_to_close_timeout: Timeout | None = None,
    schedule_to_start_timeout: Timeout | None = None,
    start_to_close_timeout: Timeout | None = None,
    heartbeat_timeout: Timeout | None = None,
) -> dict[str, Any]:
    """A ScheduleActivityTask decision for activity type ``name``/``version`` under ``activity_id``."""
    prefix = "scheduleActivityTask."
    return _decision(
        "ScheduleActivityTask",
        {
            "activityType": {
                "name": validate_identifier(name, field=prefix + "activityType.name"),
                "version": validate_identifier(version, field=prefix + "activityType.version", max_length=64),
            },
            "activityId": validate_identifier(activity_id, field=prefix + "activityId"),
            "control": _opt(_data, control, field=prefix + "control"),
            "input": _opt(_data, input, field=prefix + "input"),
            "scheduleToCloseTimeout": _opt(
                _timeout, schedule_to_close_timeout, field=prefix + "scheduleToCloseTimeout"
            ),
            "taskList": _task_list(task_list, field=prefix + "taskList.name"),
            "taskPriority": _task_priority(task_priority, field=prefix + "taskPriority"),
            "scheduleToStartTimeout": _opt(
                _timeout, schedule_to_start_timeout, field=prefix + "scheduleToStartTimeout"
            ),
            "startToCloseTimeout": _opt(
                _timeout, start_to_close_timeout, field=prefix + "startToCloseTimeout"
            ),
            "heartbeatTimeout": _opt(_timeout, heartbeat_timeout, field=prefix + "heartbeatTimeout"),
        },
    )


def request_cancel_activity_task(activity_id: str) -> dict[str, Any]:
    """A RequestCancelActivityTask decision for the activity scheduled as ``activity_id``."""
    return _decision(
        "RequestCancelActivityTask",
        {"activityId": validate_identifier(activity_id, field="requestCancelActivityTask.activityId")},
    )


def complete_workflow_execution(*, result: str | None = None) -> dict[str, Any]:
    """A CompleteWorkflowExecution decision with the encoded ``result``."""
    return _decision(
        "CompleteWorkflowExecution",
        {"result": _opt(_data, result, field="completeWorkflowExecution.result")},
    )


def fail_workflow_execution(*, reason: str | None = None, details: str | None = None) -> dict[str, Any]:
    """A FailWorkflowExecution decision; ``reason`` at most 256 characters (see payload.encode_failure)."""
    return _decision(
        "FailWorkflowExecution",
        {
            "reason": _opt(_data, reason, field="failWorkflowExecution.reason", limit=_REASON_LIMIT),
            "details": _opt(_data, details, field="failWorkflowExecution.details"),
        },
    )


def cancel_workflow_execution(*, details: str | None = None) -> dict[str, Any]:
    """A CancelWorkflowExecution decision (valid only when a cancel was requested)."""
    return _decision(
        "CancelWorkflowExecution",
        {"details": _opt(_data, details, field="cancelWorkflowExecution.details")},
    )


def continue_as_new_workflow_execution(
    *,
    input: str | None = None,  # SWF's attribute name
    execution_start_to_close_timeout: Timeout | None = None,
    task_list: str | None = None,
    task_priority: int | str | None = None,
    task_start_to_close_timeout: Timeout | None = None,
    child_policy: str | None = None,
    tag_list: Sequence[str] | None = None,
    workflow_type_version: str | None = None,
    lambda_role: str | None = None,
) -> dict[str, Any]:
    """A ContinueAsNewWorkflowExecution decision: close this run and start a new one with ``input``."""
    prefix = "continueAsNewWorkflowExecution."
    return _decision(
        "ContinueAsNewWorkflowExecution",
        {
            "input": _opt(_data, input, field=prefix + "input"),
            "executionStartToCloseTimeout": _opt(
                _timeout, execution_start_to_close_timeout, field=prefix + "executionStartToCloseTimeout"
            ),
            "taskList": _task_list(task_list, field=prefix + "taskList.name"),
            "taskPriority": _task_priority(task_priority, field=prefix + "taskPriority"),
            "taskStartToCloseTimeout": _opt(
                _timeout, task_start_to_close_timeout, field=prefix + "taskStartToCloseTimeout"
            ),
            "childPolicy": _opt(_child_policy, child_policy, field=prefix + "childPolicy"),
            "tagList": _opt(_tags, tag_list, field=prefix + "tagList"),
            "workflowTypeVersion": _opt(
                validate_identifier,
                workflow_type_version,
                field=prefix + "workflowTypeVersion",
                max_length=64,
            ),
            "lambdaRole": _opt(_lambda_role, lambda_role, field=prefix + "lambdaRole"),
        },
    )


def record_marker(marker_name: str, *, details: str | None = None) -> dict[str, Any]:
    """A RecordMarker decision: ``details`` is kept in the history under ``marker_name``."""
    return _decision(
        "RecordMarker",
        {
            "markerName": validate_identifier(marker_name, field="recordMarker.markerName", strict=False),
            "details": _opt(_data, details, field="recordMarker.details"),
        },
    )


def start_timer(
    timer_id: str, *, start_to_fire_timeout: Timeout, control: str | None = None
) -> dict[str, Any]:
    """A StartTimer decision firing after ``start_to_fire_timeout`` seconds (``"NONE"`` is not allowed)."""
    return _decision(
        "StartTimer",
        {
            "timerId": validate_identifier(timer_id, field="startTimer.timerId"),
            "control": _opt(_data, control, field="startTimer.control"),
            "startToFireTimeout": _timeout(
                start_to_fire_timeout, field="startTimer.startToFireTimeout", allow_none=False
            ),
        },
    )


def cancel_timer(timer_id: str) -> dict[str, Any]:
    """A CancelTimer decision for the timer started as ``timer_id``."""
    return _decision("CancelTimer", {"timerId": validate_identifier(timer_id, field="cancelTimer.timerId")})


def signal_external_workflow_execution(
    workflow_id: str,
    signal_name: str,
    *,
    run_id: str | None = None,
    input: str | None = None,  # SWF's attribute name
    control: str | None = None,
) -> dict[str, Any]:
    """A SignalExternalWorkflowExecution decision sending ``signal_name`` to ``workflow_id``."""
    prefix = "signalExternalWorkflowExecution."
    return _decision(
        "SignalExternalWorkflowExecution",
        {
            "workflowId": validate_identifier(workflow_id, field=prefix + "workflowId"),
            "runId": _opt(validate_identifier, run_id, field=prefix + "runId", max_length=64, strict=False),
            "signalName": validate_identifier(signal_name, field=prefix + "signalName", strict=False),
            "input": _opt(_data, input, field=prefix + "input"),
            "control": _opt(_data, control, field=prefix + "control"),
        },
    )


def request_cancel_external_workflow_execution(
    workflow_id: str, *, run_id: str | None = None, control: str | None = None
) -> dict[str, Any]:
    """A RequestCancelExternalWorkflowExecution decision for ``workflow_id`` (its current run by default)."""
    prefix = "requestCancelExternalWorkflowExecution."
    return _decision(
        "RequestCancelExternalWorkflowExecution",
        {
            "workflowId": validate_identifier(workflow_id, field=prefix + "workflowId"),
            "runId": _opt(validate_identifier, run_id, field=prefix + "runId", max_length=64, strict=False),
            "control": _opt(_data, control, field=prefix + "control"),
        },
    )


def start_child_workflow_execution(
    workflow_id: str,
    *,
    name: str,
    version: str,
    input: str | None = None,  # SWF's attribute name
    control: str | None = None,
    execution_start_to_close_timeout: Timeout | None = None,
    task_list: str | None = None,
    task_priority: int | str | None = None,
    task_start_to_close_timeout: Timeout | None = None,
    child_policy: str | None = None,
    tag_list: Sequence[str] | None = None,
    lambda_role: str | None = None,
) -> dict[str, Any]:
    """A StartChildWorkflowExecution decision for workflow type ``name``/``version`` as ``workflow_id``."""
    prefix = "startChildWorkflowExecution."
    return _decision(
        "StartChildWorkflowExecution",
        {
            "workflowType": {
                "name": validate_identifier(name, field=prefix + "workflowType.name"),
                "version": validate_identifier(version, field=prefix + "workflowType.version", max_length=64),
            },
            "workflowId": validate_identifier(workflow_id, field=prefix + "workflowId"),
            "control": _opt(_data, control, field=prefix + "control"),
            "input": _opt(_data, input, field=prefix + "input"),
            "executionStartToCloseTimeout": _opt(
                _timeout, execution_start_to_close_timeout, field=prefix + "executionStartToCloseTimeout"
            ),
            "taskList": _task_list(task_list, field=prefix + "taskList.name"),
            "taskPriority": _task_priority(task_priority, field=prefix + "taskPriority"),
            "taskStartToCloseTimeout": _opt(
                _timeout, task_start_to_close_timeout, field=prefix + "taskStartToCloseTimeout"
            ),
            "childPolicy": _opt(_child_policy, child_policy, field=prefix + "childPolicy"),
            "tagList": _opt(_tags, tag_list, field=prefix + "tagList"),
            "lambdaRole": _opt(_lambda_role, lambda_role, field=prefix + "lambdaRole"),
        },
    )


def schedule_lambda_function(
    lambda_id: str,
    *,
    name: str,
    input: str | None = None,  # SWF's attribute name
    control: str | None = None,
    start_to_close_timeout: Timeout | None = None,
) -> dict[str, Any]:
    """A ScheduleLambdaFunction decision invoking the Lambda function ``name`` under ``lambda_id``."""
    prefix = "scheduleLambdaFunction."
    return _decision(
        "ScheduleLambdaFunction",
        {
            "id": validate_identifier(lambda_id, field=prefix + "id"),
            "name": validate_identifier(name, field=prefix + "name", max_length=64),
            "control": _opt(_data, control, field=prefix + "control"),
            "input": _opt(_data, input, field=prefix + "input"),
            "startToCloseTimeout": _opt(
                _timeout, start_to_close_timeout, field=prefix + "startToCloseTimeout"
            ),
        },
    )


def decision_size(decision: Mapping[str, Any]) -> int:
    """The bytes ``decision`` adds to a RespondDecisionTaskCompleted body, measured as botocore encodes it.

    botocore serializes with ``json.dumps`` defaults (ASCII-escaped, ``", "`` separators), so non-ASCII text
    counts as its escapes; add 2 bytes per decision for the list separator when summing a batch.
    """
    return len(json.dumps(decision).encode("utf-8"))
