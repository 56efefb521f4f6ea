"""Generated request sequences get the same answers from the direct client as from botocore (twins.py).

A sequence is a list of turns: a decider's (poll, then answer with random decisions), a worker's (poll, then
complete, fail, cancel or heartbeat), or one operator call (signal, cancel, terminate, describe, list, count,
history pages, a fault or bad input). Each side fills in its own tokens and run ids.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conformance.twins import (
    ACTIVITIES,
    DECISIONS,
    DOMAIN,
    FAULTS,
    INVALID,
    LONG,
    TEXT,
    WORKFLOW,
    Side,
    assert_alike,
    register,
    schedule,
    start,
    twin_sides,
)

pytestmark = [pytest.mark.conformance]


INDEX = st.integers(min_value=0, max_value=5)
SCHEDULE = st.builds(lambda i, text: schedule(f"a-{i}", input=text), INDEX, TEXT)
DECISION = st.one_of(
    SCHEDULE,
    SCHEDULE,
    SCHEDULE,
    st.builds(lambda i: schedule(f"u-{i}", activityType={"name": "unknown", "version": "1"}), INDEX),
    st.builds(
        lambda i: {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {"timerId": f"t-{i}", "startToFireTimeout": LONG},
        },
        INDEX,
    ),
    st.builds(
        lambda i: {"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": f"t-{i}"}},
        INDEX,
    ),
    st.builds(
        lambda i: {
            "decisionType": "RequestCancelActivityTask",
            "requestCancelActivityTaskDecisionAttributes": {"activityId": f"a-{i}"},
        },
        INDEX,
    ),
    st.builds(
        lambda name, text: {
            "decisionType": "RecordMarker",
            "recordMarkerDecisionAttributes": {"markerName": name, "details": text},
        },
        st.sampled_from(["m", "n"]),
        TEXT,
    ),
    st.builds(
        lambda text: {
            "decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": text},
        },
        TEXT,
    ),
    st.builds(
        lambda text: {
            "decisionType": "FailWorkflowExecution",
            "failWorkflowExecutionDecisionAttributes": {"reason": text, "details": text},
        },
        TEXT,
    ),
    st.just({"decisionType": "CancelWorkflowExecution", "cancelWorkflowExecutionDecisionAttributes": {}}),
    st.builds(
        lambda text: {
            "decisionType": "ContinueAsNewWorkflowExecution",
            "continueAsNewWorkflowExecutionDecisionAttributes": {"input": text},
        },
        TEXT,
    ),
    st.builds(
        lambda i: {
            "decisionType": "StartChildWorkflowExecution",
            "startChildWorkflowExecutionDecisionAttributes": {
                "workflowId": f"child-{i}",
                "workflowType": WORKFLOW,
            },
        },
        INDEX,
    ),
    st.builds(
        lambda i: {
            "decisionType": "SignalExternalWorkflowExecution",
            "signalExternalWorkflowExecutionDecisionAttributes": {"workflowId": f"wf-{i}", "signalName": "s"},
        },
        INDEX,
    ),
    st.builds(
        lambda i: {
            "decisionType": "RequestCancelExternalWorkflowExecution",
            "requestCancelExternalWorkflowExecutionDecisionAttributes": {"workflowId": f"wf-{i}"},
        },
        INDEX,
    ),
)


def pick(items: list[Any], index: int, default: Any) -> Any:
    return items[index % len(items)] if items else default


def run_of(side: Side, index: int) -> dict[str, str]:
    return pick(side.runs, index, {"workflowId": "wf-none", "runId": "none"})


STEP = st.one_of(
    st.builds(
        lambda i, text, tags: (
            "start_workflow_execution",
            lambda side: start(f"wf-{i}", input=text, tagList=tags),
        ),
        INDEX,
        TEXT,
        st.lists(st.sampled_from(["a", "b"]), max_size=2),
    ),
    st.builds(
        lambda size: (
            "poll_for_decision_task",
            lambda side: {"domain": DOMAIN, "taskList": {"name": DECISIONS}, "maximumPageSize": size},
        ),
        st.integers(min_value=1, max_value=4),
    ),
    st.builds(
        lambda i: (
            "poll_for_decision_task",
            lambda side: {
                "domain": DOMAIN,
                "taskList": {"name": DECISIONS},
                "nextPageToken": pick(side.page_tokens, i, "forged"),
            },
        ),
        INDEX,
    ),
    st.builds(
        lambda i, decisions, context: (
            "respond_decision_task_completed",
            lambda side: {
                "taskToken": pick(side.decision_tokens, i, "forged"),
                "decisions": decisions,
                "executionContext": context,
            },
        ),
        INDEX,
        st.lists(DECISION, max_size=4),
        TEXT,
    ),
    st.just(("poll_for_activity_task", lambda side: {"domain": DOMAIN, "taskList": {"name": ACTIVITIES}})),
    st.builds(
        lambda method, i, text: (
            method,
            lambda side: {"taskToken": pick(side.activity_tokens, i, "forged"), **text},
        ),
        st.sampled_from(
            [
                "respond_activity_task_completed",
                "respond_activity_task_failed",
                "respond_activity_task_canceled",
                "record_activity_task_heartbeat",
            ]
        ),
        INDEX,
        st.fixed_dictionaries({}, optional={"details": TEXT}),
    ),
    st.builds(
        lambda i, text: (
            "signal_workflow_execution",
            lambda side: {"domain": DOMAIN, "workflowId": f"wf-{i}", "signalName": "s", "input": text},
        ),
        INDEX,
        TEXT,
    ),
    st.builds(
        lambda method, i: (
            method,
            lambda side: {"domain": DOMAIN, "workflowId": run_of(side, i)["workflowId"]},
        ),
        st.sampled_from(["request_cancel_workflow_execution", "terminate_workflow_execution"]),
        INDEX,
    ),
    st.builds(
        lambda method, i: (method, lambda side: {"domain": DOMAIN, "execution": run_of(side, i)}),
        st.sampled_from(["describe_workflow_execution", "get_workflow_execution_history"]),
        INDEX,
    ),
    st.builds(
        lambda i, size, reverse: (
            "get_workflow_execution_history",
            lambda side: {
                "domain": DOMAIN,
                "execution": run_of(side, i),
                "maximumPageSize": size,
                "reverseOrder": reverse,
            },
        ),
        INDEX,
        st.integers(min_value=1, max_value=5),
        st.booleans(),
    ),
    st.builds(
        lambda method, filters, reverse: (
            method,
            lambda side: {"domain": DOMAIN, "startTimeFilter": {"oldestDate": 0}, **filters, **reverse},
        ),
        st.sampled_from(["list_open_workflow_executions", "list_closed_workflow_executions"]),
        st.sampled_from(
            [
                {},
                {"tagFilter": {"tag": "a"}},
                {"typeFilter": WORKFLOW},
                {"executionFilter": {"workflowId": "wf-1"}},
            ]
        ),
        st.sampled_from([{}, {"reverseOrder": True}, {"maximumPageSize": 2}]),
    ),
    st.builds(
        lambda method: (method, lambda side: {"domain": DOMAIN, "startTimeFilter": {"oldestDate": 0}}),
        st.sampled_from(["count_open_workflow_executions", "count_closed_workflow_executions"]),
    ),
    st.builds(
        lambda method, task_list: (method, lambda side: {"domain": DOMAIN, "taskList": {"name": task_list}}),
        st.sampled_from(["count_pending_decision_tasks", "count_pending_activity_tasks"]),
        st.sampled_from([DECISIONS, ACTIVITIES]),
    ),
    st.builds(lambda call: (call[0], lambda side: dict(call[1])), st.sampled_from(FAULTS + INVALID)),
)


# A decider's turn and a worker's turn, so that generated runs get far: poll, then answer the task just taken.
DECIDER_TURN = st.builds(
    lambda size, decisions, context: [
        (
            "poll_for_decision_task",
            lambda side: {"domain": DOMAIN, "taskList": {"name": DECISIONS}, "maximumPageSize": size},
        ),
        (
            "respond_decision_task_completed",
            lambda side: {
                "taskToken": pick(side.decision_tokens, -1, "forged"),
                "decisions": decisions,
                "executionContext": context,
            },
        ),
    ],
    st.sampled_from([3, 100]),
    st.lists(DECISION, max_size=4),
    TEXT,
)
WORKER_TURN = st.builds(
    lambda method, details: [
        ("poll_for_activity_task", lambda side: {"domain": DOMAIN, "taskList": {"name": ACTIVITIES}}),
        (method, lambda side: {"taskToken": pick(side.activity_tokens, -1, "forged"), **details}),
    ],
    st.sampled_from(
        [
            "respond_activity_task_completed",
            "respond_activity_task_completed",
            "respond_activity_task_failed",
            "respond_activity_task_canceled",
            "record_activity_task_heartbeat",
        ]
    ),
    st.fixed_dictionaries({}, optional={"details": TEXT}),
)
TURNS = st.one_of(DECIDER_TURN, WORKER_TURN, STEP.map(lambda step: [step]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turns=st.lists(TURNS, min_size=1, max_size=20))
def test_generated_sequences_answer_as_botocore_does(turns):
    with twin_sides() as sides:
        register(sides)
        for index, tags in enumerate((["a"], ["a", "b"])):
            assert_alike(sides, "start_workflow_execution", start(f"wf-{index}", tagList=tags))
        # A first decision schedules work, so that the workers' turns have tasks to take from the start.
        opening = [("poll_for_decision_task", {"domain": DOMAIN, "taskList": {"name": DECISIONS}})]
        decisions = [schedule(f"a-{index}", input=str(index)) for index in range(3)]
        opening.append(
            (
                "respond_decision_task_completed",
                lambda side: {"taskToken": side.decision_tokens[-1], "decisions": decisions},
            )
        )
        for turn in [opening, *turns]:
            for method, params in turn:
                assert_alike(sides, method, params)
