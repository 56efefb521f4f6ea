"""Spans of a real in-process run (the ``--local`` runner: the real decider and worker code), collected with
the OpenTelemetry SDK's in-memory exporter, and the trace context in simpleflow's input envelope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from simpleflow import activity, futures, payload
from simpleflow.local import run_workflow
from simpleflow.observability.tracing import carry_trace, observer, run_span_context
from simpleflow.workflow import Workflow
from tests.fixtures.workflows import BasicWorkflow


@activity.with_attributes(name="tests.unit.observability.always_fails", retry=1)
def always_fails() -> None:
    raise RuntimeError("this attempt fails")


class RetriedWorkflow(Workflow):
    """One activity that fails on both of its attempts; returns the error's name."""

    name = "tests.unit.observability.retried"

    def run(self) -> str:
        future = self.submit(always_fails)
        futures.wait(future)
        return type(future.exception).__name__


TRACEPARENT = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """A tracer provider with an in-memory exporter, as an application would set it.

    OpenTelemetry lets a process set its global provider only once; the test puts its own in the global's
    place and takes it out afterwards, so no other test traces.
    """
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", provider)
    monkeypatch.delenv("SIMPLEFLOW_TRACES_FILE", raising=False)
    # Every decision of a live run is checked against a fresh replay: the carried trace must not differ.
    monkeypatch.setenv("SIMPLEFLOW_VERIFY_LIVE_RUNS", "1")
    yield exporter
    provider.shutdown()


def by_name(exporter: InMemorySpanExporter) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for span in exporter.get_finished_spans():
        found.setdefault(span.name.split()[0], []).append(span)
    return found


def test_a_run_is_one_trace_from_the_start_to_every_activity(spans):
    assert run_workflow(BasicWorkflow, [1, 0]) == 4
    found = by_name(spans)
    (start,) = found["workflow.start"]
    decisions, activities = found["decision_task"], found["activity"]
    assert len(decisions) >= 2
    kinds = sorted(span.attributes["simpleflow.activity_type"] for span in activities)
    assert kinds == ["fixtures.delay", "fixtures.double", "fixtures.increment"]
    trace_id = start.context.trace_id
    for span in [*decisions, *activities]:
        assert span.context.trace_id == trace_id
        assert span.parent is not None and span.parent.span_id == start.context.span_id
        run = run_span_context(
            span.attributes["simpleflow.workflow_id"], span.attributes["simpleflow.run_id"]
        )
        assert [link.context for link in span.links] == [run]
    assert {span.attributes["simpleflow.attempt"] for span in activities} == {1}
    assert sum(span.attributes["simpleflow.decisions"] for span in decisions) >= 4


def test_each_attempt_is_a_span_and_a_failed_one_is_an_error(spans):
    assert run_workflow(RetriedWorkflow) == "TaskFailed"
    activities = by_name(spans)["activity"]
    assert sorted(span.attributes["simpleflow.attempt"] for span in activities) == [1, 2]
    assert all(span.status.status_code is StatusCode.ERROR for span in activities)
    assert all("this attempt fails" in span.events[0].attributes["exception.message"] for span in activities)


def test_without_a_provider_nothing_is_traced_and_the_input_is_untouched(monkeypatch):
    monkeypatch.delenv("SIMPLEFLOW_TRACES_FILE", raising=False)
    assert observer() is None
    assert carry_trace([1, 2]) == [1, 2]


@pytest.mark.parametrize(
    ("value", "args", "kwargs"),
    [
        pytest.param([1, 2], [1, 2], {}, id="list"),
        pytest.param(None, [], {}, id="none"),
        pytest.param(7, [7], {}, id="scalar"),
        pytest.param({"a": 1}, [{"a": 1}], {}, id="plain-dict"),
        pytest.param({"args": [1], "kwargs": {"t": 2}}, [1], {"t": 2}, id="call-form"),
    ],
)
def test_the_envelope_keeps_the_arguments_and_carries_the_trace(value, args, kwargs):
    traced = payload.with_trace(value, TRACEPARENT)
    assert payload.parse_input(traced) == (args, kwargs)
    assert payload.input_trace(traced) == TRACEPARENT
    assert (
        payload.input_trace(payload.decode(payload.encode_input(args, kwargs, trace=TRACEPARENT)))
        == TRACEPARENT
    )
    assert payload.input_trace(value) is None


def test_an_input_that_carries_a_trace_keeps_it(spans):
    traced = payload.with_trace([1], TRACEPARENT)
    assert carry_trace(traced) is traced
    assert payload.input_trace(carry_trace([1])) not in (None, TRACEPARENT)
