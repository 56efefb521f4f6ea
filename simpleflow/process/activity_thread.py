"""Run one activity task in a thread of the worker: the opt-in ``--isolation thread`` mode.

The default, :class:`~simpleflow.process.isolation.ActivityProcess`, forks a child per task so that a
cancel kills the activity with everything it started and a crash fails only that task. Forking,
reaping and the pipe cost a few milliseconds of CPU per task, which trivial activities feel. Run in a
thread instead, the activity costs what it computes, and gives up three things (so it is opt-in):

- **cancel cannot kill**: a cancel request is answered at once (``RespondActivityTaskCanceled``) and the
  activity is told at its next :func:`simpleflow.activity.heartbeat`, which returns True; until it
  returns, it runs on, abandoned, and whatever it returns is dropped. The same happens when SWF no
  longer knows the task or the worker is stopped at once;
- **a crash takes the worker**: a segfault, an ``os._exit()`` or an out-of-memory kill ends the worker
  process and the task it held is left to SWF's timeouts (the supervisor starts a new worker);
- **module state is shared**: activities run in the worker's interpreter, one after the other (and
  beside an abandoned one), with its environment, its imported modules and their globals.

:class:`ActivityThread` has the interface of ``ActivityProcess``, so the worker watches either the
same way: ``next_event(timeout)`` returns a :class:`~simpleflow.process.isolation.Heartbeat` or the
:class:`~simpleflow.process.isolation.Outcome`. A ``SystemExit`` or ``KeyboardInterrupt`` raised by the
activity fails its task, as in a child process.
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
from collections.abc import Mapping
from enum import Enum
from typing import Any

from simpleflow.process.isolation import (
    ActivityContextData,
    ChildEvent,
    Outcome,
    execute_task,
    failure_outcome,
)

logger = logging.getLogger(__name__)


class Isolation(str, Enum):
    """Where a worker runs each activity task: ``process`` (the default) or ``thread``."""

    PROCESS = "process"
    THREAD = "thread"


class ActivityThread:
    """A thread running one activity task, seen from the worker (the same interface as ActivityProcess)."""

    def __init__(self, task: Mapping[str, Any], data: ActivityContextData) -> None:
        self._task = dict(task)
        self._data = data
        self._events: queue.SimpleQueue[ChildEvent] = queue.SimpleQueue()
        # Set when the worker lets go of the task (cancel requested, task lost, forced stop): the
        # activity's next heartbeat returns True, and what it sends from then on goes nowhere.
        self._abandoned = threading.Event()
        self._finished = False
        self._thread = threading.Thread(
            target=self._run, name=f"activity-{task.get('activityId', '?')}", daemon=True
        )

    @property
    def pid(self) -> int | None:
        """Always None: the activity has no process of its own."""
        return None

    def start(self) -> None:
        """Start the activity's thread."""
        self._thread.start()

    def _send(self, message: ChildEvent) -> bool:
        """What the activity sends the worker; returns whether the worker let go of the task."""
        if not self._abandoned.is_set():
            self._events.put(message)
        return self._abandoned.is_set()

    def _run(self) -> None:
        try:
            outcome = execute_task(self._task, self._data, send=self._send)
        except BaseException as error:  # SystemExit, KeyboardInterrupt from the activity: still a failure
            outcome = failure_outcome(error)
            logger.debug("activity ended with %s", traceback.format_exc())
        if self._abandoned.is_set():
            logger.info(
                "abandoned activity %s ended; its %s outcome is dropped",
                self._task.get("activityId"),
                outcome.status,
            )
        self._send(outcome)

    def next_event(self, timeout: float | None) -> ChildEvent | None:
        """The next heartbeat or the outcome; None when ``timeout`` passed with neither."""
        if self._finished:
            raise RuntimeError("the activity thread already ended")
        try:
            event = self._events.get(timeout=timeout)
        except queue.Empty:
            return None
        if isinstance(event, Outcome):
            self._finished = True
        return event

    def kill(self) -> None:
        """Let go of the activity: a thread cannot be killed, so it is told at its next heartbeat."""
        if not self._finished and self._thread.is_alive():
            logger.warning(
                "activity %s runs in a thread and cannot be killed: it is abandoned, and its next "
                "heartbeat tells it to stop",
                self._task.get("activityId"),
            )
        self._abandoned.set()
        self._finished = True

    def close(self) -> None:
        """Nothing to release: the thread ends on its own (after an outcome, it already has)."""
        self._thread.join(timeout=0 if self._abandoned.is_set() else None)
