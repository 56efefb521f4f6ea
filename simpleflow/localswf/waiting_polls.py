"""The long polls waiting on each task list, and the hand-off of a new task to the first of them.

A call that schedules a task (a decision that schedules an activity, an activity result that schedules a
decision task, a timeout) starts it for the poll that has waited longest on that task list, in the same
transaction, and wakes that poll with its task in hand. The poll then returns at once: it does not
re-read the task list, open a transaction of its own, or race the other waiting polls for the row.

This is what SWF documents for a long poll (the task is delivered to a waiting poller as soon as it is
available) done where it is cheapest: the scheduling thread already holds the service lock and the
transaction. Everything here runs under the service's lock.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpleflow.localswf.faults import SWFFault

#: ``(kind, domain, task_list)``: ``kind`` is ``"decision"`` or ``"activity"``.
TaskListKey = tuple[str, str, str]
#: Starts the next task of a task list for a poll with these parameters, in the current transaction;
#: None when there is none.
Take = Callable[[dict[str, Any]], "dict[str, Any] | None"]


@dataclass(eq=False)
class WaitingPoll:
    """One long poll asleep on its task list: its request, and the task handed to it, once there is one."""

    params: dict[str, Any]
    condition: threading.Condition
    task: dict[str, Any] | None = None
    #: Set by the transport when the poll's client has gone away: no task is handed to it then.
    withdrawn: threading.Event | None = None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn is not None and self.withdrawn.is_set()


class WaitingPolls:
    """The waiting polls of every task list, first come first served."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._queues: dict[TaskListKey, deque[WaitingPoll]] = {}

    def enter(
        self, key: TaskListKey, params: dict[str, Any], *, withdrawn: threading.Event | None = None
    ) -> WaitingPoll:
        """A poll of ``key`` with ``params`` starts waiting (it waits on the returned poll's condition)."""
        poll = WaitingPoll(params, threading.Condition(self._lock), withdrawn=withdrawn)
        self._queues.setdefault(key, deque()).append(poll)
        return poll

    def leave(self, key: TaskListKey, poll: WaitingPoll) -> None:
        """``poll`` stops waiting (timed out, or woken): no task is handed to it any more."""
        queue = self._queues.get(key)
        if queue is None:
            return
        try:
            queue.remove(poll)
        except ValueError:
            pass  # already taken off by a hand-off
        if not queue:
            del self._queues[key]

    def count(self, key: TaskListKey) -> int:
        """How many polls wait on ``key``."""
        queue = self._queues.get(key)
        return 0 if queue is None else len(queue)

    def plan_hand_offs(
        self, key: TaskListKey, count: int, take: Take
    ) -> list[tuple[WaitingPoll, dict[str, Any]]]:
        """Start up to ``count`` tasks of ``key`` for its first waiting polls, in the caller's transaction.

        Returns the ``(poll, task)`` pairs to :meth:`deliver` once the transaction commits (should it roll
        back, the polls were never told and go on waiting). A take refused with a fault (the domain was
        deprecated meanwhile) stops the hand-off and wakes that poll, so that its own take answers it the
        fault.
        """
        queue = self._queues.get(key)
        planned: list[tuple[WaitingPoll, dict[str, Any]]] = []
        if queue is None:
            return planned
        for poll in [poll for poll in queue if not poll.is_withdrawn][:count]:
            try:
                task = take(poll.params)
            except SWFFault:
                poll.condition.notify()
                break
            if task is None:
                break
            planned.append((poll, task))
        return planned

    def deliver(self, key: TaskListKey, planned: list[tuple[WaitingPoll, dict[str, Any]]]) -> None:
        """Hand each committed task to its poll and wake it."""
        for poll, task in planned:
            poll.task = task
            self.leave(key, poll)
            poll.condition.notify()

    def wake_withdrawn(self) -> None:
        """Wake the polls whose client has gone away: they leave without a task."""
        for queue in self._queues.values():
            for poll in queue:
                if poll.is_withdrawn:
                    poll.condition.notify()

    def release_all(self) -> None:
        """Wake every waiting poll (the service is closing): they return empty."""
        for queue in self._queues.values():
            for poll in queue:
                poll.condition.notify()
