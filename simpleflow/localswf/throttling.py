"""API throttling: SWF's per-account and per-execution token buckets, answered with ``ThrottlingException``.

A call over a bucket of the service's :class:`~simpleflow.localswf.quotas.QuotaProfile` is refused before
it does anything, as Amazon SWF refuses it: HTTP 400, body
``{"__type": "com.amazon.coral.availability#ThrottlingException", "message": "Rate exceeded"}``. That is
the document Amazon SWF users have recorded from it; its ``__type`` is not in SWF's own namespace
(``com.amazonaws.swf.base.model#...``, the other faults'), and botocore's SWF model has no shape for it:
botocore keeps the part after ``#``. botocore
reads the code ``ThrottlingException``, which its ``standard``, ``adaptive`` and ``legacy`` retry modes all
treat as throttling, so a client retries it with back-off as it would against AWS.

The account bucket of an operation is checked first, then (for the four operations SWF throttles per
workflow execution) the bucket of the execution the request names; a call refused by one bucket spends
no token of a later one. A request naming an execution the service does not know is not throttled per
execution: its handler answers ``UnknownResourceFault``.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.quotas import QuotaProfile, execution_member
from simpleflow.localswf.rates import TokenBucket
from simpleflow.localswf.store import Store

THROTTLING_CODE = "ThrottlingException"
THROTTLING_TYPE = "com.amazon.coral.availability#ThrottlingException"
THROTTLING_MESSAGE = "Rate exceeded"
# Per-execution buckets are forgotten once full again (a full bucket is what a new one is), swept after
# this many new ones, so a long-lived service does not keep one per run it ever saw.
_SWEEP_EVERY = 1024


class ThrottlingFault(SWFFault):
    """Raised when a call exceeds one of SWF's API buckets; SWF's throttling document, not a model fault."""

    def __init__(self, operation: str) -> None:
        super().__init__(THROTTLING_CODE, THROTTLING_MESSAGE)
        self.operation = operation

    def to_body(self) -> dict[str, str]:
        """The error document Amazon SWF sends for a throttled call."""
        return {"__type": THROTTLING_TYPE, "message": self.message}


class APIThrottle:
    """The API buckets of one service; thread-safe. ``refused`` counts throttled calls per operation."""

    def __init__(self, profile: QuotaProfile) -> None:
        self.profile = profile
        self.refused: Counter[str] = Counter()
        self._account: dict[str, TokenBucket] = {}
        self._executions: dict[tuple[str, int], TokenBucket] = {}
        self._new_since_sweep = 0
        self._lock = threading.Lock()

    def admit(self, operation: str, *, now: float) -> None:
        """Spend a token of the account's bucket for ``operation``, or raise :class:`ThrottlingFault`."""
        quota = self.profile.api.get(operation)
        if quota is None:
            return
        with self._lock:
            bucket = self._account.get(operation)
            if bucket is None:
                bucket = self._account[operation] = TokenBucket.full(quota, now)
            if not bucket.take(now):
                self.refused[operation] += 1
                raise ThrottlingFault(operation)

    def admit_execution(self, operation: str, params: dict[str, Any], store: Store, *, now: float) -> None:
        """Spend a token of the bucket of the execution ``params`` names, or raise :class:`ThrottlingFault`.

        Reads the store: the caller holds the service's lock.
        """
        quota = self.profile.api_per_execution.get(operation)
        if quota is None:
            return
        run_seq = named_run(store, operation, params)
        if run_seq is None:
            return
        key = (operation, run_seq)
        with self._lock:
            bucket = self._executions.get(key)
            if bucket is None:
                bucket = self._executions[key] = TokenBucket.full(quota, now)
                self._new_since_sweep += 1
            admitted = bucket.take(now)
            if self._new_since_sweep >= _SWEEP_EVERY:
                self._sweep(now)
            if not admitted:
                self.refused[operation] += 1
                raise ThrottlingFault(operation)

    def _sweep(self, now: float) -> None:
        self._new_since_sweep = 0
        for key in [key for key, bucket in self._executions.items() if bucket.is_full(now)]:
            del self._executions[key]

    def execution_buckets(self) -> int:
        """How many per-execution buckets are kept (for tests of the sweep)."""
        with self._lock:
            return len(self._executions)


def named_run(store: Store, operation: str, params: dict[str, Any]) -> int | None:
    """The sequence number of the run a per-execution request names, or None when there is none."""
    member = execution_member(operation)
    if member == "taskToken":
        seq = store.scalar("SELECT run_seq FROM activities WHERE token = ?", (params.get("taskToken"),))
        return None if seq is None else int(seq)
    execution = params.get("execution") if member == "execution" else params
    if not isinstance(execution, dict):
        return None
    domain, workflow_id, run_id = params.get("domain"), execution.get("workflowId"), execution.get("runId")
    if run_id:
        seq = store.scalar(
            "SELECT seq FROM runs WHERE run_id = ? AND domain = ? AND workflow_id = ?",
            (run_id, domain, workflow_id),
        )
    else:  # SWF's rule for a request without a run id: the open run of the workflow id
        seq = store.scalar(
            "SELECT seq FROM runs WHERE domain = ? AND workflow_id = ? AND status = 'OPEN'",
            (domain, workflow_id),
        )
    return None if seq is None else int(seq)
