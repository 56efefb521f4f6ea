"""SWF's creation rates: the decisions it refuses with a ``*_RATE_EXCEEDED`` cause when made too fast.

Amazon SWF documents "2,000 scheduled tasks per second per task list" (``ACTIVITY_CREATION_RATE_EXCEEDED``)
and token-bucket quotas on the other creating decisions, whose sizes it does not publish. The service
keeps one token bucket per decision type and scope (the task list for activities, the domain for the
rest): a bucket holds one second's worth of its rate and refills continuously, on the service's clock,
so a virtual clock that jumps refills it too. :class:`~simpleflow.localswf.limits.Limits` sets the rates;
only the activity rate SWF documents is on by default, the others when a test or a user asks.

The buckets live in memory: a restarted service starts with full buckets, as a throttle is not state
anybody can observe later.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

#: The cause each creating decision fails with when its rate is exceeded (from botocore's SWF model).
RATE_CAUSES = {
    "ScheduleActivityTask": "ACTIVITY_CREATION_RATE_EXCEEDED",
    "StartTimer": "TIMER_CREATION_RATE_EXCEEDED",
    "StartChildWorkflowExecution": "CHILD_CREATION_RATE_EXCEEDED",
    "SignalExternalWorkflowExecution": "SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
    "RequestCancelExternalWorkflowExecution": "REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
    "ScheduleLambdaFunction": "LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED",
    "ContinueAsNewWorkflowExecution": "CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED",
}


@dataclass
class TokenBucket:
    """``rate`` tokens a second, at most ``rate`` (one second's worth) kept; full when made."""

    rate: float
    tokens: float
    updated: float

    def take(self, now: float) -> bool:
        """Spend one token if there is one at ``now``."""
        if now > self.updated:
            self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class CreationRates:
    """The token buckets of one service, per decision type and scope; thread-safe."""

    def __init__(self, rates: Mapping[str, float]) -> None:
        unknown = set(rates) - set(RATE_CAUSES)
        if unknown:
            raise ValueError(
                f"no creation rate for {', '.join(sorted(unknown))}; known: {', '.join(RATE_CAUSES)}"
            )
        for decision_type, rate in rates.items():
            if rate <= 0:
                raise ValueError(f"the rate of {decision_type} must be above 0, not {rate}")
        self.rates = dict(rates)
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def refusal(self, decision_type: str, scope: str, *, now: float) -> str | None:
        """The ``*_RATE_EXCEEDED`` cause when ``decision_type`` may not be made now in ``scope``, else None.

        A decision let through spends a token of its bucket.
        """
        rate = self.rates.get(decision_type)
        if rate is None:
            return None
        with self._lock:
            bucket = self._buckets.get((decision_type, scope))
            if bucket is None:
                bucket = self._buckets[(decision_type, scope)] = TokenBucket(rate, rate, now)
            if bucket.take(now):
                return None
        return RATE_CAUSES[decision_type]
