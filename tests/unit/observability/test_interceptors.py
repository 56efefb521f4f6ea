"""The interceptor chains around activities and decision tasks, and the INFO lines simpleflow's own give."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pytest

from simpleflow import activity
from simpleflow.activity import ActivityContext
from simpleflow.exceptions import ConfigurationError
from simpleflow.observability import interceptors
from simpleflow.observability.interceptors import (
    ActivityCall,
    DecisionCall,
    add_interceptor,
    remove_interceptor,
    run_activity,
    run_decision,
)

order: list[str] = []


@activity.with_attributes(name="tests.unit.observability.triple")
def triple(x: int) -> int:
    order.append("activity")
    return x * 3


@activity.with_attributes(name="tests.unit.observability.explode")
def explode() -> None:
    raise ValueError("exploded")


class Recording:
    """Records where it runs in both chains; made without arguments from SIMPLEFLOW_INTERCEPTORS."""

    def __init__(self, tag: str = "env") -> None:
        self.tag = tag

    def intercept_activity(self, call: ActivityCall, proceed: Any) -> Any:
        order.append(f"{self.tag}:before")
        result = proceed()
        order.append(f"{self.tag}:after")
        return result

    def intercept_decision(self, call: DecisionCall, proceed: Any) -> Any:
        order.append(f"{self.tag}:decision")
        return proceed()


class NotAnInterceptor:
    pass


@dataclass
class Replay:
    decisions: list[dict[str, Any]]


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    order.clear()
    monkeypatch.delenv(interceptors.INTERCEPTORS_ENV, raising=False)


def context(attempt: int = 1) -> ActivityContext:
    return ActivityContext(
        workflow_id="wf-1",
        run_id="run-1",
        activity_id="act-1",
        domain="d",
        task_list="tl",
        attempt=attempt,
        activity_name="tests.unit.observability.triple",
    )


def decision_task(previous_started: int, last_event: int) -> dict[str, Any]:
    events = [{"eventId": n, "eventType": "Marker"} for n in range(1, last_event + 1)]
    return {
        "workflowExecution": {"workflowId": "wf-1", "runId": "run-1"},
        "workflowType": {"name": "flow"},
        "previousStartedEventId": previous_started,
        "events": events,
    }


def test_the_chain_is_registered_then_environment_then_given(monkeypatch):
    registered = Recording("registered")
    monkeypatch.setenv(interceptors.INTERCEPTORS_ENV, f"{__name__}.Recording")
    add_interceptor(registered)
    try:
        result = run_activity(ActivityCall(triple, [2], {}, context()), [Recording("given")])
    finally:
        remove_interceptor(registered)
    assert result == 6
    assert order == [
        "registered:before",
        "env:before",
        "given:before",
        "activity",
        "given:after",
        "env:after",
        "registered:after",
    ]


def test_activity_start_and_end_are_logged_at_info_with_ids_attempt_and_duration(caplog):
    caplog.set_level(logging.INFO, logger="simpleflow.activity")
    run_activity(ActivityCall(triple, [1], {}, context(attempt=3)))
    started, completed = [r for r in caplog.records if r.name == "simpleflow.activity"]
    for record in (started, completed):
        assert record.levelno == logging.INFO
        assert (record.workflow_id, record.run_id, record.activity_id, record.attempt) == (
            "wf-1",
            "run-1",
            "act-1",
            3,
        )
    assert started.event == "activity_started"
    assert completed.event == "activity_completed"
    assert completed.duration_ms >= 0
    assert "attempt 3" in completed.getMessage()


def test_a_failing_activity_is_logged_as_failed_and_still_raises(caplog):
    caplog.set_level(logging.INFO, logger="simpleflow.activity")
    with pytest.raises(ValueError, match="exploded"):
        run_activity(ActivityCall(explode, [], {}, context()))
    failed = caplog.records[-1]
    assert failed.event == "activity_failed"
    assert "ValueError: exploded" in failed.getMessage()


def test_a_decision_task_is_logged_with_new_events_and_decisions(caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="simpleflow.decision")
    monkeypatch.setenv(interceptors.INTERCEPTORS_ENV, f"{__name__}.Recording")
    call = DecisionCall(decision_task(previous_started=3, last_event=7), "flow")
    replay = run_decision(call, lambda: Replay([{"decisionType": "A"}, {"decisionType": "B"}]))
    assert len(replay.decisions) == 2
    assert order == ["env:decision"]
    record = caplog.records[-1]
    assert (record.new_events, record.decisions, record.workflow_type) == (4, 2, "flow")
    assert "4 new event(s), 2 decision(s)" in record.getMessage()


def test_a_first_decision_task_brings_every_event():
    call = DecisionCall(decision_task(previous_started=0, last_event=3), "flow")
    assert [event["eventId"] for event in call.new_events] == [1, 2, 3]
    assert (call.workflow_id, call.run_id) == ("wf-1", "run-1")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        pytest.param("nowhere.Thing", "no module named 'nowhere'", id="missing-module"),
        pytest.param(f"{__name__}.Missing", "has no attribute 'Missing'", id="missing-attribute"),
        pytest.param(f"{__name__}.NotAnInterceptor", "neither intercept_activity", id="not-an-interceptor"),
    ],
)
def test_a_bad_environment_interceptor_is_one_clear_error(monkeypatch, spec, message):
    monkeypatch.setenv(interceptors.INTERCEPTORS_ENV, spec)
    with pytest.raises(ConfigurationError, match=message):
        run_activity(ActivityCall(triple, [1], {}, context()))
    assert order == []


class Unrenderable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no message")


@activity.with_attributes(name="tests.unit.observability.unrenderable")
def raise_unrenderable() -> None:
    raise Unrenderable()


def test_an_exception_that_cannot_be_rendered_is_logged_and_still_the_one_raised(caplog):
    caplog.set_level(logging.INFO, logger="simpleflow.activity")
    with pytest.raises(Unrenderable):
        run_activity(ActivityCall(raise_unrenderable, [], {}, context()))
    assert "Unrenderable: <the exception's message could not be rendered>" in caplog.records[-1].getMessage()
