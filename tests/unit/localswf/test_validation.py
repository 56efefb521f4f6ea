from __future__ import annotations

import pytest

from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.validation import (
    MAX_REQUEST_BYTES,
    FieldRule,
    check_request_size,
    check_swf_name,
    operation_names,
    request_rule,
    validate_request,
)

ACTIVITY_TYPE = {"name": "increment", "version": "1"}


def schedule(activity_id: str, **extra):
    attributes = {"activityId": activity_id, "activityType": ACTIVITY_TYPE, **extra}
    return {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": attributes}


def fault_of(operation, params) -> SWFFault:
    with pytest.raises(SWFFault) as caught:
        validate_request(operation, params)
    return caught.value


def test_the_model_has_the_39_operations():
    assert len(operation_names()) == 39
    assert "RespondDecisionTaskCompleted" in operation_names()


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "NONE"}),
        ("PollForActivityTask", {"domain": "d", "taskList": {"name": "tl"}, "identity": "w-1"}),
        (
            "StartWorkflowExecution",
            {
                "domain": "d",
                "workflowId": "w",
                "workflowType": {"name": "wf", "version": "1"},
                "tagList": ["a", "b", "c", "d", "e"],
                "taskPriority": "-5",
                "executionStartToCloseTimeout": "3600",
                "input": "x" * 32768,
            },
        ),
        ("RespondDecisionTaskCompleted", {"taskToken": "t", "decisions": [schedule("a-1")]}),
        (
            "RespondDecisionTaskCompleted",
            {"taskToken": "t", "decisions": [{"decisionType": "CompleteWorkflowExecution"}]},
        ),
        ("ListOpenWorkflowExecutions", {"domain": "d", "startTimeFilter": {"oldestDate": 1.5e9}}),
        ("RecordActivityTaskHeartbeat", {"taskToken": "t", "details": "x" * 2048}),
        ("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1", "unknown": 1}),
        ("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1", "description": None}),
    ],
    ids=[
        "register-domain",
        "poll",
        "start-at-limits",
        "schedule-decision",
        "complete-without-attributes",
        "timestamp-filter",
        "heartbeat-at-limit",
        "unknown-member-ignored",
        "null-is-absent",
    ],
)
def test_valid_requests_pass(operation, params):
    validate_request(operation, params)


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("RegisterDomain", {"name": "d"}, "Value null at 'workflowExecutionRetentionPeriodInDays'"),
        ("RegisterDomain", {"name": "", "workflowExecutionRetentionPeriodInDays": "1"}, "length greater"),
        ("RegisterDomain", {"name": "a:b", "workflowExecutionRetentionPeriodInDays": "1"}, "':'"),
        (
            "RegisterDomain",
            {"name": "arn", "workflowExecutionRetentionPeriodInDays": "1"},
            "literal string arn",
        ),
        ("RegisterDomain", {"name": " d", "workflowExecutionRetentionPeriodInDays": "1"}, "whitespace"),
        ("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "ten"}, "whole number"),
        ("RegisterActivityType", {"domain": "d", "name": "a/b", "version": "1"}, "at 'name'"),
        ("RegisterWorkflowType", {"domain": "d", "name": "w", "version": "1|2"}, "at 'version'"),
        ("PollForActivityTask", {"domain": "d", "taskList": {"name": "t\x07"}}, "at 'taskList.name'"),
        ("PollForDecisionTask", {"domain": "d", "taskList": {"name": "t"}, "maximumPageSize": 1001}, "1000"),
        (
            "StartWorkflowExecution",
            {"domain": "d", "workflowId": "w", "workflowType": ACTIVITY_TYPE, "tagList": list("abcdef")},
            "at 'tagList' failed to satisfy constraint: Member must have length less than or equal to 5",
        ),
        (
            "StartWorkflowExecution",
            {"domain": "d", "workflowId": "w", "workflowType": ACTIVITY_TYPE, "input": "x" * 32769},
            "at 'input'",
        ),
        (
            "StartWorkflowExecution",
            {"domain": "d", "workflowId": "w", "workflowType": ACTIVITY_TYPE, "taskPriority": "high"},
            "at 'taskPriority'",
        ),
        (
            "StartWorkflowExecution",
            {"domain": "d", "workflowId": "w", "workflowType": ACTIVITY_TYPE, "childPolicy": "KILL"},
            "enum value set",
        ),
        ("RespondActivityTaskFailed", {"taskToken": "t", "reason": "r" * 257}, "at 'reason'"),
        ("RecordActivityTaskHeartbeat", {"taskToken": "t", "details": "x" * 2049}, "at 'details'"),
        (
            "RespondDecisionTaskCompleted",
            {"taskToken": "t", "decisions": [schedule("a:1")]},
            "at 'decisions.1.member.scheduleActivityTaskDecisionAttributes.activityId'",
        ),
        (
            "RespondDecisionTaskCompleted",
            {"taskToken": "t", "decisions": [schedule("a", heartbeatTimeout="soon")]},
            "heartbeatTimeout",
        ),
        (
            "RespondDecisionTaskCompleted",
            {"taskToken": "t", "decisions": [{"decisionType": "StartTimer"}]},
            "at 'decisions.1.member.startTimerDecisionAttributes'",
        ),
        (
            "RespondDecisionTaskCompleted",
            {
                "taskToken": "t",
                "decisions": [
                    {"decisionType": "StartTimer", "startTimerDecisionAttributes": {"timerId": "arn"}}
                ],
            },
            "2 validation errors detected",
        ),
        ("TagResource", {"resourceArn": "a", "tags": [{"key": ""}]}, "at 'tags.1.member.key'"),
    ],
    ids=[
        "missing-required",
        "empty-name",
        "colon-in-name",
        "literal-arn",
        "outer-whitespace",
        "retention-not-a-number",
        "slash-in-type-name",
        "bar-in-version",
        "control-char-in-task-list",
        "page-size-over-1000",
        "six-tags",
        "input-over-32768",
        "priority-not-an-int",
        "child-policy-not-in-enum",
        "reason-over-256",
        "heartbeat-details-over-2048",
        "bad-activity-id-in-decision",
        "bad-duration-in-decision",
        "decision-without-its-attributes",
        "timer-id-arn-and-missing-timeout",
        "empty-tag-key",
    ],
)
def test_constraint_violations_are_validation_exceptions(operation, params, expected):
    fault = fault_of(operation, params)
    assert fault.code == "ValidationException"
    assert fault.status == 400
    assert expected in fault.message
    assert fault.message.startswith(("1 validation error detected: ", "2 validation errors detected: "))


@pytest.mark.parametrize(
    ("operation", "params", "expected"),
    [
        ("RegisterDomain", [], "the request body must be an object"),
        (
            "RegisterDomain",
            {"name": 5, "workflowExecutionRetentionPeriodInDays": "1"},
            "'name' must be a string",
        ),
        ("PollForDecisionTask", {"domain": "d", "taskList": "tl"}, "'taskList' must be an object"),
        ("PollForDecisionTask", {"domain": "d", "taskList": {"name": "t"}, "reverseOrder": "yes"}, "boolean"),
        (
            "PollForDecisionTask",
            {"domain": "d", "taskList": {"name": "t"}, "maximumPageSize": 1.5},
            "integer",
        ),
        (
            "PollForDecisionTask",
            {"domain": "d", "taskList": {"name": "t"}, "maximumPageSize": True},
            "integer",
        ),
        ("RespondDecisionTaskCompleted", {"taskToken": "t", "decisions": {}}, "'decisions' must be an array"),
        (
            "CountOpenWorkflowExecutions",
            {"domain": "d", "startTimeFilter": {"oldestDate": "yesterday"}},
            "epoch",
        ),
    ],
    ids=[
        "body-array",
        "int-for-string",
        "string-for-object",
        "string-for-bool",
        "float-for-int",
        "bool-for-int",
        "object-for-list",
        "string-for-timestamp",
    ],
)
def test_wrong_json_types_are_serialization_exceptions(operation, params, expected):
    fault = fault_of(operation, params)
    assert fault.code == "SerializationException"
    assert expected in fault.message


def test_unknown_operation():
    fault = fault_of("LaunchRockets", {})
    assert (fault.code, fault.status) == ("UnknownOperationException", 400)
    assert "LaunchRockets" in fault.message


def test_long_values_are_shortened_in_messages():
    fault = fault_of("RespondActivityTaskCompleted", {"taskToken": "t", "result": "x" * 40000})
    assert len(fault.message) < 400
    assert "40000 long" in fault.message


def test_request_size_limit():
    check_request_size(MAX_REQUEST_BYTES)
    with pytest.raises(SWFFault) as caught:
        check_request_size(MAX_REQUEST_BYTES + 1)
    assert caught.value.code == "ValidationException"


@pytest.mark.parametrize(
    ("value", "is_valid"),
    [
        ("ok-name_1.2", True),
        ("arn", False),
        ("arnold", True),
        ("a:b", False),
        ("a\u0085b", False),
        ("é", True),
    ],
    ids=["plain", "arn", "arn-prefix", "colon", "c1-control", "unicode"],
)
def test_swf_name_rule(value, is_valid):
    assert (check_swf_name(value) is None) is is_valid


def _name_rule_paths(rule: FieldRule, path: str, found: set[str]) -> set[str]:
    if rule.is_swf_name:
        found.add(path)
    for member_name, member_rule in rule.members.items():
        _name_rule_paths(member_rule, f"{path}.{member_name}", found)
    if rule.element is not None:
        _name_rule_paths(rule.element, f"{path}[]", found)
    return found


def test_the_name_rule_is_read_from_the_model_where_swf_documents_it():
    # Pins what the documentation-driven detection finds, so a botocore upgrade that rewords the
    # documentation fails here instead of silently dropping a rule.
    found: set[str] = set()
    for operation in operation_names():
        _name_rule_paths(request_rule(operation), operation, found)
    decision = "RespondDecisionTaskCompleted.decisions[]"
    assert {
        "RegisterDomain.name",
        "RegisterActivityType.name",
        "RegisterActivityType.version",
        "RegisterWorkflowType.name",
        "RegisterWorkflowType.version",
        "StartWorkflowExecution.domain",
        "StartWorkflowExecution.workflowId",
        "StartWorkflowExecution.taskList.name",
        "PollForActivityTask.taskList.name",
        "PollForDecisionTask.taskList.name",
        f"{decision}.scheduleActivityTaskDecisionAttributes.activityId",
        f"{decision}.scheduleActivityTaskDecisionAttributes.taskList.name",
        f"{decision}.startTimerDecisionAttributes.timerId",
        f"{decision}.startChildWorkflowExecutionDecisionAttributes.workflowId",
        f"{decision}.startChildWorkflowExecutionDecisionAttributes.taskList.name",
    } <= found
