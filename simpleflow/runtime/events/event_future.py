"""The future of a timer, timer cancel, signal, signal wait or marker: submittable, acting once per task."""

from __future__ import annotations

from collections.abc import Callable

from simpleflow.futures import Future, FutureState
from simpleflow.runtime.call_log import CallLog
from simpleflow.runtime.turn import Turn
from simpleflow.task import EventTask

__all__ = ["EventFuture"]


class EventFuture(Future):
    """A timer, timer cancel, signal, signal wait or marker of one replay: submittable and a future.

    ``Workflow.start_timer`` / ``cancel_timer`` / ``signal`` / ``wait_signal`` / ``record_marker`` return
    one, and so does submitting an :class:`~simpleflow.task.EventTask`. It *acts* (decides the
    ``StartTimer``, ``CancelTimer``, ``SignalExternalWorkflowExecution`` or ``RecordMarker`` the history
    does not hold yet) the first time it is submitted, reached by a canvas or read as a future. One that
    is none of these acts when ``run()`` returns or blocks
    (:meth:`~simpleflow.runtime.events.replay_events.ReplayEvents.settle`), unless it sits in a canvas:
    there it happens when the canvas reaches it, as upstream has it.

    Its rank (the n-th signal, wait or marker of a name) is taken when it is made, so that a replay gives
    it the same identity whenever it acts. ``resolve`` resolves it against ``turn``'s history.
    """

    def __init__(
        self,
        task: EventTask,
        *,
        rank: int,
        turn: Turn,
        log: CallLog,
        resolve: Callable[[EventFuture], None],
    ) -> None:
        self._acted_at = -1  # the decision task (epoch) it last acted in
        self._turn = turn
        super().__init__()
        self.task = task
        self.rank = rank
        self._log = log
        self._resolve = resolve
        #: Set when a canvas holds it: it acts when the canvas reaches it, never at the end of ``run()``.
        self.in_canvas = False
        #: For a timer cancellation: whether there was a running timer to cancel.
        self.accepted = True

    @property
    def _state(self) -> FutureState:
        if self._acted_at != self._turn.epoch:
            self.act()
        return self._state_value

    @_state.setter
    def _state(self, value: FutureState) -> None:
        self._state_value = value

    def place_in_canvas(self) -> None:
        """A canvas holds it: it acts when the canvas reaches it, not when ``run()`` settles."""
        self.in_canvas = True

    def act(self) -> EventFuture:
        """Resolve against the history (deciding what is missing) once per decision task.

        A live run's event acts again at each later decision task while it is not done, where a replay
        would reach it again: in ``run()`` order when ``run()`` made it act, else when the run settles.
        """
        if self._acted_at != self._turn.epoch:
            first = self._acted_at < 0
            self._acted_at = self._turn.epoch
            if first or self._state_value not in (FutureState.FINISHED, FutureState.CANCELLED):
                logging = self._log.in_run_thread()
                self._resolve(self)
                if logging and not self._is_done():
                    self._log.record(lambda: not self.act()._is_done())
        return self

    def __bool__(self) -> bool:
        # ``if self.cancel_timer(id):`` reads whether there was a timer to cancel, as the bool it returned.
        return self.act().accepted

    def __repr__(self) -> str:
        state = self._state_value.value if self._acted_at >= 0 else "not acted"
        return f"<EventFuture {self.task!r} {state}>"
