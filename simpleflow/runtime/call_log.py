"""The call log of a live run: what ``run()`` asked for that a replay would ask for again.

A replay runs ``run()`` from the start at every decision task, so every submission, cancel and event
that is still open is made again against the new history. A live run does not re-run ``run()``; it keeps
each such call here instead (:meth:`CallLog.record`) and makes them again, in ``run()`` order, at the
start of each later decision task (:meth:`CallLog.redo`). Each entry answers whether it is still to be
made: a task done, a timer fired, drops out.

Only what ``run()`` itself asks is logged: a canvas submitting its items (:meth:`CallLog.nested`), or the
decider settling the run, is made again by the canvas or the decider, not from here.
"""

from __future__ import annotations

from collections.abc import Callable

from simpleflow.runtime import parking

__all__ = ["CallLog"]


class CallLog:
    """The calls ``run()`` made that a replay would make again, in order; see the module documentation."""

    def __init__(self) -> None:
        self._entries: list[Callable[[], bool]] = []
        self._depth = 0

    def __len__(self) -> int:
        return len(self._entries)

    def in_run_thread(self) -> bool:
        """Whether ``run()`` itself (not a canvas, nor the decider) is calling, in a live run's thread."""
        return self._depth == 0 and parking.current() is not None

    def record(self, call: Callable[[], bool]) -> None:
        """Keep ``call`` (made again at each later decision task while it returns True)."""
        self._entries.append(call)

    def nested(self) -> CallLog:
        """``with log.nested():`` calls made in the block are made by the one being logged (a canvas's
        items): never logged. The log is its own context manager: every submission enters one, and a
        generator-based one would cost more than the bookkeeping it guards."""
        return self

    def __enter__(self) -> None:
        self._depth += 1

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1

    def redo(self) -> None:
        """Make again, in ``run()`` order, what ``run()`` asked that is still open (a replay would).

        Raises what a call raises: a task failure raised into ``run()`` at a point the live run already
        passed, which tells the caller that this run would take another path now.
        """
        log, self._entries = self._entries, []
        kept = [call for call in log if call()]
        self._entries = kept + self._entries
