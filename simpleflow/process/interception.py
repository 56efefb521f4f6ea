"""Where the worker runs each activity through the interceptors: :mod:`simpleflow.observability.interceptors`.

This module keeps the names the process layer imports (and earlier releases documented) at their place;
the interceptor API, for activities and decision tasks, is described and implemented there.
"""

from __future__ import annotations

from simpleflow.observability.interceptors import ActivityCall, ActivityInterceptor, run_activity

__all__ = ["ActivityCall", "ActivityInterceptor", "run_activity"]
