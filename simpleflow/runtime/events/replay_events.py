"""Timers, signals, markers and side effects of one run (composed into the run's scheduler).

Each is matched to the history by a stable key, so that a replay never decides twice what an earlier
one already decided:

- **timers** by the user's ``timer_id``;
- **signals** by task id (sent) and rank (awaited): :mod:`simpleflow.runtime.events.signals`;
- **markers**: the n-th ``record_marker(name, details)`` matches the n-th marker of that name and
  details (upstream's key);
- **side effects** by a key: :mod:`simpleflow.runtime.events.side_effects`.

Refused timers and external requests back off (:mod:`simpleflow.runtime.events.backoff`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simpleflow import decisions, payload
from simpleflow.exceptions import TaskFailed
from simpleflow.history import TimerState
from simpleflow.history.records import MarkerRecord
from simpleflow.runtime import parking
from simpleflow.runtime.call_log import CallLog
from simpleflow.runtime.events.backoff import TIMER_THROTTLE_CAUSES, BackOff
from simpleflow.runtime.events.event_future import EventFuture
from simpleflow.runtime.events.patches import PATCH_MARKER_NAME
from simpleflow.runtime.events.side_effects import SideEffects
from simpleflow.runtime.events.signals import PROPAGATED_CONTROL_PREFIX, Signals
from simpleflow.runtime.turn import Turn
from simpleflow.serializer import Serializer
from simpleflow.signal import WaitForSignal
from simpleflow.task import (
    INTERNAL_TIMER_PREFIX,
    SIDE_EFFECT_MARKER,
    CancelTimerTask,
    EventTask,
    MarkerTask,
    SignalTask,
    TimerTask,
    internal_timer_id,
)

__all__ = ["Marker", "ReplayEvents"]


@dataclass(frozen=True)
class Marker:
    """A marker of this execution, as :meth:`Workflow.list_markers` returns it (details decoded)."""

    name: str
    details: Any
    event_id: int


def _canonical(details: Any) -> str:
    """One text per JSON value, whatever its keys' order: markers are matched by their details."""
    return json.dumps(details, sort_keys=True, default=str)


def _rank_key(task: EventTask) -> tuple[str, ...]:
    """What an event is counted among: its rank names it (signals) or matches it to the history."""
    if isinstance(task, MarkerTask):
        # Upstream matches a marker by name and details; equal details are interchangeable.
        return (task.kind, task.name, payload.encode(task.details, field=f"marker {task.name} details"))
    return (task.kind, task.name)


class ReplayEvents:
    """Everything in a run that is not a remote task, decided into its current :class:`Turn`."""

    def __init__(
        self,
        turn: Turn,
        log: CallLog,
        *,
        workflow_id: str,
        run_id: str,
        payload_store: payload.PayloadStore | None,
        serializer: Serializer | str | None = None,
    ) -> None:
        self.turn = turn
        self.log = log
        self.payload_store = payload_store
        #: The workflow's serializer, for the signal inputs and marker details it sends.
        self.serializer = serializer
        self.backoff = BackOff(turn)
        self.signals = Signals(
            turn,
            self.backoff,
            workflow_id=workflow_id,
            run_id=run_id,
            payload_store=payload_store,
            serializer=serializer,
        )
        self.side_effects = SideEffects(turn, log, payload_store=payload_store, serializer=serializer)
        self._event_ranks: Counter[tuple[str, ...]] = Counter()
        #: What ``run()`` made so far, for :meth:`first_unmade`: timer ids started, and the highest rank
        #: of the markers recorded, by name and details.
        self._timers_made: set[str] = set()
        self._marker_ranks_made: Counter[tuple[str, str]] = Counter()
        self._unsettled: list[EventFuture] = []

    # -- events: made, submitted, settled -------------------------------------------------------------

    def event(self, task: EventTask, *, in_canvas: bool = False) -> EventFuture:
        """Bind ``task`` to this replay: ranked now (among its kind and name), acting when first used."""
        key = _rank_key(task)
        self._event_ranks[key] += 1
        future = EventFuture(
            task, rank=self._event_ranks[key], turn=self.turn, log=self.log, resolve=self.resolve_event
        )
        if in_canvas:
            future.place_in_canvas()
        self._unsettled.append(future)
        return future

    def submit_event(
        self, submittable: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> EventFuture | None:
        """``submit()`` of an event (``None`` when ``submittable`` is none): it acts now."""
        if not isinstance(submittable, EventFuture | EventTask):
            return None
        if args or kwargs:
            raise TypeError(f"{submittable!r} already holds its arguments; submit it alone")
        if isinstance(submittable, EventTask):
            submittable = self.event(submittable)
        return submittable.act()

    def settle(self, *, run_ended: bool = False) -> None:
        """Act on every event ``run()`` made and neither used nor placed in a canvas, in the order made.

        This keeps the forms that act at once working (``self.cancel_timer(id)`` alone cancels), while an
        event placed in a ``Chain`` still waits for the chain to reach it. SWF sends no decision task for a
        recorded marker or a canceled timer, which ``run()`` may be waiting for: when it blocked
        (``run_ended`` false) after deciding one, a 0 s timer brings the next decision task.
        """
        for future in self._unsettled:
            if not future.in_canvas:
                future.act()
        # What is done stays done: later decision tasks of a live run need not look at it again.
        self._unsettled = [future for future in self._unsettled if not future._is_done()]
        if self.turn.needs_wake and not run_ended:
            self.backoff.back_off(internal_timer_id("wake", len(self.turn.history)), 0)

    def start_timer(self, timer_id: str, timeout: int, *, control: str | None = None) -> EventFuture:
        """A future that finishes (with ``None``) when the timer fires."""
        return self.event(TimerTask(timer_id, timeout, control))

    def cancel_timer(self, timer_id: str) -> EventFuture:
        """The cancellation of a timer; true (as a bool) when there was a running timer to cancel."""
        return self.event(CancelTimerTask(timer_id))

    def signal(
        self,
        name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        workflow_id: str | None = None,
        run_id: str | None = None,
        propagate: bool = True,
    ) -> EventFuture:
        """Send signal ``name`` (to this execution unless ``workflow_id``); finishes when delivered."""
        task = SignalTask(name, *args, **kwargs)
        task.workflow_id, task.run_id, task.propagate = workflow_id, run_id, propagate
        return self.event(task)

    def wait_signal(self, name: str) -> EventFuture:
        """A future finished with the input of the n-th signal ``name`` (n: this call's rank in ``run()``)."""
        return self.event(WaitForSignal(name))

    def record_marker(self, name: str, details: Any = None) -> EventFuture:
        """Record marker ``name`` once per execution; the future finishes with ``details`` once recorded."""
        return self.event(MarkerTask(name, details))

    def side_effect(
        self,
        name: str,
        call: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        cache_key: str | None = None,
    ) -> Any:
        """``call(*args, **kwargs)`` once per execution (see :meth:`SideEffects.run`)."""
        return self.side_effects.run(name, call, args, kwargs, cache_key=cache_key)

    def propagate_signals(self) -> None:
        """Forward each received signal that asks for it to the parent and the children, once."""
        self.signals.propagate()

    def resolve_event(self, future: EventFuture) -> None:
        """Resolve ``future`` against the history, deciding what the history does not hold yet."""
        task = future.task
        if isinstance(task, TimerTask):
            self._start_timer(future, task)
        elif isinstance(task, CancelTimerTask):
            future.accepted = self._cancel_timer(task.timer_id)
            future.task_id = task.timer_id
            future.set_result(None)
        elif isinstance(task, SignalTask):
            self.signals.send(future, task, rank=future.rank)
        elif isinstance(task, WaitForSignal):
            self.signals.wait(future, task.signal_name, rank=future.rank)
        elif isinstance(task, MarkerTask):
            self._record_marker(future, task)
        else:  # pragma: no cover - EventTask has no other kinds
            raise TypeError(f"cannot resolve {task!r}")

    # -- timers -------------------------------------------------------------------------------------------

    def _start_timer(self, future: EventFuture, task: TimerTask) -> None:
        timer_id, timeout, control = task.timer_id, task.timeout, task.control
        future.task_id = timer_id
        turn = self.turn
        self._timers_made.add(timer_id)
        if timer_id in turn.timers:  # started twice in one run: one timer, the same outcome
            first = turn.timers[timer_id]
            future.adopt(first)
            future.set_canceller(first._canceller)
            return
        turn.timers[timer_id] = future
        record = turn.history.timer(timer_id)
        decision = decisions.start_timer(timer_id, start_to_fire_timeout=timeout, control=control)
        if record is None:
            turn.decisions.append(decision)
            future.set_running()
        elif record.state is TimerState.START_FAILED and record.cause in TIMER_THROTTLE_CAUSES:
            self.backoff.restart_refused_timer(record, decision)
            future.set_running()
        elif record.state is TimerState.FIRED:
            future.set_result(None)
        elif record.state is TimerState.CANCELED:
            future.set_cancelled()
        elif record.state is TimerState.START_FAILED:
            future.set_exception(TaskFailed(record.cause, task_id=timer_id))
        else:
            future.set_running()
        if not future._is_done():
            future.set_canceller(lambda: self._cancel_timer_asked(timer_id))

    def _cancel_timer_asked(self, timer_id: str) -> bool:
        """``future.cancel()`` of a timer's future: asked again at each later decision task of a live run."""
        if self.log.in_run_thread():
            self.log.record(lambda: self._cancel_timer(timer_id) and self._timer_running(timer_id))
        return self._cancel_timer(timer_id)

    def _timer_running(self, timer_id: str) -> bool:
        record = self.turn.history.timer(timer_id)
        return record is None or record.state is TimerState.STARTED

    def _cancel_timer(self, timer_id: str) -> bool:
        """Cancel a running timer; False when it is unknown, fired or already canceled."""
        turn = self.turn
        record = turn.history.timer(timer_id)
        if timer_id in turn.timers_canceled:
            return True
        if record is None and timer_id not in turn.timers:
            return False
        if record is not None and (record.state is not TimerState.STARTED or record.cancel_failed_cause):
            return False
        turn.timers_canceled.add(timer_id)
        turn.decisions.append(decisions.cancel_timer(timer_id))
        turn.needs_wake = True
        return True

    # -- markers ------------------------------------------------------------------------------------------

    def _record_marker(self, future: EventFuture, task: MarkerTask) -> None:
        """The n-th marker of a name and details matches the n-th such marker recorded (upstream's key)."""
        name, details = task.name, task.details
        future.task_id = f"marker-{name}-{future.rank}"
        text = None
        if details is not None:
            text = payload.encode(details, field=f"marker {name} details", serializer=self.serializer)
        value = None if text is None else payload.decode(text)
        key = (name, _canonical(value))
        self._marker_ranks_made[key] = max(self._marker_ranks_made[key], future.rank)
        recorded = [
            marker
            for marker in self.turn.history.markers(name)
            if marker.failed_cause is None and self._marker_details(marker) == value
        ]
        if len(recorded) < future.rank:
            field = None
            if text is not None:
                field = payload.fit(
                    "marker_details", text, store=self.payload_store, field=f"marker {name} details"
                )
            self.turn.decisions.append(decisions.record_marker(name, details=field))
            self.turn.needs_wake = True
            future.set_running()  # finished by the replay that reads it in the history, as upstream
        else:
            future.set_result(value)

    def _marker_details(self, marker: MarkerRecord) -> Any:
        return payload.decode(marker.details, field=f"marker {marker.name} details", store=self.payload_store)

    def first_unmade(self) -> int | None:
        """The earliest event of a timer, marker, side effect or signal sent that the history holds and
        ``run()`` has not made (again) so far; ``None`` when it made them all.

        ``patched()`` reads it: such an event means the code that wrote the history went past this
        point. The executor's own timers (back-off, wake-ups) and forwarded signals are not ``run()``'s.
        """
        unmade = [
            record.event_id
            for record in self.turn.history.timers()
            if record.timer_id not in self._timers_made
            and not record.timer_id.startswith(INTERNAL_TIMER_PREFIX)
        ]
        seen: Counter[tuple[str, str]] = Counter()
        for marker in self.turn.history.markers():
            if marker.name in (SIDE_EFFECT_MARKER, PATCH_MARKER_NAME) or marker.failed_cause is not None:
                continue
            key = (marker.name, _canonical(self._marker_details(marker)))
            seen[key] += 1
            if seen[key] > self._marker_ranks_made[key]:
                unmade.append(marker.event_id)
        made_keys = self.side_effects.made_keys()
        unmade += [
            event_id for key, event_id in self.side_effects.recorded_keys().items() if key not in made_keys
        ]
        unmade += [
            request.event_id
            for request in self.turn.history.sent_requests()
            if request.signal_name is not None
            and request.control not in self.signals.sent_ids
            and not (request.control or "").startswith(PROPAGATED_CONTROL_PREFIX)
        ]
        return min(unmade, default=None)

    def list_markers(self, all: bool = False) -> list[Marker]:
        """The user markers of the history: the latest recorded of each name, or with ``all`` every one.

        As upstream, markers are grouped by name (names in the order first recorded).
        """
        parking.observe_history()
        by_name: dict[str, list[MarkerRecord]] = {}
        for marker in self.turn.history.markers():
            if marker.name not in (SIDE_EFFECT_MARKER, PATCH_MARKER_NAME):
                by_name.setdefault(marker.name, []).append(marker)
        chosen = [
            marker
            for records in by_name.values()
            for marker in (records if all else records[-1:])
            if all or marker.failed_cause is None
        ]
        return [
            Marker(
                marker.name, None if marker.failed_cause else self._marker_details(marker), marker.event_id
            )
            for marker in chosen
        ]
