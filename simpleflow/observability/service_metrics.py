"""The embedded service's metrics: requests per operation with latency, open executions, queue depths.

:func:`record_request` is called by the HTTP server once per answered request; :func:`watch_service`
registers a collector that reads the open executions and the pending tasks of each task list from the
service's store at each scrape (so they cost nothing between scrapes). Both do nothing unless
``localswf.start --metrics-port`` serves metrics in this process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from simpleflow.observability.metrics import families, is_enabled

__all__ = ["ServiceCollector", "record_request", "watch_service"]

logger = logging.getLogger(__name__)

_OPEN_EXECUTIONS = "SELECT domain, COUNT(*) FROM runs WHERE status = 'OPEN' GROUP BY domain"
_PENDING_ACTIVITIES = (
    "SELECT domain, task_list, COUNT(*) FROM activities WHERE state = 'scheduled' GROUP BY domain, task_list"
)
_PENDING_DECISIONS = (
    "SELECT domain, dt_task_list, COUNT(*) FROM runs WHERE dt_state = 'scheduled' "
    "GROUP BY domain, dt_task_list"
)


def record_request(operation: str, status: int, seconds: float) -> None:
    """Count one request the service answered, with the time it took (a long poll's wait included)."""
    if not is_enabled():
        return
    metrics = families()
    metrics.swf_requests.labels(operation or "-", str(status)).inc()
    metrics.swf_request_seconds.labels(operation or "-").observe(seconds)


class ServiceCollector:
    """Reads the service's gauges at scrape time (an SWFService's ``store``)."""

    def __init__(self, service: Any) -> None:
        self.service = service

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        open_executions = GaugeMetricFamily(
            "simpleflow_swf_open_executions", "Open workflow executions.", labels=["domain"]
        )
        pending = GaugeMetricFamily(
            "simpleflow_swf_pending_tasks",
            "Tasks scheduled and not yet taken, per task list.",
            labels=["domain", "task_list", "kind"],
        )
        store = self.service.store
        try:
            for domain, count in store.rows(_OPEN_EXECUTIONS):
                open_executions.add_metric([domain], count)
            for domain, task_list, count in store.rows(_PENDING_ACTIVITIES):
                pending.add_metric([domain, task_list, "activity"], count)
            for domain, task_list, count in store.rows(_PENDING_DECISIONS):
                pending.add_metric([domain, task_list or "", "decision"], count)
        except Exception:  # a closing store must not make the scrape fail: its gauges are left out
            logger.debug("service gauges unavailable", exc_info=True)
        yield open_executions
        yield pending


_collector: list[ServiceCollector] = []


def watch_service(service: Any) -> None:
    """Report ``service``'s gauges on this process's metrics endpoint (when it serves one).

    One service per process is reported: a later call reports the later service instead.
    """
    if not is_enabled() or not hasattr(service, "store"):
        return
    if _collector:
        _collector[0].service = service
        return
    from prometheus_client import REGISTRY

    _collector.append(ServiceCollector(service))
    REGISTRY.register(_collector[0])
