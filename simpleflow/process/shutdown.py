"""Graceful shutdown of a poller process.

The first SIGTERM (or SIGINT) asks the poller to stop: it takes no new task, and the task in hand
runs to its end. A poll that is waiting idle is abandoned at once, so a stop does not wait out SWF's
60 s long poll. The price, documented: a task SWF hands out in the instant of the abandon is not
seen, and comes back after its start-to-close timeout. A second signal stops at once: the task in
hand is killed and left to SWF's timeouts.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

logger = logging.getLogger(__name__)


class ShutdownRequested(BaseException):
    """Abandons an idle long poll when a stop is requested.

    A ``BaseException`` so that botocore's retry logic and user ``except Exception`` let it through.
    """


class ShutdownForced(BaseException):
    """Stops a poller at once (second signal): the task in hand is killed."""


class Shutdown:
    """The stop state of one poller; signals or :meth:`request` (from any thread) set it."""

    def __init__(self) -> None:
        self._requested = threading.Event()
        self._interruptible = False
        self.forced = False

    @property
    def is_requested(self) -> bool:
        """Whether a stop was asked for."""
        return self._requested.is_set()

    def request(self) -> None:
        """Ask the poller to stop after the task in hand (thread-safe, no interruption)."""
        self._requested.set()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a stop request; True when one came."""
        return self._requested.wait(timeout)

    def install_signal_handlers(self) -> None:
        """Handle SIGTERM and SIGINT in this (main) thread."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._requested.is_set():
            self.forced = True
            raise ShutdownForced(signal.Signals(signum).name)
        self._requested.set()
        logger.info(
            "%s: stop requested; finishing the task in hand (send it again to stop at once)",
            signal.Signals(signum).name,
        )
        if self._interruptible:
            raise ShutdownRequested(signal.Signals(signum).name)

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        """A block (an idle poll) that a stop request may abandon with ``ShutdownRequested``."""
        if self._requested.is_set():
            raise ShutdownRequested("stop requested")
        self._interruptible = True
        try:
            yield
        finally:
            self._interruptible = False
