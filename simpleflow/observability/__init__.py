"""Observability, in one place: logging set-up for every process, metrics, tracing and interceptors.

- :mod:`~simpleflow.observability.process_logging`: :func:`configure_logging` (``LOG_LEVEL``,
  ``SIMPLEFLOW_LOG_FORMAT``), which every simpleflow process and spawned child calls at its start;
- :mod:`~simpleflow.observability.json_format`: ``--log-format json``;
- :mod:`~simpleflow.observability.redaction`: session tokens and signatures masked in every log;
- :mod:`~simpleflow.observability.interceptors`: the interceptor API around activities and decision tasks;
- :mod:`~simpleflow.observability.observers`: simpleflow's own interceptors (the INFO lines, ...);
- :mod:`~simpleflow.observability.metrics`, :mod:`~simpleflow.observability.task_metrics` and
  :mod:`~simpleflow.observability.service_metrics`: the Prometheus endpoint (``--metrics-port``);
- :mod:`~simpleflow.observability.tracing`: OpenTelemetry spans.

The optional parts import their packages only when they are switched on.
"""

from __future__ import annotations

from simpleflow.observability.interceptors import (
    ActivityCall,
    ActivityInterceptor,
    DecisionCall,
    DecisionInterceptor,
    add_interceptor,
    remove_interceptor,
    run_activity,
    run_decision,
)
from simpleflow.observability.process_logging import configure_logging
from simpleflow.observability.redaction import redact

__all__ = [
    "ActivityCall",
    "ActivityInterceptor",
    "DecisionCall",
    "DecisionInterceptor",
    "add_interceptor",
    "configure_logging",
    "redact",
    "remove_interceptor",
    "run_activity",
    "run_decision",
]
