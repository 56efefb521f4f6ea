"""Clocks for the embedded SWF service: the wall clock, and a virtual clock that can skip idle time."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """What the service asks of a clock: the current time, in epoch seconds."""

    def now(self) -> float:
        """Current time in epoch seconds."""
        ...


class SystemClock:
    """The wall clock: time passes as it does for everyone."""

    def now(self) -> float:
        """Current wall-clock time in epoch seconds."""
        return time.time()


class VirtualClock:
    """Wall-clock time plus an offset that only grows.

    Time flows normally, so a running activity still times out as it would. When the service is idle
    until a deadline (a timer, a timeout), its scheduler calls ``advance_to`` and time jumps there.
    The retention of closed executions is not such a deadline: skipping to it would only delete them.
    The service only jumps when it is quiescent:

    - no decision task is scheduled or started (a decider will act on it);
    - no activity or lambda task is started (it is running);
    - no waiting poller could take a scheduled activity task;
    - no API call that changes something (reads and empty polls do not count) has been made for
      ``quiet_period`` real seconds, so a worker between two polls does not see a spurious
      schedule-to-start timeout.

    An activity task scheduled on a list nobody polls for that long can therefore time out
    (schedule-to-start) at once: with nobody to run it, nothing else could happen first.
    """

    def __init__(self, *, start: float | None = None, quiet_period: float = 0.2) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0 if start is None else start - time.time()
        self.quiet_period = quiet_period

    def now(self) -> float:
        """Current virtual time in epoch seconds."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``."""
        if seconds < 0:
            raise ValueError("a virtual clock never goes back")
        with self._lock:
            self._offset += seconds

    def advance_to(self, moment: float) -> None:
        """Move time forward to ``moment`` (no-op when it is already past)."""
        with self._lock:
            gap = moment - (time.time() + self._offset)
            if gap > 0:
                self._offset += gap
