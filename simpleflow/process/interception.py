"""The one point where code can run around each activity's execution, in every kind of worker.

A worker (a process worker's activity child, a ``--local`` thread) decodes the task, binds the activity
context, then calls :func:`run_activity` with the :class:`ActivityCall` and its interceptors. Each
interceptor gets the call and a ``proceed`` callable that runs the rest of the chain (the next
interceptors, then the activity) and returns its result. An interceptor may look at the call, do
something before and after, change or replace the result, or raise: whatever escapes the chain fails
the task like an error of the activity itself.

Upstream simpleflow's ``--middleware-pre-execution`` / ``--middleware-post-execution`` functions are one
interceptor, :class:`~simpleflow.process.middleware.MiddlewareInterceptor`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from simpleflow.activity import Activity

__all__ = ["ActivityCall", "ActivityInterceptor", "run_activity"]


@dataclass(frozen=True)
class ActivityCall:
    """One execution of an activity: the activity, its decoded arguments and its bound context."""

    activity: Activity
    args: Sequence[Any]
    kwargs: Mapping[str, Any]
    context: Any


class ActivityInterceptor(Protocol):
    """Runs around an activity's execution; ``proceed()`` runs the rest and returns the result."""

    def intercept_activity(self, call: ActivityCall, proceed: Callable[[], Any]) -> Any:
        """Return the activity's result (usually ``proceed()``'s), or raise to fail the task."""
        ...


def run_activity(call: ActivityCall, interceptors: Sequence[ActivityInterceptor] = ()) -> Any:
    """Execute ``call.activity`` through ``interceptors``, the first one outermost; return the result."""

    def proceed_from(index: int) -> Any:
        if index == len(interceptors):
            return call.activity.run(call.args, call.kwargs)
        return interceptors[index].intercept_activity(call, lambda: proceed_from(index + 1))

    return proceed_from(0)
