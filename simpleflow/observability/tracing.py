"""OpenTelemetry spans: one per decision task and one per activity attempt, in the trace of their run.

Needs ``opentelemetry-api`` and ``-sdk``: ``pip install 'simpleflow[tracing]'``. Spans are made when this
process has a tracer provider:

- one the application set (``opentelemetry.trace.set_tracer_provider``: a test's in-memory exporter, an
  OTLP pipeline, ...);
- or ``SIMPLEFLOW_TRACES_FILE=PATH``: every simpleflow process (the decider, the workers, each activity
  child) appends its spans to PATH, one JSON object per line (the SDK's ``ReadableSpan.to_json``). Being
  in the environment, it reaches every process ``standalone`` or a supervisor starts.

The trace context travels in simpleflow's own input envelope (:data:`simpleflow.payload.TRACE_KEY`): a
traced start (:func:`carry_trace`: ``workflow.start``, ``standalone``, ``start_execution``) writes the
current span's context, or that of a ``workflow.start`` span of its own, into the workflow input; the
decider parents each decision task's span on it, and copies it into every activity's input, where the
worker's activity child parents the attempt's span on it. So the starter, the decider and the workers,
which share no memory, put their spans in one trace. A run started without a trace gets one derived from
its run id (:func:`run_span_context`), the same in every process. Every span also links to that run
context, and carries the workflow id, run id (and for activities the activity id, type and attempt) as
``simpleflow.*`` attributes.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from simpleflow.exceptions import ConfigurationError
from simpleflow.observability.interceptors import ActivityCall, DecisionCall

__all__ = ["TRACES_FILE_ENV", "TracingObserver", "carry_trace", "observer", "run_span_context"]

TRACES_FILE_ENV = "SIMPLEFLOW_TRACES_FILE"
EXTRA_HINT = "pip install 'simpleflow[tracing]'"

_setup_lock = threading.Lock()
_configured_path: list[str] = []


def _opentelemetry() -> Any:
    try:
        from opentelemetry import trace
    except ImportError:
        return None
    return trace


def run_span_context(workflow_id: str, run_id: str) -> Any:
    """The (remote, sampled) span context every span of run ``run_id`` has as its parent."""
    from opentelemetry import trace

    digest = hashlib.sha256(f"{workflow_id}\x00{run_id}".encode()).digest()
    trace_id = int.from_bytes(digest[:16], "big") or 1
    span_id = int.from_bytes(digest[16:24], "big") or 1
    return trace.SpanContext(
        trace_id, span_id, is_remote=True, trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED)
    )


def _parent_and_links(
    workflow_id: str, run_id: str, carried: Mapping[str, str] | None
) -> tuple[Any, list[Any]]:
    """The context a run's span starts in (the carried one, else the run's own) and its link to the run."""
    from opentelemetry import propagate, trace

    run = run_span_context(workflow_id, run_id)
    links = [trace.Link(run, {"simpleflow.link": "run"})]
    if carried:
        context = propagate.extract(dict(carried))
        if trace.get_current_span(context).get_span_context().is_valid:
            return context, links
    return trace.set_span_in_context(trace.NonRecordingSpan(run)), links


def _carried_by(input_text: Any) -> dict[str, str] | None:
    """The trace context in an encoded input (an out-of-band one is not fetched for it: None)."""
    from simpleflow import payload

    if not isinstance(input_text, str) or not input_text.startswith("{"):
        return None
    try:
        return payload.input_trace(json.loads(input_text))
    except ValueError:
        return None


def _started_input(task: Mapping[str, Any]) -> Any:
    events = task.get("events") or ()
    if events and events[0].get("eventType") == "WorkflowExecutionStarted":
        return (events[0].get("workflowExecutionStartedEventAttributes") or {}).get("input")
    return None


def carry_trace(value: Any, *, workflow_name: str = "") -> Any:
    """A workflow's start input with the current trace context in it, when this process traces.

    With no span current, a ``workflow.start`` span is made (and ended) to be the run's parent.
    Without tracing, ``value`` itself; so is an input that carries a trace already (a repair re-runs a
    failed run's input: it stays in that trace, and its activities' inputs stay those of the failed run,
    which is how a repair recognises them).
    """
    from simpleflow import payload

    if observer() is None or payload.input_trace(value) is not None:
        return value
    from opentelemetry import propagate, trace

    carrier: dict[str, str] = {}
    if trace.get_current_span().get_span_context().is_valid:
        propagate.inject(carrier)
    else:
        with _OBSERVER.tracer.start_as_current_span(
            f"workflow.start {workflow_name}".strip(), attributes={"simpleflow.workflow_type": workflow_name}
        ):
            propagate.inject(carrier)
    return payload.with_trace(value, carrier) if carrier else value


class _FileExporter:
    """Appends each span to a file as one line of JSON; opened per export, so forked children may use it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def export(self, spans: Sequence[Any]) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        lines = "".join(span.to_json(indent=None) + "\n" for span in spans)
        # One write of the whole batch with O_APPEND: processes appending at once do not interleave lines.
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, lines.encode())
        finally:
            os.close(descriptor)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def _configure_file_exporter(path: str) -> None:
    with _setup_lock:
        if path in _configured_path:
            return
        try:
            from opentelemetry import trace
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        except ImportError:
            raise ConfigurationError(f"{TRACES_FILE_ENV} needs OpenTelemetry's SDK: {EXTRA_HINT}") from None
        resource = Resource.create({"service.name": "simpleflow", "process.pid": os.getpid()})
        provider = TracerProvider(resource=resource)
        # Simple, not batched: an activity child ends with os._exit, and a batch would be lost with it.
        provider.add_span_processor(SimpleSpanProcessor(_FileExporter(path)))  # type: ignore[arg-type]
        trace.set_tracer_provider(provider)
        _configured_path.append(path)


def _has_provider(trace: Any) -> bool:
    provider = trace.get_tracer_provider()
    return not isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider))


class TracingObserver:
    """Opens a span around each decision task and each activity attempt (see the module docstring)."""

    @property
    def tracer(self) -> Any:
        """simpleflow's tracer, from the process's tracer provider now (an application may set it late)."""
        from opentelemetry import trace

        from simpleflow import __version__

        return trace.get_tracer("simpleflow", __version__)

    def intercept_activity(self, call: ActivityCall, proceed: Callable[[], Any]) -> Any:
        context = call.context
        workflow_id, run_id = getattr(context, "workflow_id", ""), getattr(context, "run_id", "")
        activity_type = getattr(context, "activity_name", None) or call.activity.name
        attributes = {
            "simpleflow.workflow_id": workflow_id,
            "simpleflow.run_id": run_id,
            "simpleflow.activity_id": getattr(context, "activity_id", ""),
            "simpleflow.activity_type": activity_type,
            "simpleflow.attempt": int(getattr(context, "attempt", 1) or 1),
        }
        parent, links = _parent_and_links(workflow_id, run_id, _carried_by(getattr(context, "input", None)))
        with self.tracer.start_as_current_span(
            f"activity {activity_type}", context=parent, links=links, attributes=attributes
        ):
            return proceed()

    def intercept_decision(self, call: DecisionCall, proceed: Callable[[], Any]) -> Any:
        attributes = {
            "simpleflow.workflow_id": call.workflow_id,
            "simpleflow.run_id": call.run_id,
            "simpleflow.workflow_type": call.workflow_type,
            "simpleflow.new_events": len(call.new_events),
        }
        carried = _carried_by(_started_input(call.task))
        parent, links = _parent_and_links(call.workflow_id, call.run_id, carried)
        with self.tracer.start_as_current_span(
            f"decision_task {call.workflow_type}", context=parent, links=links, attributes=attributes
        ) as span:
            replay = proceed()
            span.set_attribute("simpleflow.decisions", len(getattr(replay, "decisions", ()) or ()))
            return replay


_OBSERVER = TracingObserver()


def observer() -> TracingObserver | None:
    """The tracing observer when this process has a tracer provider (see the module docstring), else None."""
    path = os.environ.get(TRACES_FILE_ENV)
    if path:
        _configure_file_exporter(path)
    trace = _opentelemetry()
    if trace is None or not _has_provider(trace):
        return None
    return _OBSERVER
