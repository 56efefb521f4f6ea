"""SWF's creation rates: the decisions it refuses with a ``*_RATE_EXCEEDED`` cause when made too fast.

Amazon SWF publishes token buckets for five creating decisions, per account and Region (its "Decision
quotas": ``ScheduleActivityTask`` 1,000 tokens refilled at 200 a second, ``StartTimer`` 2,000/200,
``StartChildWorkflowExecution`` 500/12, ``SignalExternalWorkflowExecution`` and
``RequestCancelExternalWorkflowExecution`` 1,200/120), and a rate of 2,000 scheduled activity tasks a
second per task list; :mod:`simpleflow.localswf.quotas` holds the figures and their source. It publishes
none for ``ScheduleLambdaFunction`` and ``ContinueAsNewWorkflowExecution``, though their causes exist.

A decision is let through only when every bucket that applies to it has a token, and then spends one of
each:

- the account's bucket of its type, from the service's quota profile (:attr:`Limits.quotas
  <simpleflow.localswf.limits.Limits.quotas>`; off by default, for local speed);
- the bucket of its type and scope from :attr:`Limits.creation_rates
  <simpleflow.localswf.limits.Limits.creation_rates>` (the task list for activities, the domain for the
  rest), which holds one second's worth of its rate (at least one token). Only the per-task-list
  activity rate is on by default; a test sets the others to see their refusals.

Buckets refill continuously on the service's clock, so a virtual clock that jumps refills them too. They
live in memory: a restarted service starts with full buckets, as a throttle is not state anybody can
observe later.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from simpleflow.localswf.quotas import BucketQuota

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
#: The scope key of a bucket shared by the whole service (one account in one Region).
ACCOUNT_SCOPE = ""


@dataclass
class TokenBucket:
    """At most ``size`` tokens, ``refill`` more a second; not thread-safe (its owner holds a lock)."""

    size: float
    refill: float
    tokens: float
    updated: float

    @classmethod
    def full(cls, quota: BucketQuota, now: float) -> TokenBucket:
        """A bucket of ``quota``'s figures, full at ``now`` (as SWF's are before any call)."""
        return cls(quota.size, quota.refill, quota.size, now)

    def level(self, now: float) -> float:
        """The tokens in the bucket at ``now``, after refilling for the time since the last look."""
        if now > self.updated:
            self.tokens = min(self.size, self.tokens + (now - self.updated) * self.refill)
            self.updated = now
        return self.tokens

    def take(self, now: float) -> bool:
        """Spend one token if there is one at ``now``."""
        if self.level(now) < 1:
            return False
        self.tokens -= 1
        return True

    def is_full(self, now: float) -> bool:
        """Whether the bucket is back to its size, so forgetting it changes nothing."""
        return self.level(now) >= self.size


class CreationRates:
    """The decision buckets of one service, per decision type and scope; thread-safe.

    ``rates``: decisions a second per type and scope (:attr:`Limits.creation_rates`); ``account``: the
    profile's buckets shared by the whole service (:attr:`QuotaProfile.decisions`).
    """

    def __init__(
        self, rates: Mapping[str, float], *, account: Mapping[str, BucketQuota] | None = None
    ) -> None:
        account = dict(account or {})
        unknown = (set(rates) | set(account)) - set(RATE_CAUSES)
        if unknown:
            raise ValueError(
                f"no creation rate for {', '.join(sorted(unknown))}; known: {', '.join(RATE_CAUSES)}"
            )
        for decision_type, rate in rates.items():
            if rate <= 0:
                raise ValueError(f"the rate of {decision_type} must be above 0, not {rate}")
        self.rates = dict(rates)
        # A rate under one a second still lets one decision through when its token has grown back.
        self._scoped = {name: BucketQuota(max(rate, 1.0), rate) for name, rate in rates.items()}
        self.account = account
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, decision_type: str, scope: str, quota: BucketQuota, now: float) -> TokenBucket:
        bucket = self._buckets.get((decision_type, scope))
        if bucket is None:
            bucket = self._buckets[(decision_type, scope)] = TokenBucket.full(quota, now)
        return bucket

    def refusal(self, decision_type: str, scope: str, *, now: float) -> str | None:
        """The ``*_RATE_EXCEEDED`` cause when ``decision_type`` may not be made now in ``scope``, else None.

        A decision let through spends a token of each bucket that applies; a refused one spends none.
        """
        scoped_quota = self._scoped.get(decision_type)
        account_quota = self.account.get(decision_type)
        if scoped_quota is None and account_quota is None:
            return None
        with self._lock:
            buckets = []
            if account_quota is not None:
                buckets.append(self._bucket(decision_type, ACCOUNT_SCOPE, account_quota, now))
            if scoped_quota is not None:
                buckets.append(self._bucket(decision_type, scope, scoped_quota, now))
            if any(bucket.level(now) < 1 for bucket in buckets):
                return RATE_CAUSES[decision_type]
            for bucket in buckets:
                bucket.tokens -= 1
        return None
