"""One decision task's state: the history it holds and what has been decided for it so far.

A :class:`Turn` is shared, by reference, by the parts of a run that decide (the scheduler, the event
fold): each adds its decisions to the one list. Its owner, the live run, starts it again at each later
decision task (:meth:`Turn.begin`), so no part keeps a decision of an earlier task by mistake.
"""

from __future__ import annotations

from typing import Any

from simpleflow.futures import Future
from simpleflow.history import History, TaskKind

__all__ = ["Turn"]


class Turn:
    """The history and the decisions of the decision task being decided."""

    def __init__(self, history: History) -> None:
        #: The decision task this is: 1 for the first, one more for each a live run goes on to.
        self.epoch = 0
        self.begin(history)

    def begin(self, history: History) -> None:
        """Start the next decision task: the history moved on, nothing is decided yet."""
        self.history = history
        self.epoch += 1
        self.decisions: list[dict[str, Any]] = []
        #: Seconds the decider should wait before answering: a timer was refused for SWF's rates.
        self.decider_backoff = 0
        #: Activities open (or being scheduled) at this decision task, against ``max_open_activities``.
        self.open_activities = history.open_activity_count()
        #: Tasks whose cancellation was decided at this decision task.
        self.cancel_asked: set[tuple[TaskKind, str]] = set()
        #: Timers started (their future) and canceled at this decision task, by timer id.
        self.timers: dict[str, Future] = {}
        self.timers_canceled: set[str] = set()
        #: Set when a decision brings no decision task of its own (a marker, a timer cancel).
        self.needs_wake = False
        #: The id of the future ``run()`` blocked on, when it did (for the execution context).
        self.blocked_on: str | None = None
