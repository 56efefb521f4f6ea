"""OpenTelemetry spans: one per decision task and one per activity attempt, in the trace of their run.

Needs ``opentelemetry-api`` and ``-sdk``: ``pip install 'simpleflow[tracing]'``. Spans are made when this
process has a tracer provider:

- one the application set (``opentelemetry.trace.set_tracer_provider``: a test's in-memory exporter, an
  OTLP pipeline, ...);
- or ``SIMPLEFLOW_TRACES_FILE=PATH``: every simpleflow process (the decider, the workers, each activity
  child) appends its spans to PATH, one JSON object per line (the SDK's ``ReadableSpan.to_json``). Being
  in the environment, it reaches every process ``standalone`` or a supervisor starts.

Every span of a run is in one trace whose id is derived from the run id, under a root span context
derived from it too (:func:`run_span_context`): the decider's and the workers' processes, which share no
memory, thus put their spans in the same trace without passing anything. Spans carry the workflow id,
run id, and for activities the activity id, type and attempt, as ``simpleflow.*`` attributes.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

from simpleflow.exceptions import ConfigurationError
from simpleflow.observability.interceptors import ActivityCall, DecisionCall

__all__ = ["TRACES_FILE_ENV", "TracingObserver", "observer", "run_span_context"]

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


def _run_context(workflow_id: str, run_id: str) -> Any:
    from opentelemetry import trace

    return trace.set_span_in_context(trace.NonRecordingSpan(run_span_context(workflow_id, run_id)))


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
        provider = TracerProvider(resource=Resource.create({"service.name": "simpleflow"}))
        # Simple, not batched: an activity child ends with os._exit, and a batch would be lost with it.
        provider.add_span_processor(SimpleSpanProcessor(_FileExporter(path)))  # type: ignore[arg-type]
        trace.set_tracer_provider(provider)
        _configured_path.append(path)


def _has_provider(trace: Any) -> bool:
    provider = trace.get_tracer_provider()
    return not isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider))


class TracingObserver:
    """Opens a span around each decision task and each activity attempt (see the module docstring)."""

    @functools.cached_property
    def _tracer(self) -> Any:
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
        with self._tracer.start_as_current_span(
            f"activity {activity_type}", context=_run_context(workflow_id, run_id), attributes=attributes
        ):
            return proceed()

    def intercept_decision(self, call: DecisionCall, proceed: Callable[[], Any]) -> Any:
        attributes = {
            "simpleflow.workflow_id": call.workflow_id,
            "simpleflow.run_id": call.run_id,
            "simpleflow.workflow_type": call.workflow_type,
            "simpleflow.new_events": len(call.new_events),
        }
        with self._tracer.start_as_current_span(
            f"decision_task {call.workflow_type}",
            context=_run_context(call.workflow_id, call.run_id),
            attributes=attributes,
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
