"""Riding out an outage of the SWF endpoint: which errors are passing, how long to wait, what to log.

A poller or a reporter that meets an SWF error asks :func:`is_transient` whether calling again can
help: the endpoint away (refused, reset, timed out), a 5xx, or throttling that outlasted botocore's own
retries. Those are retried after a :class:`Backoff` delay (doubling up to a cap, with jitter so that a
fleet of workers does not come back in step). An :class:`OutageLog` tells the operator once when an
outage begins and once when it ends, instead of a warning per attempt.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from simpleflow.exceptions import EndpointUnreachable, SWFError, Throttled, UnknownResource

T = TypeVar("T")

#: Fault codes (botocore's ``Error.Code``) of a service-side failure that a later call may not meet.
TRANSIENT_CODES = frozenset(
    {
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ServiceFailure",
        "RequestTimeout",
        "RequestTimeoutException",
        "BadGateway",
        "GatewayTimeout",
    }
)


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` may pass by itself: the endpoint away, a 5xx, or throttling.

    An unknown task token, a validation error or a missing domain is not: calling again gives the
    same answer.
    """
    if isinstance(error, UnknownResource):
        return False
    if isinstance(error, EndpointUnreachable | Throttled):
        return True
    if isinstance(error, SWFError):
        # botocore names a 5xx with no parseable body by its status code.
        return error.code in TRANSIENT_CODES or (error.code.isdigit() and error.code.startswith("5"))
    return False


class Backoff:
    """Delays that double from ``initial`` up to ``cap`` seconds, each with up to ``jitter`` of it added."""

    def __init__(self, initial: float = 0.5, cap: float = 30.0, *, jitter: float = 0.2) -> None:
        if not 0 < initial <= cap:
            raise ValueError(f"backoff needs 0 < initial <= cap, not {initial} and {cap}")
        self.initial = initial
        self.cap = cap
        self.jitter = jitter
        self._next = initial

    def next_delay(self) -> float:
        """The delay before the next attempt; each call doubles the following one."""
        delay = self._next
        self._next = min(self._next * 2, self.cap)
        return delay + delay * self.jitter * random.random()

    def reset(self) -> None:
        """Start again from ``initial`` (after a success)."""
        self._next = self.initial


class OutageLog:
    """Logs the first failure of an outage and its end, and nothing for the attempts in between."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger = logger
        self.what = what
        self._since: float | None = None
        self.failures = 0

    @property
    def is_in_outage(self) -> bool:
        """Whether the last attempt failed."""
        return self._since is not None

    def failed(self, error: BaseException) -> None:
        """One failed attempt; the first of an outage is logged as a warning."""
        self.failures += 1
        if self._since is None:
            self._since = time.monotonic()
            self.logger.warning("%s failed, retrying with back-off until it works: %s", self.what, error)
        else:
            self.logger.debug("%s failed again (%d attempts): %s", self.what, self.failures, error)

    def recovered(self) -> None:
        """A successful attempt; ends (and logs the end of) an outage in progress."""
        if self._since is not None:
            # At the outage's own level: whoever saw it begin (children log at WARNING) sees it end.
            self.logger.warning(
                "%s works again after %.1f s and %d failed attempt(s)",
                self.what,
                time.monotonic() - self._since,
                self.failures,
            )
        self._since = None
        self.failures = 0


def call_through_outage(
    call: Callable[[], T],
    *,
    what: str,
    logger: logging.Logger,
    wait: Callable[[float], bool],
    bounds: tuple[float, float] = (0.5, 5.0),
) -> T:
    """``call()``, called again after a back-off for as long as it fails with a transient error.

    ``wait(seconds)`` pauses between attempts and returns True to give up (a stop was requested): the
    last error is raised then. Any other error is raised at once.
    """
    backoff = Backoff(*bounds)
    outage = OutageLog(logger, what)
    while True:
        try:
            value = call()
        except SWFError as error:
            if not is_transient(error):
                raise
            outage.failed(error)
            if wait(backoff.next_delay()):
                raise
            continue
        outage.recovered()
        return value
