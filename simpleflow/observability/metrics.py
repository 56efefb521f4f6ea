"""The Prometheus endpoint (``--metrics-port``) and the metric families simpleflow records.

Needs the ``prometheus-client`` package: ``pip install 'simpleflow[metrics]'``. Without it,
:func:`serve_metrics` raises a :class:`~simpleflow.exceptions.ConfigurationError` naming the extra.

``decider.start`` and ``worker.start`` run their pollers in processes of their own, so their metrics are
kept in prometheus-client's multiprocess mode: each poller writes its values to files in a private
directory (``SIMPLEFLOW_METRICS_DIR``, given to the pollers through the environment), and the supervisor
serves their sum. ``localswf.start`` is one process and serves its own registry.

The families (all prefixed ``simpleflow_``):

- ``activity_tasks_total{activity_type,state}``: state ``started``, ``completed``, ``failed``,
  ``crashed``, ``canceled``, ``lost`` (counted by the worker), ``timed_out`` (seen by the decider);
- ``activity_run_seconds{activity_type}``, ``activity_schedule_to_start_seconds{activity_type}``;
- ``decision_tasks_total{workflow_type,state}``, ``decision_task_seconds{workflow_type}``,
  ``decision_task_new_events``, ``decision_task_decisions``;
- ``poll_wait_seconds{kind,result}``: how long each long poll waited, ``result`` ``task`` or ``empty``;
- ``decider_run_cache_lookups_total{result}`` (``hit``/``miss``), ``decider_run_cache_hit_ratio``;
- ``heartbeat_failures_total``;
- the service's: ``swf_requests_total{operation,status}``, ``swf_request_seconds{operation}``,
  ``swf_open_executions{domain}``, ``swf_pending_tasks{domain,task_list,kind}``.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import threading
from typing import Any

from simpleflow.exceptions import ConfigurationError

__all__ = ["METRICS_DIR_ENV", "Families", "families", "forget_process", "is_enabled", "serve_metrics"]

METRICS_DIR_ENV = "SIMPLEFLOW_METRICS_DIR"
_MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
EXTRA_HINT = "pip install 'simpleflow[metrics]'"

_served = threading.Event()
# Seconds: from a millisecond decision to an hour-long activity.
_DURATION_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
_COUNT_BUCKETS = (0, 1, 2, 5, 10, 25, 50, 100, 250, 1000)


def _prometheus() -> Any:
    try:
        import prometheus_client
    except ImportError:
        raise ConfigurationError(
            f"--metrics-port needs the prometheus-client package: {EXTRA_HINT}"
        ) from None
    return prometheus_client


def is_enabled() -> bool:
    """Whether this process records metrics: it serves them, or a supervisor serving them started it."""
    return _served.is_set() or bool(os.environ.get(METRICS_DIR_ENV))


def serve_metrics(port: int, *, host: str = "127.0.0.1", multiprocess: bool) -> int:
    """Serve ``/metrics`` on ``host:port`` from a background thread; returns the port (``0`` picks one).

    ``multiprocess``: the values come from this process's children (see the module docstring), which
    must be started after this call, so that they inherit ``SIMPLEFLOW_METRICS_DIR``.
    """
    prometheus = _prometheus()
    directory = None
    if multiprocess:
        from prometheus_client import multiprocess as multiprocess_mode

        directory = tempfile.mkdtemp(prefix="simpleflow-metrics-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        registry = prometheus.CollectorRegistry()
        multiprocess_mode.MultiProcessCollector(registry, path=directory)
    else:
        registry = prometheus.REGISTRY
    try:
        server, _thread = prometheus.start_http_server(port, addr=host, registry=registry)
    except OSError as error:
        raise ConfigurationError(
            f"--metrics-port {port}: cannot bind {host}:{port}: {error.strerror}"
        ) from None
    if directory is not None:
        # Only once bound: the pollers started from here record into it (none record when it failed).
        os.environ[METRICS_DIR_ENV] = directory
        os.environ[_MULTIPROC_ENV] = directory
    _served.set()
    return int(server.server_port)


def forget_process(pid: int) -> None:
    """Drop the per-process gauges of poller ``pid``, which exited (its counters still count)."""
    directory = os.environ.get(METRICS_DIR_ENV)
    if not directory or not _served.is_set():
        return
    from prometheus_client import multiprocess as multiprocess_mode

    multiprocess_mode.mark_process_dead(pid, path=directory)


class Families:
    """The metric objects of this process (made once, on first use, by :func:`families`)."""

    def __init__(self, prometheus: Any) -> None:
        self._prometheus = prometheus
        counter, histogram = prometheus.Counter, prometheus.Histogram
        self.activity_tasks = counter(
            "simpleflow_activity_tasks", "Activity tasks by type and state.", ["activity_type", "state"]
        )
        self.activity_run_seconds = histogram(
            "simpleflow_activity_run_seconds",
            "Time from an activity task's start by the worker to its answer.",
            ["activity_type"],
            buckets=_DURATION_BUCKETS,
        )
        self.schedule_to_start_seconds = histogram(
            "simpleflow_activity_schedule_to_start_seconds",
            "Time an activity task waited in its task list (from the history, by the decider).",
            ["activity_type"],
            buckets=_DURATION_BUCKETS,
        )
        self.decision_tasks = counter(
            "simpleflow_decision_tasks",
            "Decision tasks by workflow type and state.",
            ["workflow_type", "state"],
        )
        self.decision_seconds = histogram(
            "simpleflow_decision_task_seconds",
            "Time the decider took to decide a decision task.",
            ["workflow_type"],
            buckets=_DURATION_BUCKETS,
        )
        self.poll_wait_seconds = histogram(
            "simpleflow_poll_wait_seconds",
            "How long a long poll waited for a task.",
            ["kind", "result"],
            buckets=_DURATION_BUCKETS,
        )
        self.run_cache_lookups = counter(
            "simpleflow_decider_run_cache_lookups", "Live-run cache lookups of the decider.", ["result"]
        )
        self.swf_requests = counter(
            "simpleflow_swf_requests", "Requests the embedded service answered.", ["operation", "status"]
        )
        self.swf_request_seconds = histogram(
            "simpleflow_swf_request_seconds",
            "Time the embedded service took to answer, polls included.",
            ["operation"],
            buckets=_DURATION_BUCKETS,
        )

    # The families without labels are made on first use: one shows (at 0) as soon as it exists, and each
    # belongs to one kind of process. Each is first used by one thread only (the decision loop, the
    # worker's loop), so no two threads make one at once.

    @functools.cached_property
    def decision_new_events(self) -> Any:
        return self._prometheus.Histogram(
            "simpleflow_decision_task_new_events",
            "New events a decision task brought.",
            buckets=_COUNT_BUCKETS,
        )

    @functools.cached_property
    def decision_decisions(self) -> Any:
        return self._prometheus.Histogram(
            "simpleflow_decision_task_decisions",
            "Decisions a decision task was answered with.",
            buckets=_COUNT_BUCKETS,
        )

    @functools.cached_property
    def heartbeat_failures(self) -> Any:
        return self._prometheus.Counter(
            "simpleflow_heartbeat_failures", "Heartbeats that SWF did not take (the activity kept running)."
        )

    @functools.cached_property
    def run_cache_hit_ratio(self) -> Any:
        return self._prometheus.Gauge(
            "simpleflow_decider_run_cache_hit_ratio",
            "Share of decision tasks decided from a kept live run, per decider process.",
            multiprocess_mode="liveall",
        )


_families: list[Families] = []
# The decider's two poll threads may record their first wait at once: the families are made once.
_families_lock = threading.RLock()


def families() -> Families:
    """This process's metric families (only called where :func:`is_enabled` is true)."""
    if not _families:
        with _families_lock:
            if not _families:
                _families.append(Families(_prometheus()))
    return _families[0]
