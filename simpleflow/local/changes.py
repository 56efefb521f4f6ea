"""How the threads of a local run tell its waiters that something happened."""

from __future__ import annotations

import threading

__all__ = ["Changes"]


class Changes:
    """Something a waiter may want to look at happened (an execution closed, a thread failed).

    A counter under a condition, not an Event, so that several threads waiting on different executions
    all see each change: a waiter notes :attr:`generation`, looks, then waits for it to move.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generation = 0

    @property
    def generation(self) -> int:
        """How many changes were notified so far."""
        with self._condition:
            return self._generation

    def notify(self) -> None:
        """Wake every waiter."""
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    def wait_after(self, seen: int, *, timeout: float) -> None:
        """Wait until a change after generation ``seen``, or ``timeout`` seconds."""
        with self._condition:
            self._condition.wait_for(lambda: self._generation != seen, timeout=timeout)
