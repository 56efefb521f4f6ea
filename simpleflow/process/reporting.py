"""Delivering a finished task's answer to SWF: kept and retried until acknowledged or its token is dead.

An activity's result, or a decision task's decisions, took work that an outage must not throw away. A
:class:`Reporter` calls the respond function and, while the error is transient (the endpoint away, a
5xx, throttling past botocore's retries: see :func:`~simpleflow.swf.backoff.is_transient`), waits a
back-off and calls again, for as long as it takes. It stops when:

- SWF acknowledges the answer: :attr:`Delivery.ACKNOWLEDGED`;
- SWF no longer knows the task token (``UnknownResourceFault``: the task timed out meanwhile, or its
  execution closed): :attr:`Delivery.TOKEN_DEAD`, logged as a warning; SWF has scheduled the task
  again or has no use for it;
- SWF refuses the answer itself (a validation error): :attr:`Delivery.REFUSED`, logged as an error;
  calling again would be refused the same way.

A second SIGTERM/SIGINT (``ShutdownForced``, raised by the poller's signal handler) interrupts the
wait: a process told to stop at once stops, and the task is left to SWF's timeouts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum

from simpleflow.exceptions import SWFError, UnknownResource
from simpleflow.swf.backoff import Backoff, OutageLog, is_transient

logger = logging.getLogger(__name__)

#: Waits between attempts to report: start short (a blip) and settle at 2 s, so a result held through an
#: outage reaches SWF soon after it is back, well within the task's start-to-close timeout.
REPORT_BACKOFF = (0.2, 2.0)


class Delivery(str, Enum):
    """How a report ended."""

    ACKNOWLEDGED = "acknowledged"
    TOKEN_DEAD = "token_dead"
    REFUSED = "refused"


class Reporter:
    """Calls respond functions until each is acknowledged, dead, or refused (see the module docs)."""

    def __init__(self, *, backoff: tuple[float, float] = REPORT_BACKOFF) -> None:
        self.backoff_bounds = backoff
        # Waited on with a timeout, never set: a plain sleep that a signal handler's exception interrupts.
        self._pause = threading.Event()

    def deliver(self, respond: Callable[[], object], *, label: str) -> Delivery:
        """Call ``respond`` until it is acknowledged; ``label`` names the answer in the logs."""
        backoff = Backoff(*self.backoff_bounds)
        outage = OutageLog(logger, f"reporting {label}")
        while True:
            try:
                respond()
            except UnknownResource as error:
                outage.recovered()
                logger.warning("%s dropped: SWF no longer knows the task (%s)", label, error)
                return Delivery.TOKEN_DEAD
            except SWFError as error:
                if not is_transient(error):
                    outage.recovered()
                    logger.error("%s refused by SWF, not retried: %s", label, error)
                    return Delivery.REFUSED
                outage.failed(error)
                self._pause.wait(backoff.next_delay())
                continue
            outage.recovered()
            return Delivery.ACKNOWLEDGED
