"""Retry policies: how many attempts a task gets, how long the decider waits between them, what not to retry.

A :class:`RetryPolicy` is a pure value the decider reads when an attempt failed or timed out; no I/O here.
The decider waits with a durable SWF timer, never a sleep in a worker.

**Attempt budgets.** ``maximum_attempts`` bounds the attempts that end in a failure or in a timeout type
``timeout_attempts`` does not list. A timeout type it lists (``"HEARTBEAT"``, ``"START_TO_CLOSE"``,
``"SCHEDULE_TO_START"``, ``"SCHEDULE_TO_CLOSE"``) has a budget of its own: attempts ending in that
timeout count against it only. ``timeout_attempts={"HEARTBEAT": 10}`` lets a long activity whose worker
dies mid-way be resumed ten times while its own errors still stop after ``maximum_attempts``.

**Delays.** The n-th retry waits ``initial_interval * backoff_coefficient ** (n - 1)`` seconds, at most
``maximum_interval``, rounded up to whole seconds (SWF timers count whole seconds). ``jitter=0.2`` spreads
it up to 20 % either way, with a pseudo-random draw seeded from the run id, the task id and the attempt:
replaying the same history always gives the same delay.

**Non-retryable failures.** SWF carries a failure as a reason string (``"ValueError: bad input"`` as
simpleflow writes it) and JSON details (``{"error": "mymodule.BadInput", ...}``). An entry of
``non_retryable`` (a string, or an exception class standing for its name) matches a failure when:

- it equals the reason, or the reason starts with the entry followed by ``":"`` (the exception type
  name simpleflow puts first); or
- it equals the details' ``error`` (the exception's qualified name ``module.QualName``), or that name
  ends with ``"." + entry``.

Matching is by name, never by class hierarchy: a worker's exception classes need not be importable in
the decider. Timeouts are never matched by ``non_retryable``; give their type a budget of 0 instead.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import KW_ONLY, dataclass, field
from types import MappingProxyType
from typing import Any

from simpleflow.exceptions import ConfigurationError

__all__ = ["TIMEOUT_TYPES", "RetryPolicy", "RetryVerdict", "policy_from_retry"]

#: SWF's activity timeout types (``ActivityTaskTimedOut.timeoutType``); child workflows time out with
#: ``START_TO_CLOSE``.
TIMEOUT_TYPES = frozenset({"START_TO_CLOSE", "SCHEDULE_TO_START", "SCHEDULE_TO_CLOSE", "HEARTBEAT"})


def _names(entries: Iterable[Any]) -> tuple[str, ...]:
    names = []
    for entry in entries:
        if isinstance(entry, type) and issubclass(entry, BaseException):
            names.append(entry.__name__)
        elif isinstance(entry, str) and entry:
            names.append(entry)
        else:
            raise ConfigurationError(
                f"RetryPolicy: non_retryable takes exception classes or non-empty names, not {entry!r}"
            )
    return tuple(names)


@dataclass(frozen=True)
class RetryVerdict:
    """What the decider does with a failed or timed-out attempt: retry after ``delay`` seconds, or not."""

    retry: bool
    delay: int = 0
    #: Why there is no retry (a budget spent, a non-retryable failure); empty when retrying.
    reason: str = ""


@dataclass(frozen=True)
class RetryPolicy:
    """How a failed or timed-out task is attempted again (see :mod:`simpleflow.retry_policy`).

    ``RetryPolicy(5, 2.0, backoff_coefficient=2.0, maximum_interval=60)`` gives five attempts, waiting
    2, 4, 8, 16 s. Raises :class:`~simpleflow.exceptions.ConfigurationError` for invalid figures.
    """

    #: Attempts that may end in a failure (or an unlisted timeout type); 1 means no retry.
    maximum_attempts: int
    #: Seconds before the first retry.
    initial_interval: float = 0
    _: KW_ONLY
    backoff_coefficient: float = 2.0
    #: The longest wait in seconds (``None``: no bound but SWF's own timer limit).
    maximum_interval: float | None = None
    #: Failures never retried, as names (classes given are kept by name; see the module's docstring).
    non_retryable: tuple[str, ...] = ()
    #: A separate attempt budget per timeout type, e.g. ``{"HEARTBEAT": 10}``.
    timeout_attempts: Mapping[str, int] = field(default_factory=dict)
    #: Fraction of the delay drawn at random either way (0 to 1), deterministic under replay.
    jitter: float = 0.0

    def __post_init__(self) -> None:
        def number(value: Any) -> bool:
            return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)

        attempts, initial = self.maximum_attempts, self.initial_interval
        if not isinstance(attempts, int) or isinstance(attempts, bool) or attempts < 1:
            raise ConfigurationError(
                f"RetryPolicy: maximum_attempts must be an integer of at least 1, not {attempts!r}"
            )
        if not number(initial) or initial < 0:
            raise ConfigurationError(
                f"RetryPolicy: initial_interval must be seconds (0 or more), not {initial!r}"
            )
        if not number(self.backoff_coefficient) or self.backoff_coefficient < 1:
            raise ConfigurationError(
                "RetryPolicy: backoff_coefficient must be a number of at least 1, "
                f"not {self.backoff_coefficient!r}"
            )
        maximum = self.maximum_interval
        if maximum is not None and (not number(maximum) or maximum < initial):
            raise ConfigurationError(
                f"RetryPolicy: maximum_interval must be seconds, at least initial_interval ({initial}), "
                f"not {maximum!r}"
            )
        entries = self.non_retryable
        if isinstance(entries, str | type):
            entries = (entries,)
        budgets = dict(self.timeout_attempts or {})
        for timeout_type, budget in budgets.items():
            if timeout_type not in TIMEOUT_TYPES:
                raise ConfigurationError(
                    f"RetryPolicy: timeout_attempts key {timeout_type!r} is not a timeout type; "
                    f"use one of {', '.join(sorted(TIMEOUT_TYPES))}"
                )
            if not isinstance(budget, int) or isinstance(budget, bool) or budget < 0:
                raise ConfigurationError(
                    f"RetryPolicy: timeout_attempts[{timeout_type!r}] must be an integer of 0 or more, "
                    f"not {budget!r}"
                )
        if not number(self.jitter) or not 0 <= self.jitter <= 1:
            raise ConfigurationError(
                f"RetryPolicy: jitter must be a fraction from 0 to 1, not {self.jitter!r}"
            )
        # Frozen: normalized once here, so equal policies compare (and hash) equal.
        object.__setattr__(self, "non_retryable", _names(entries))
        object.__setattr__(self, "timeout_attempts", MappingProxyType(budgets))

    def __hash__(self) -> int:
        budgets = tuple(sorted(self.timeout_attempts.items()))
        return hash((self.maximum_attempts, self.initial_interval, self.non_retryable, budgets, self.jitter))

    def delay(self, retry_number: int, *, seed: str = "") -> int:
        """Whole seconds to wait before the ``retry_number``-th retry (1 for the first one).

        ``seed`` (the run id, task id and attempt) makes the jitter's draw the same at every replay.
        """
        wait = self.initial_interval * self.backoff_coefficient ** max(retry_number - 1, 0)
        if self.maximum_interval is not None:
            wait = min(wait, self.maximum_interval)
        if self.jitter and wait > 0:
            digest = hashlib.sha256(f"{seed}|{retry_number}".encode()).digest()
            draw = random.Random(int.from_bytes(digest[:8], "big")).uniform(-1.0, 1.0)
            wait *= 1 + self.jitter * draw
        return max(math.ceil(wait - 1e-9), 0)

    def is_non_retryable(self, reason: str | None, details: Any) -> bool:
        """Whether a failure with this SWF ``reason`` and decoded ``details`` matches ``non_retryable``."""
        error = details.get("error") if isinstance(details, dict) else None
        for entry in self.non_retryable:
            if reason is not None and (reason == entry or reason.startswith(entry + ":")):
                return True
            if isinstance(error, str) and (error == entry or error.endswith("." + entry)):
                return True
        return False

    def verdict(
        self,
        outcomes: Iterable[tuple[str, str | None]],
        *,
        reason: str | None = None,
        details: Any = None,
        seed: str = "",
    ) -> RetryVerdict:
        """Whether to retry after the last of ``outcomes``, and after how long.

        ``outcomes`` are the closed attempts so far, in order, each ``("FAILED", None)`` or
        ``("TIMED_OUT", timeout_type)``; ``reason`` and ``details`` are the last one's, when it failed.
        """
        closed = list(outcomes)
        if not closed:
            raise ValueError("RetryPolicy.verdict needs the outcome of at least one attempt")
        state, timeout_type = closed[-1]
        if state == "FAILED" and self.is_non_retryable(reason, details):
            return RetryVerdict(False, reason=f"non-retryable failure {reason!r}")
        if state == "TIMED_OUT" and timeout_type is not None and timeout_type in self.timeout_attempts:
            used = sum(1 for outcome in closed if outcome == ("TIMED_OUT", timeout_type))
            budget, label = self.timeout_attempts[timeout_type], f"{timeout_type} timeout"
        else:
            used = sum(1 for s, t in closed if s == "FAILED" or t not in self.timeout_attempts)
            budget, label = self.maximum_attempts, "attempt"
        if used >= budget:
            return RetryVerdict(False, reason=f"{used} of {budget} {label} budget spent")
        return RetryVerdict(True, delay=self.delay(len(closed), seed=seed))


def policy_from_retry(retry: int, retry_delay: int = 0) -> RetryPolicy:
    """The policy ``retry=N`` stands for: ``N + 1`` attempts, ``retry_delay`` seconds between each."""
    return RetryPolicy(retry + 1, retry_delay, backoff_coefficient=1.0)
