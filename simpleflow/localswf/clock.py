"""Clocks for the embedded SWF service: the wall clock, and a virtual clock that can skip idle time."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
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

    A ``gated`` clock (the test environment's, and ``--local``'s) adds one condition: somebody holds
    the gate open (:meth:`allow_skipping`), that is, a caller waits for a result. Between a test's
    calls the service is quiescent too, yet the test may be about to send the signal a workflow waits
    for: time must not jump to the workflow's timeout then. Time still flows, and :meth:`advance`
    still moves it by hand.
    """

    def __init__(self, *, start: float | None = None, quiet_period: float = 0.2, gated: bool = False) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0 if start is None else start - time.time()
        self.quiet_period = quiet_period
        self.gated = gated
        self._holders = 0
        # Told when skipping becomes allowed or time is moved by hand: a service's scheduler that sleeps
        # towards its next deadline in real time must look again.
        self._listeners: list[Callable[[], None]] = []

    @property
    def may_skip(self) -> bool:
        """Whether a quiescent service may jump to its next deadline now."""
        with self._lock:
            return not self.gated or self._holders > 0

    @contextlib.contextmanager
    def allow_skipping(self) -> Iterator[None]:
        """Hold the gate open while the block runs; holders (nested, or in several threads) are counted."""
        with self._lock:
            self._holders += 1
        self._notify()
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` each time the gate opens or :meth:`advance` moves time."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        """Stop calling ``listener`` (no error when it was not added)."""
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _notify(self) -> None:
        # Outside the clock's lock: a listener takes its service's lock, which holds this one at times.
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

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
        self._notify()

    def advance_to(self, moment: float) -> None:
        """Move time forward to ``moment`` (no-op when it is already past)."""
        with self._lock:
            gap = moment - (time.time() + self._offset)
            if gap > 0:
                self._offset += gap
