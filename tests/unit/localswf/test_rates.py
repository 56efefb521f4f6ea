"""Creation rates: token buckets, and the decisions SWF refuses with a ``*_RATE_EXCEEDED`` cause."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow.localswf.clock import VirtualClock
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.limits import Limits
from simpleflow.localswf.rates import RATE_CAUSES, CreationRates, TokenBucket
from simpleflow.localswf.service import SWFService
from tests.unit.localswf.driver import ACTIVITY, WORKFLOW, Driver, attrs_of, decision, schedule


def test_a_bucket_holds_one_second_and_refills_with_time() -> None:
    bucket = TokenBucket(size=2, refill=2, tokens=2, updated=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [True, True, False]
    assert bucket.take(0.4) is False  # 0.8 token
    assert bucket.take(0.5) is True
    assert [bucket.take(100.0) for _ in range(3)] == [True, True, False]  # never more than a second's worth


def test_rates_are_kept_per_decision_type_and_scope() -> None:
    rates = CreationRates({"StartTimer": 1, "ScheduleActivityTask": 1})
    assert rates.refusal("StartTimer", "d", now=0) is None
    assert rates.refusal("StartTimer", "d", now=0) == "TIMER_CREATION_RATE_EXCEEDED"
    assert rates.refusal("StartTimer", "other-domain", now=0) is None
    assert rates.refusal("ScheduleActivityTask", "d", now=0) is None
    assert rates.refusal("RecordMarker", "d", now=0) is None  # no rate: never refused
    assert rates.refusal("StartTimer", "d", now=1) is None


@pytest.mark.parametrize(
    ("rates", "message"),
    [({"RecordMarker": 1.0}, "no creation rate for RecordMarker"), ({"StartTimer": 0.0}, "must be above 0")],
    ids=["not-a-creating-decision", "zero"],
)
def test_bad_rates_are_refused(rates: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CreationRates(rates)


def test_every_cause_is_one_of_swfs() -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("swf")
    for decision_type, cause in RATE_CAUSES.items():
        assert cause in model.shape_for(f"{decision_type}FailedCause").enum


def failures(swf: Driver, run_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (event["eventType"], attrs_of(event))
        for event in swf.events("wf-1", run_id)
        if event["eventType"].endswith("Failed")
    ]


def test_activities_over_their_task_lists_rate_fail_until_the_bucket_refills() -> None:
    clock = VirtualClock()
    limits = Limits(creation_rates={"ScheduleActivityTask": 2})
    service = SWFService(poll_timeout=0.5, limits=limits, clock=clock)
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        run_id = swf.start()
        swf.decide(schedule("a1"), schedule("a2"), schedule("a3"), schedule("b1", taskList={"name": "other"}))
        refused = failures(swf, run_id)
        assert [(kind, attrs["activityId"], attrs["cause"]) for kind, attrs in refused] == [
            ("ScheduleActivityTaskFailed", "a3", "ACTIVITY_CREATION_RATE_EXCEEDED")
        ]
        assert refused[0][1]["activityType"] == ACTIVITY
        clock.advance(1.0)
        swf.decide(schedule("a3"))
        assert len(failures(swf, run_id)) == 1
    service.close()


@pytest.mark.parametrize(
    ("decision_type", "first", "second", "ids"),
    [
        (
            "StartTimer",
            {"timerId": "t1", "startToFireTimeout": "60"},
            {"timerId": "t2", "startToFireTimeout": "60"},
            {"timerId": "t2"},
        ),
        (
            "SignalExternalWorkflowExecution",
            {"workflowId": "elsewhere", "signalName": "s", "control": "c1"},
            {"workflowId": "elsewhere", "signalName": "s", "control": "c2"},
            {"workflowId": "elsewhere", "control": "c2", "initiatedEventId": 0},
        ),
        (
            "StartChildWorkflowExecution",
            {"workflowId": "child-1", "workflowType": WORKFLOW},
            {"workflowId": "child-2", "workflowType": WORKFLOW},
            {"workflowId": "child-2", "initiatedEventId": 0},
        ),
    ],
    ids=["timer", "signal", "child"],
)
def test_other_decisions_fail_with_their_rate_cause(
    decision_type: str, first: dict[str, Any], second: dict[str, Any], ids: dict[str, Any]
) -> None:
    limits = Limits(creation_rates={decision_type: 1})
    service = SWFService(poll_timeout=0.5, limits=limits, clock=VirtualClock())
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        run_id = swf.start()
        swf.decide(decision(decision_type, **first), decision(decision_type, **second))
        refused = [
            (kind, attrs)
            for kind, attrs in failures(swf, run_id)
            if attrs["cause"] == RATE_CAUSES[decision_type]
        ]
        assert [kind for kind, _ in refused] == [f"{decision_type}Failed"]
        assert {key: refused[0][1].get(key) for key in ids} == ids
    service.close()


def test_continue_as_new_over_its_rate_fails_and_the_run_stays_open() -> None:
    limits = Limits(creation_rates={"ContinueAsNewWorkflowExecution": 1})
    service = SWFService(poll_timeout=0.5, limits=limits, clock=VirtualClock())
    with embedded_client(service) as client:
        swf = Driver(client).setup()
        runs = {"wf-1": swf.start("wf-1"), "wf-2": swf.start("wf-2")}
        answered = [swf.decide(decision("ContinueAsNewWorkflowExecution")) for _ in runs]
        first, second = (task["workflowExecution"] for task in answered)
        assert swf.events(first["workflowId"], first["runId"])[-1]["eventType"] == (
            "WorkflowExecutionContinuedAsNew"
        )
        refused = swf.events(second["workflowId"], second["runId"])
        failed = [event for event in refused if event["eventType"] == "ContinueAsNewWorkflowExecutionFailed"]
        assert [attrs_of(event)["cause"] for event in failed] == [
            "CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED"
        ]
        assert refused[-1]["eventType"] == "DecisionTaskScheduled"  # still open: the decider is asked again
        assert set(runs.values()) == {first["runId"], second["runId"]}
    service.close()
