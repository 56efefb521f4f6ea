"""The 13 decision builders: botocore's shape, SWF's limits, and clear errors when they are broken."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from simpleflow import decisions
from simpleflow.exceptions import InvalidDecision, PayloadTooLarge

SWF_MODEL = botocore.session.get_session().get_service_model("swf")
RESPOND_INPUT = SWF_MODEL.operation_model("RespondDecisionTaskCompleted").input_shape


def assert_botocore_accepts(decision: dict[str, Any]) -> None:
    report = ParamValidator().validate({"taskToken": "token", "decisions": [decision]}, RESPOND_INPUT)
    assert not report.has_errors(), report.generate_report()


FULL = {
    "ScheduleActivityTask": lambda: decisions.schedule_activity_task(
        "activity-examples.basic.increment-1",
        name="examples.basic.increment",
        version="1.0",
        input='{"args":[1],"kwargs":{}}',
        control='{"attempt":1}',
        task_list="quickstart",
        task_priority=-5,
        schedule_to_close_timeout="NONE",
        schedule_to_start_timeout=3600,
        start_to_close_timeout=datetime.timedelta(minutes=5),
        heartbeat_timeout=60,
    ),
    "RequestCancelActivityTask": lambda: decisions.request_cancel_activity_task("activity-a-1"),
    "CompleteWorkflowExecution": lambda: decisions.complete_workflow_execution(result="4"),
    "FailWorkflowExecution": lambda: decisions.fail_workflow_execution(reason="ValueError: x", details="{}"),
    "CancelWorkflowExecution": lambda: decisions.cancel_workflow_execution(details='"bye"'),
    "ContinueAsNewWorkflowExecution": lambda: decisions.continue_as_new_workflow_execution(
        input="[2]",
        execution_start_to_close_timeout=86400,
        task_list="deciders",
        task_priority="3",
        task_start_to_close_timeout=300,
        child_policy="TERMINATE",
        tag_list=["a", "b"],
        workflow_type_version="2.0",
        lambda_role="arn:aws:iam::123456789012:role/swf-lambda",
    ),
    "RecordMarker": lambda: decisions.record_marker("side-effect-1", details="42"),
    "StartTimer": lambda: decisions.start_timer("timer-1", start_to_fire_timeout=0, control='"retry"'),
    "CancelTimer": lambda: decisions.cancel_timer("timer-1"),
    "SignalExternalWorkflowExecution": lambda: decisions.signal_external_workflow_execution(
        "parent-wf",
        "done",
        run_id="22QFVi362TnCh6BdoFgkQFlocunh24zEOemo1L12Yl5Go=",
        input="[1]",
        control="{}",
    ),
    "RequestCancelExternalWorkflowExecution": lambda: decisions.request_cancel_external_workflow_execution(
        "child-wf", run_id="run", control="{}"
    ),
    "StartChildWorkflowExecution": lambda: decisions.start_child_workflow_execution(
        "parent-wf--child-1",
        name="basic",
        version="example",
        input="[1]",
        control="{}",
        execution_start_to_close_timeout=3600,
        task_list="deciders",
        task_priority=0,
        task_start_to_close_timeout="NONE",
        child_policy="ABANDON",
        tag_list=["t"] * 5,
        lambda_role="arn:aws:iam::123456789012:role/r",
    ),
    "ScheduleLambdaFunction": lambda: decisions.schedule_lambda_function(
        "lambda-hello-1", name="hello", input='{"x":1}', control="{}", start_to_close_timeout=30
    ),
}


@pytest.mark.parametrize("decision_type", decisions.DECISION_TYPES, ids=decisions.DECISION_TYPES)
def test_every_decision_type_in_botocore_shape(decision_type: str) -> None:
    decision = FULL[decision_type]()
    assert decision["decisionType"] == decision_type
    assert_botocore_accepts(decision)
    assert set(decision) == {
        "decisionType",
        decision_type[0].lower() + decision_type[1:] + "DecisionAttributes",
    }


def test_schedule_activity_task_exact_dict() -> None:
    assert FULL["ScheduleActivityTask"]() == {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": {"name": "examples.basic.increment", "version": "1.0"},
            "activityId": "activity-examples.basic.increment-1",
            "control": '{"attempt":1}',
            "input": '{"args":[1],"kwargs":{}}',
            "scheduleToCloseTimeout": "NONE",
            "taskList": {"name": "quickstart"},
            "taskPriority": "-5",
            "scheduleToStartTimeout": "3600",
            "startToCloseTimeout": "300",
            "heartbeatTimeout": "60",
        },
    }


def test_optional_attributes_are_left_out() -> None:
    assert decisions.schedule_activity_task("a-1", name="n", version="1") == {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": {"name": "n", "version": "1"},
            "activityId": "a-1",
        },
    }
    assert decisions.complete_workflow_execution() == {
        "decisionType": "CompleteWorkflowExecution",
        "completeWorkflowExecutionDecisionAttributes": {},
    }


@pytest.mark.parametrize(
    ("build", "field", "problem"),
    [
        pytest.param(lambda: decisions.cancel_timer(""), "cancelTimer.timerId", "1 to 256", id="empty-id"),
        pytest.param(
            lambda: decisions.cancel_timer("t" * 257), "cancelTimer.timerId", "not 257", id="long-id"
        ),
        pytest.param(lambda: decisions.cancel_timer("a:b"), "cancelTimer.timerId", "':'", id="colon"),
        pytest.param(lambda: decisions.cancel_timer("a/b"), "cancelTimer.timerId", "'/'", id="slash"),
        pytest.param(lambda: decisions.cancel_timer("a|b"), "cancelTimer.timerId", "'|'", id="bar"),
        pytest.param(lambda: decisions.cancel_timer("a\nb"), "cancelTimer.timerId", "'\\\\n'", id="control"),
        pytest.param(
            lambda: decisions.cancel_timer("a\x85b"), "cancelTimer.timerId", "contain", id="c1-control"
        ),
        pytest.param(lambda: decisions.cancel_timer("arn"), "cancelTimer.timerId", "'arn'", id="literal-arn"),
        pytest.param(
            lambda: decisions.cancel_timer(" t"), "cancelTimer.timerId", "whitespace", id="leading-space"
        ),
        pytest.param(lambda: decisions.cancel_timer(7), "cancelTimer.timerId", "string", id="not-a-string"),  # type: ignore[arg-type]
        pytest.param(
            lambda: decisions.schedule_activity_task("a", name="n", version="v" * 65),
            "scheduleActivityTask.activityType.version",
            "1 to 64",
            id="long-version",
        ),
        pytest.param(
            lambda: decisions.schedule_activity_task("a", name="n", version="1", task_list="q/x"),
            "scheduleActivityTask.taskList.name",
            "'/'",
            id="bad-task-list",
        ),
        pytest.param(
            lambda: decisions.schedule_lambda_function("l", name="f" * 65),
            "scheduleLambdaFunction.name",
            "1 to 64",
            id="long-lambda-name",
        ),
        pytest.param(
            lambda: decisions.start_child_workflow_execution("w", name="n", version="1", tag_list=["t"] * 6),
            "startChildWorkflowExecution.tagList",
            "6 tags; SWF allows at most 5",
            id="six-tags",
        ),
        pytest.param(
            lambda: decisions.continue_as_new_workflow_execution(tag_list=["x" * 257]),
            "continueAsNewWorkflowExecution.tagList",
            "at most 256",
            id="long-tag",
        ),
        pytest.param(
            lambda: decisions.continue_as_new_workflow_execution(tag_list="abc"),  # type: ignore[arg-type]
            "continueAsNewWorkflowExecution.tagList",
            "list of strings",
            id="tags-as-string",
        ),
        pytest.param(
            lambda: decisions.continue_as_new_workflow_execution(child_policy="KILL"),
            "continueAsNewWorkflowExecution.childPolicy",
            "TERMINATE, REQUEST_CANCEL, ABANDON",
            id="bad-child-policy",
        ),
        pytest.param(
            lambda: decisions.start_timer("t", start_to_fire_timeout="NONE"),
            "startTimer.startToFireTimeout",
            "'NONE' is not allowed",
            id="timer-none",
        ),
        pytest.param(
            lambda: decisions.start_timer("t", start_to_fire_timeout=-1),
            "startTimer.startToFireTimeout",
            "0 to 99999999",
            id="negative-timeout",
        ),
        pytest.param(
            lambda: decisions.start_timer("t", start_to_fire_timeout=10**8),
            "startTimer.startToFireTimeout",
            "0 to 99999999",
            id="timeout-over-8-digits",
        ),
        pytest.param(
            lambda: decisions.start_timer("t", start_to_fire_timeout=1.5),  # type: ignore[arg-type]
            "startTimer.startToFireTimeout",
            "whole seconds",
            id="float-timeout",
        ),
        pytest.param(
            lambda: decisions.start_timer("t", start_to_fire_timeout=datetime.timedelta(seconds=0.5)),
            "startTimer.startToFireTimeout",
            "whole seconds",
            id="fractional-timedelta",
        ),
        pytest.param(
            lambda: decisions.schedule_activity_task("a", name="n", version="1", task_priority=2**31),
            "scheduleActivityTask.taskPriority",
            "32-bit",
            id="priority-overflow",
        ),
        pytest.param(
            lambda: decisions.schedule_activity_task("a", name="n", version="1", task_priority="high"),
            "scheduleActivityTask.taskPriority",
            "integer",
            id="priority-not-a-number",
        ),
        pytest.param(
            lambda: decisions.complete_workflow_execution(result={"a": 1}),  # type: ignore[arg-type]
            "completeWorkflowExecution.result",
            "encoded text",
            id="unencoded-result",
        ),
        pytest.param(
            lambda: decisions.continue_as_new_workflow_execution(lambda_role=""),
            "continueAsNewWorkflowExecution.lambdaRole",
            "1 to 1600",
            id="empty-lambda-role",
        ),
    ],
)
def test_rule_breaks_raise_invalid_decision(build: Callable[[], Any], field: str, problem: str) -> None:
    with pytest.raises(InvalidDecision, match=problem) as caught:
        build()
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(field)


@pytest.mark.parametrize(
    ("build", "field", "limit"),
    [
        pytest.param(
            lambda text: decisions.schedule_activity_task("a", name="n", version="1", input=text),
            "scheduleActivityTask.input",
            32768,
            id="activity-input",
        ),
        pytest.param(
            lambda text: decisions.complete_workflow_execution(result=text),
            "completeWorkflowExecution.result",
            32768,
            id="result",
        ),
        pytest.param(
            lambda text: decisions.fail_workflow_execution(reason=text),
            "failWorkflowExecution.reason",
            256,
            id="reason-over-256",
        ),
        pytest.param(
            lambda text: decisions.record_marker("m", details=text),
            "recordMarker.details",
            32768,
            id="marker-details",
        ),
        pytest.param(
            lambda text: decisions.signal_external_workflow_execution("w", "s", input=text),
            "signalExternalWorkflowExecution.input",
            32768,
            id="signal-input",
        ),
        pytest.param(
            lambda text: decisions.start_timer("t", start_to_fire_timeout=1, control=text),
            "startTimer.control",
            32768,
            id="timer-control",
        ),
    ],
)
def test_data_fields_at_and_over_their_limit(build: Callable[[str], Any], field: str, limit: int) -> None:
    build("x" * limit)
    with pytest.raises(PayloadTooLarge) as caught:
        build("x" * (limit + 1))
    assert (caught.value.field, caught.value.size, caught.value.limit) == (field, limit + 1, limit)


def test_markers_and_signals_allow_free_form_names() -> None:
    assert_botocore_accepts(decisions.record_marker("side effect: a/b"))
    assert_botocore_accepts(decisions.signal_external_workflow_execution("w", "signal/with:colon"))


def test_decision_size_is_what_botocore_sends() -> None:
    decision = decisions.complete_workflow_execution(result='"é"')
    # botocore escapes non-ASCII: "é" travels as \u00e9, six bytes.
    assert decision_size_of_body(decision) == decisions.decision_size(decision)


def decision_size_of_body(decision: dict[str, Any]) -> int:
    client_body_with = botocore_body([decision])
    client_body_without = botocore_body([])
    return len(client_body_with) - len(client_body_without)


def botocore_body(batch: list[dict[str, Any]]) -> bytes:
    from botocore.serialize import create_serializer

    serializer = create_serializer("json")
    request = serializer.serialize_to_request(
        {"taskToken": "t", "decisions": batch}, SWF_MODEL.operation_model("RespondDecisionTaskCompleted")
    )
    body = request["body"]
    return body if isinstance(body, bytes) else body.encode()


def test_limits_constants() -> None:
    assert decisions.MAX_DECISIONS_PER_RESPONSE == 100
    assert decisions.MAX_REQUEST_BYTES == 1_048_576


def test_identifier_characters_refused_are_exactly_swfs():
    """``:``, ``/``, ``|`` and the control characters U+0000-U+001F and U+007F-U+009F, nothing else."""
    from simpleflow.decisions import validate_identifier

    for code in range(0x3000):
        char = chr(code)
        refused = char in ":/|" or code <= 0x1F or 0x7F <= code <= 0x9F
        value = f"a{char}b"
        if refused:
            with pytest.raises(InvalidDecision, match=f"must not contain {re.escape(repr(char))}"):
                validate_identifier(value, field="activityId")
        else:
            assert validate_identifier(value, field="activityId") == value


def test_identifier_names_each_refused_character_once_in_order():
    from simpleflow.decisions import validate_identifier

    with pytest.raises(InvalidDecision, match=r"must not contain '\\x01', '/', ':', '\|'$"):
        validate_identifier("a|b:c/d|\x01", field="activityId")
