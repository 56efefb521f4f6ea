"""Lambda tasks: callables given to the service at start, run per the AWS Lambda contract."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from simpleflow.localswf.clock import VirtualClock
from simpleflow.localswf.embedded import embedded_client
from simpleflow.localswf.service import SWFService
from tests.fixtures import lambdas
from tests.unit.localswf.driver import Driver, attrs_of, decision, types_of


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(quiet_period=0.3)


@pytest.fixture
def lambda_swf(clock: VirtualClock) -> Iterator[Driver]:
    lambdas.RELEASE.clear()
    service = SWFService(
        poll_timeout=2.0,
        clock=clock,
        lambdas={"double": lambdas.double, "explode": lambdas.explode, "wait": lambdas.wait_for_release},
    )
    with embedded_client(service) as client:
        yield Driver(client).setup()
    lambdas.RELEASE.set()
    service.close()


def run_lambda(swf: Driver, **attrs: Any) -> dict[str, Any]:
    swf.start()
    swf.decide(decision("ScheduleLambdaFunction", **attrs))
    task = swf.poll_decision()
    assert task["taskToken"], "expected the lambda's outcome to schedule a decision task"
    return task


def test_a_lambda_completes(lambda_swf: Driver) -> None:
    task = run_lambda(lambda_swf, id="l1", name="double", input="21", control="c")
    events = task["events"]
    assert types_of(events)[4:7] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionCompleted",
    ]
    scheduled, started, completed = (attrs_of(event) for event in events[4:7])
    assert scheduled["id"] == "l1"
    assert scheduled["control"] == "c"
    assert started == {"scheduledEventId": 5}
    assert completed == {"scheduledEventId": 5, "startedEventId": 6, "result": "42"}


def test_a_lambda_fails(lambda_swf: Driver) -> None:
    task = run_lambda(lambda_swf, id="l1", name="explode", input='"x"')
    failed = attrs_of(next(event for event in task["events"] if event["eventType"] == "LambdaFunctionFailed"))
    assert failed["reason"] == "ValueError"
    assert json.loads(failed["details"])["errorMessage"] == "cannot handle 'x'"


def test_an_unknown_lambda_fails_to_start(lambda_swf: Driver) -> None:
    task = run_lambda(lambda_swf, id="l1", name="ghost")
    failed = attrs_of(
        next(event for event in task["events"] if event["eventType"] == "StartLambdaFunctionFailed")
    )
    assert failed["cause"] == "ASSUME_ROLE_FAILED"


def test_a_lambda_times_out(lambda_swf: Driver, clock: VirtualClock) -> None:
    lambda_swf.start()
    lambda_swf.decide(decision("ScheduleLambdaFunction", id="l1", name="wait", startToCloseTimeout="30"))
    clock.advance(31)
    task = lambda_swf.poll_decision()
    timed_out = attrs_of(
        next(event for event in task["events"] if event["eventType"] == "LambdaFunctionTimedOut")
    )
    assert timed_out["timeoutType"] == "START_TO_CLOSE"
    lambdas.RELEASE.set()


def test_lambda_id_in_use(lambda_swf: Driver) -> None:
    lambda_swf.start()
    lambda_swf.decide(
        decision("ScheduleLambdaFunction", id="same", name="wait"),
        decision("ScheduleLambdaFunction", id="same", name="wait"),
    )
    lambdas.RELEASE.set()
    task = lambda_swf.poll_decision()
    failed = attrs_of(
        next(event for event in task["events"] if event["eventType"] == "ScheduleLambdaFunctionFailed")
    )
    assert failed["cause"] == "ID_ALREADY_IN_USE"


def test_without_lambdas_the_decision_fails(swf: Driver) -> None:
    swf.start()
    swf.decide(decision("ScheduleLambdaFunction", id="l1", name="double"))
    task = swf.poll_decision()
    failed = attrs_of(
        next(event for event in task["events"] if event["eventType"] == "ScheduleLambdaFunctionFailed")
    )
    assert failed["cause"] == "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION"
