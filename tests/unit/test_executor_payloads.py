"""Executor: every field over SWF's limits travels out of band and comes back decoded (issue 6).

Drives the executor over a HistoryBuilder with an in-memory store; what the history holds for a big field
is a reference (checked), and what the workflow sees is the value (never a reference).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from simpleflow import payload
from simpleflow.exceptions import PayloadDigestMismatch
from simpleflow.executor import Executor
from simpleflow.storage import MemoryStore
from simpleflow.testing import HistoryBuilder, Raw
from tests.fixtures.payload_workflows import BIG, EchoWorkflow, FieldsWorkflow
from tests.unit.executor_driver import attributes

ECHO = "activity-payloads.echo-1"


class StoreRun:
    """One execution replayed with a payload store; ``step()`` records the decisions as SWF would."""

    def __init__(self, workflow: type, *, input: Any = None, store: MemoryStore | None = None) -> None:
        self.workflow = workflow
        self.store = store if store is not None else MemoryStore("executor-payloads")
        self.builder = HistoryBuilder(workflow, input=input)

    def replay(self, *, store: Any = "same") -> list[dict[str, Any]]:
        chosen = self.store if store == "same" else store
        return Executor(self.workflow, payload_store=chosen).replay(self.builder.decision_task()).decisions

    def step(self) -> list[dict[str, Any]]:
        decisions = self.replay()
        self.builder.record_decisions(decisions)
        return decisions

    def reference(self, value: Any) -> Raw:
        """The reference SWF would carry for an over-limit JSON value."""
        return Raw(self.store.put(payload.encode(value).encode("utf-8")))

    def value(self, text: str) -> Any:
        assert payload.is_reference(text), text[:80]
        return payload.decode(text, store=self.store)


def only(decisions: list[dict[str, Any]], decision_type: str) -> dict[str, Any]:
    found = [d for d in decisions if d["decisionType"] == decision_type]
    assert len(found) == 1, decisions
    return attributes(found[0])


def test_over_limit_activity_input_goes_by_reference_and_replays_deterministically() -> None:
    run = StoreRun(EchoWorkflow, input=[BIG])
    scheduled = only(run.step(), "ScheduleActivityTask")
    assert run.value(scheduled["input"]) == {"args": [BIG], "kwargs": {}}
    # Replays compare the call, not the text: the reference names the store, another URL is the same call.
    assert run.replay() == []
    other = MemoryStore("another-url")
    other.put(payload.encode({"args": [BIG], "kwargs": {}}).encode("utf-8"))
    assert run.replay(store=other) == []


@pytest.mark.parametrize(
    ("close", "expected"),
    [
        ("completed", BIG),
        ("failed", {"error": "TaskFailed", "reason": "boom", "details": {"big": BIG}}),
        ("timed-out", {"error": "TaskTimedOut", "reason": None, "details": {"big": BIG}}),
    ],
    ids=["result", "failure-details", "timeout-details"],
)
def test_over_limit_activity_outcomes_are_fetched_for_the_workflow(close: str, expected: Any) -> None:
    run = StoreRun(EchoWorkflow, input=["small"])
    run.step()
    if close == "completed":
        run.builder.activity_completed(ECHO, result=run.reference(BIG))
    elif close == "failed":
        run.builder.activity_failed(ECHO, reason="boom", details=run.reference({"big": BIG}))
    else:
        run.builder.activity_timed_out(ECHO, timeout_type="HEARTBEAT")
        event = run.builder.events[-1]["activityTaskTimedOutEventAttributes"]
        event["details"] = str(run.reference({"big": BIG}))
    result = only(run.step(), "CompleteWorkflowExecution")["result"]
    assert run.value(result) == expected  # the workflow saw values; its own big result went out of band too


def test_over_limit_workflow_input_is_fetched() -> None:
    store = MemoryStore("executor-payloads-input")
    reference = store.put(payload.encode([BIG]).encode("utf-8"))
    run = StoreRun(EchoWorkflow, input=Raw(reference), store=store)
    assert run.value(only(run.step(), "ScheduleActivityTask")["input"]) == {"args": [BIG], "kwargs": {}}


@pytest.mark.parametrize(
    ("kind", "decision_type", "key", "expected"),
    [
        ("signal", "SignalExternalWorkflowExecution", "input", {"args": [BIG], "kwargs": {}}),
        ("marker", "RecordMarker", "details", BIG),
        ("child", "StartChildWorkflowExecution", "input", {"args": [BIG], "kwargs": {}}),
        ("result", "CompleteWorkflowExecution", "result", BIG),
        ("fail", "FailWorkflowExecution", "details", {"why": BIG}),
    ],
    ids=["signal-input", "marker-details", "child-input", "workflow-result", "fail-details"],
)
def test_over_limit_fields_the_executor_sends_go_by_reference(
    kind: str, decision_type: str, key: str, expected: Any
) -> None:
    run = StoreRun(FieldsWorkflow, input=[kind])
    sent = only(run.replay(), decision_type)
    assert len(sent[key]) < 300
    assert run.value(sent[key]) == expected


@pytest.mark.parametrize("with_store", [True, False], ids=["store-keeps-it-whole", "no-store-truncates"])
def test_a_reason_over_256_characters(with_store: bool) -> None:
    run = StoreRun(FieldsWorkflow, input=["fail"])
    executor = Executor(FieldsWorkflow, payload_store=run.store if with_store else None)
    if not with_store:  # the details are over the limit too: without a store the failure says so
        failed = only(executor.replay(run.builder.decision_task()).decisions, "FailWorkflowExecution")
        assert (
            failed["reason"].startswith("PayloadTooLarge") and "SIMPLEFLOW_PAYLOAD_STORE" in failed["details"]
        )
        return
    failed = only(executor.replay(run.builder.decision_task()).decisions, "FailWorkflowExecution")
    assert len(failed["reason"]) <= 256
    assert payload.decode_failure(failed["reason"], None, store=run.store)[0] == "r" * 300


def test_a_failure_reason_over_256_characters_from_another_client_is_decoded() -> None:
    run = StoreRun(EchoWorkflow, input=["small"])
    run.step()
    long_reason = "why " * 100
    run.builder.activity_failed(ECHO, reason=Raw(run.store.put(long_reason.encode("utf-8"))))
    result = json.loads(only(run.replay(), "CompleteWorkflowExecution")["result"])
    assert result["reason"] == long_reason


@pytest.mark.parametrize(
    ("kind", "add"),
    [
        (
            "read-signal",
            lambda run: run.builder.signaled("big", input=run.reference({"args": [BIG], "kwargs": {}})),
        ),
        ("read-markers", lambda run: run.builder.marker_recorded("big", details=run.reference(BIG))),
    ],
    ids=["signal-input", "marker-details"],
)
def test_over_limit_fields_in_the_history_are_read_back(kind: str, add: Any) -> None:
    run = StoreRun(FieldsWorkflow, input=[kind])
    add(run)
    result = only(run.replay(), "CompleteWorkflowExecution")["result"]
    expected = {"args": [BIG], "kwargs": {}} if kind == "read-signal" else [BIG]
    assert run.value(result) == expected


def test_a_payload_whose_digest_does_not_match_is_a_clear_error() -> None:
    run = StoreRun(EchoWorkflow, input=["small"])
    run.step()
    reference = run.reference(BIG)
    digest = payload.PayloadReference.parse(reference).digest
    data, modified = run.store.objects[digest]
    run.store.objects[digest] = (data.replace(b"x", b"y", 1), modified)
    run.builder.activity_completed(ECHO, result=reference)
    with pytest.raises(PayloadDigestMismatch, match=digest):
        run.replay()
