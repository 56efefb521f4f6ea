"""Timers, signals, markers and side effects of one replay (the base of the :class:`Scheduler`).

Each is matched to the history by a stable key, so that a replay never decides twice what an earlier
one already decided:

- **timers** by the user's ``timer_id``;
- **signals sent** by their task id ``signal-<name>-<n>`` (the n-th ``signal(name)`` of ``run()``),
  carried as the decision's ``control``;
- **signals awaited**: the n-th ``wait_signal(name)`` of ``run()`` is resolved by the n-th signal of
  that name the execution received, whether it arrived before or after the call;
- **markers**: the n-th ``record_marker(name, details)`` matches the n-th marker of that name and
  details (upstream's key);
- **side effects** by a key (the callable's name and call number, or its arguments for ``@cached``),
  stored with the JSON result in a marker named :data:`~simpleflow.task.SIDE_EFFECT_MARKER`.

Refusals for SWF's rates and limits are never final. A timer refused with
:data:`TIMER_THROTTLE_CAUSES` is started again under the same id, and asks the decider to wait
before answering (:attr:`ReplayEvents.decider_backoff`): SWF answers every refused decision with a new
decision task at once, so without that wait the replay would hit the limit again in a tight loop. A
signal or cancel request refused with a ``*_RATE_EXCEEDED`` cause is sent again once a back-off timer
(:meth:`ReplayEvents.back_off`) fired.

Signals sent with ``propagate=True`` carry :data:`PROPAGATE_KEY` in their input: every execution that
receives one forwards it to its parent and to the children it had started, except to the sender, so
a signal spreads through the whole tree of executions exactly once per execution.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from simpleflow import decisions, payload
from simpleflow.exceptions import PayloadError, TaskFailed
from simpleflow.futures import Future, FutureState
from simpleflow.history import (
    ExternalRequest,
    ExternalState,
    History,
    SignalRecord,
    TaskKind,
    TaskState,
    TimerRecord,
    TimerState,
)
from simpleflow.history.records import MarkerRecord
from simpleflow.runtime import parking
from simpleflow.serializer import Serializer
from simpleflow.signal import WaitForSignal
from simpleflow.task import (
    SIDE_EFFECT_MARKER,
    CancelTimerTask,
    EventTask,
    MarkerTask,
    SignalTask,
    TimerTask,
    internal_timer_id,
    shorten_id,
)

#: The key of a signal's input object that asks receivers to forward it to parent and children.
PROPAGATE_KEY = "__propagate"
#: ``StartTimerFailed`` causes that pass: the same timer is started again after the decider waited.
TIMER_THROTTLE_CAUSES = frozenset({"TIMER_CREATION_RATE_EXCEEDED", "OPEN_TIMERS_LIMIT_EXCEEDED"})
#: Refusals of signals and cancel requests sent to other executions that pass with time.
EXTERNAL_THROTTLE_CAUSES = frozenset(
    {
        "SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
        "REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
    }
)
#: The longest back-off, in seconds, before a decision SWF refused for its rates is made again.
MAX_THROTTLE_DELAY = 60


def throttle_delay(failures: int) -> int:
    """Exponential back-off in whole seconds after ``failures`` refusals in a row: 1, 2, 4, ... 60."""
    return int(min(2 ** max(failures - 1, 0), MAX_THROTTLE_DELAY))


class Gate(str, Enum):
    """Where a back-off timer stands (:meth:`ReplayEvents.back_off`)."""

    WAITING = "WAITING"  # started (or being started): decide nothing yet
    OPEN = "OPEN"  # fired: make the decision again
    REFUSED = "REFUSED"  # SWF refused the timer for a cause that will not pass


@dataclass(frozen=True)
class Marker:
    """A marker of this execution, as :meth:`Workflow.list_markers` returns it (details decoded)."""

    name: str
    details: Any
    event_id: int


def _rank_key(task: EventTask) -> tuple[str, ...]:
    """What an event is counted among: its rank names it (signals) or matches it to the history."""
    if isinstance(task, MarkerTask):
        # Upstream matches a marker by name and details; equal details are interchangeable.
        return (task.kind, task.name, payload.encode(task.details, field=f"marker {task.name} details"))
    return (task.kind, task.name)


class EventFuture(Future):
    """A timer, timer cancel, signal, signal wait or marker of one replay: submittable and a future.

    ``Workflow.start_timer`` / ``cancel_timer`` / ``signal`` / ``wait_signal`` / ``record_marker`` return
    one, and so does submitting an :class:`~simpleflow.task.EventTask`. It *acts* (decides the
    ``StartTimer``, ``CancelTimer``, ``SignalExternalWorkflowExecution`` or ``RecordMarker`` the history
    does not hold yet) the first time it is submitted, reached by a canvas or read as a future. One that
    is none of these acts when ``run()`` returns or blocks (:meth:`ReplayEvents.settle`), unless it sits
    in a canvas: there it happens when the canvas reaches it, as upstream has it.

    Its rank (the n-th signal, wait or marker of a name) is taken when it is made, so that a replay gives
    it the same identity whenever it acts.
    """

    def __init__(self, events: ReplayEvents, task: EventTask, *, rank: int) -> None:
        self._acted_at = -1  # the decision task (epoch) it last acted in
        super().__init__()
        self.task = task
        self.rank = rank
        self.events = events
        #: Set when a canvas holds it: it acts when the canvas reaches it, never at the end of ``run()``.
        self.in_canvas = False
        #: For a timer cancellation: whether there was a running timer to cancel.
        self.accepted = True

    @property
    def _state(self) -> FutureState:
        if self._acted_at != self.events.epoch:
            self.act()
        return self._state_value

    @_state.setter
    def _state(self, value: FutureState) -> None:
        self._state_value = value

    def act(self) -> EventFuture:
        """Resolve against the history (deciding what is missing) once per decision task.

        A live run's event acts again at each later decision task while it is not done, where a replay
        would reach it again: in ``run()`` order when ``run()`` made it act, else when the run settles.
        """
        if self._acted_at != self.events.epoch:
            first = self._acted_at < 0
            self._acted_at = self.events.epoch
            if first or self._state_value not in (FutureState.FINISHED, FutureState.CANCELLED):
                logging = self.events.in_run_thread()
                self.events.resolve_event(self)
                if logging and not self._is_done():
                    self.events.call_log.append(lambda: not self.act()._is_done())
        return self

    def __bool__(self) -> bool:
        # ``if self.cancel_timer(id):`` reads whether there was a timer to cancel, as the bool it returned.
        return self.act().accepted

    def __repr__(self) -> str:
        state = self._state_value.value if self._acted_at >= 0 else "not acted"
        return f"<EventFuture {self.task!r} {state}>"


class ReplayEvents:
    """The decisions list plus everything in a replay that is not a remote task."""

    def __init__(
        self,
        history: History,
        *,
        workflow_id: str,
        run_id: str,
        payload_store: payload.PayloadStore | None,
        serializer: Serializer | str | None = None,
    ) -> None:
        self.history = history
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.payload_store = payload_store
        #: The workflow's serializer, for the signal inputs and marker details it sends.
        self.serializer = serializer
        self.decisions: list[dict[str, Any]] = []
        self._timers: dict[str, Future] = {}
        self._timers_canceled: set[str] = set()
        self._event_ranks: Counter[tuple[str, ...]] = Counter()
        self._unsettled: list[EventFuture] = []
        self._needs_wake = False
        self._side_effect_counts: Counter[str] = Counter()
        self._side_effect_values: dict[str, Any] = {}
        self._recorded_side_effects: dict[str, Any] | None = None
        #: Seconds the decider should wait before answering: a timer was refused for SWF's rates.
        self.decider_backoff = 0
        #: The decision task this state is at: 1 for the first, one more for each a live run goes on to.
        self.epoch = 1
        #: What ``run()`` submitted (or asked) that a replay would decide again: made again, in order, at
        #: each later decision task of a live run; each call says whether it is still to be made.
        self.call_log: list[Callable[[], bool]] = []
        self._depth = 0

    def in_run_thread(self) -> bool:
        """Whether ``run()`` itself (not a canvas, nor the decider) is calling, in a live run's thread."""
        return self._depth == 0 and parking.current() is not None

    def begin_decision(self, history: History) -> None:
        """Start the next decision task of a live run: the history moved on, nothing is decided yet."""
        self.history = history
        self.epoch += 1
        self.decisions = []
        self._timers = {}
        self._timers_canceled = set()
        self._needs_wake = False
        self._recorded_side_effects = None
        self.decider_backoff = 0

    def redo_calls(self) -> None:
        """Make again, in ``run()`` order, what ``run()`` submitted that is still open (a replay would).

        Raises what a call raises: a task failure raised into ``run()`` at a point the live run already
        passed, which tells the caller that this run would take another path now.
        """
        log, self.call_log = self.call_log, []
        kept = [call for call in log if call()]
        self.call_log = kept + self.call_log

    # -- back-off ----------------------------------------------------------------------------------------

    def restart_refused_timer(self, record: TimerRecord, decision: dict[str, Any]) -> None:
        """Start a timer SWF refused for its rates again, and ask the decider to wait before answering."""
        self.decisions.append(decision)
        self.decider_backoff = max(self.decider_backoff, throttle_delay(record.start_failures))

    def back_off(self, timer_id: str, delay: int) -> tuple[Gate, str | None]:
        """The state of back-off timer ``timer_id``, starting it (again) when it must run.

        Returns ``(gate, cause)``: ``cause`` is the refusal's when the gate is ``REFUSED``. A timer refused
        for SWF's rates or limits is started again (never skipped: the decision it guards would otherwise
        be made at once, and be refused again).
        """
        record = self.history.timer(timer_id)
        decision = decisions.start_timer(timer_id, start_to_fire_timeout=max(delay, 0))
        if record is None:
            self.decisions.append(decision)
            return Gate.WAITING, None
        if record.state is TimerState.START_FAILED:
            if record.cause in TIMER_THROTTLE_CAUSES:
                self.restart_refused_timer(record, decision)
                return Gate.WAITING, None
            return Gate.REFUSED, record.cause
        if record.state is TimerState.STARTED:
            return Gate.WAITING, None
        return Gate.OPEN, None  # fired (or canceled: nothing waits on it any more)

    def _external_back_off(self, control: str) -> tuple[Gate, str | None]:
        """The back-off before sending again a signal or cancel request refused for SWF's rates."""
        failures = sum(
            1
            for request in self.history.sent_requests()
            if request.control == control
            and request.state is ExternalState.FAILED
            and request.cause in EXTERNAL_THROTTLE_CAUSES
        )
        timer_id = internal_timer_id("throttle", failures, control)
        return self.back_off(timer_id, throttle_delay(failures))

    def is_throttled(self, request: ExternalRequest | None) -> bool:
        """Whether a sent request was refused for SWF's rates (so it is to be sent again)."""
        return (
            request is not None
            and request.state is ExternalState.FAILED
            and request.cause in EXTERNAL_THROTTLE_CAUSES
        )

    # -- events: timers, signals, markers ------------------------------------------------------------

    def event(self, task: EventTask, *, in_canvas: bool = False) -> EventFuture:
        """Bind ``task`` to this replay: ranked now (among its kind and name), acting when first used."""
        key = _rank_key(task)
        self._event_ranks[key] += 1
        future = EventFuture(self, task, rank=self._event_ranks[key])
        future.in_canvas = in_canvas
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
        if self._needs_wake and not run_ended:
            self.back_off(internal_timer_id("wake", len(self.history)), 0)

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
            self._signal(future, task)
        elif isinstance(task, WaitForSignal):
            self._wait_signal(future, task.signal_name)
        elif isinstance(task, MarkerTask):
            self._record_marker(future, task)
        else:  # pragma: no cover - EventTask has no other kinds
            raise TypeError(f"cannot resolve {task!r}")

    def _start_timer(self, future: EventFuture, task: TimerTask) -> None:
        timer_id, timeout, control = task.timer_id, task.timeout, task.control
        future.task_id = timer_id
        if timer_id in self._timers:  # started twice in one run: one timer, the same outcome
            first = self._timers[timer_id]
            future._result, future._exception, future._state = first._result, first._exception, first._state
            future.set_canceller(first._canceller)
            return
        self._timers[timer_id] = future
        record = self.history.timer(timer_id)
        decision = decisions.start_timer(timer_id, start_to_fire_timeout=timeout, control=control)
        if record is None:
            self.decisions.append(decision)
            future.set_running()
        elif record.state is TimerState.START_FAILED and record.cause in TIMER_THROTTLE_CAUSES:
            self.restart_refused_timer(record, decision)
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
        if self.in_run_thread():
            self.call_log.append(lambda: self._cancel_timer(timer_id) and self._timer_running(timer_id))
        return self._cancel_timer(timer_id)

    def _timer_running(self, timer_id: str) -> bool:
        record = self.history.timer(timer_id)
        return record is None or record.state is TimerState.STARTED

    def _cancel_timer(self, timer_id: str) -> bool:
        """Cancel a running timer; False when it is unknown, fired or already canceled."""
        record = self.history.timer(timer_id)
        if timer_id in self._timers_canceled:
            return True
        if record is None and timer_id not in self._timers:
            return False
        if record is not None and (record.state is not TimerState.STARTED or record.cancel_failed_cause):
            return False
        self._timers_canceled.add(timer_id)
        self.decisions.append(decisions.cancel_timer(timer_id))
        self._needs_wake = True
        return True

    def _signal(self, future: EventFuture, task: SignalTask) -> None:
        name = task.name
        task_id = shorten_id(f"signal-{name}-{future.rank}")
        future.task_id = task_id
        body: dict[str, Any] = {"args": list(task.args), "kwargs": dict(task.kwargs)}
        if task.propagate:
            body[PROPAGATE_KEY] = True
        sent = self.history.sent_request(task_id)
        gate, cause = (Gate.OPEN, None) if not self.is_throttled(sent) else self._external_back_off(task_id)
        if gate is Gate.WAITING:
            future.set_running()
        elif gate is Gate.REFUSED:
            future.set_exception(
                TaskFailed(cause, f"SWF refused the back-off timer: {cause}", task_id=task_id)
            )
        elif sent is None or self.is_throttled(sent):
            text = payload.encode_field(
                "signal_input",
                body,
                store=self.payload_store,
                serializer=self.serializer,
                field=f"signal {name} input",
            )
            workflow_id = task.workflow_id or self.workflow_id
            target_run = task.run_id if task.workflow_id else self.run_id
            self.decisions.append(
                decisions.signal_external_workflow_execution(
                    workflow_id, name, run_id=target_run, input=text, control=task_id
                )
            )
            future.set_running()
        elif sent.state is ExternalState.DELIVERED:
            future.set_result(None)
        elif sent.state is ExternalState.FAILED:
            future.set_exception(TaskFailed(sent.cause, task_id=task_id))
        else:
            future.set_running()

    def signal_value(self, signal: SignalRecord) -> Any:
        """A received signal's input, decoded, without the propagation flag."""
        value = payload.decode(signal.input, field=f"signal {signal.name} input", store=self.payload_store)
        if isinstance(value, dict) and PROPAGATE_KEY in value:
            value = {key: item for key, item in value.items() if key != PROPAGATE_KEY}
        return value

    def _wait_signal(self, future: EventFuture, name: str) -> None:
        rank = future.rank
        future.task_id = f"wait-signal-{name}-{rank}"
        received = self.history.signals(name)
        if len(received) >= rank:
            future.set_result(self.signal_value(received[rank - 1]))
        else:
            future.set_running()

    def propagate_signals(self) -> None:
        """Forward each received signal that asks for it to the parent and the children, once."""
        start = self.history.start
        for signal in self.history.signals():
            try:
                value = payload.decode(signal.input, store=self.payload_store)
            except PayloadError:
                continue  # a foreign signal: not ours to forward
            if not (isinstance(value, dict) and value.get(PROPAGATE_KEY)):
                continue
            targets: list[tuple[str, str | None]] = []
            if start is not None and start.parent_workflow_id:
                targets.append((start.parent_workflow_id, start.parent_run_id))
            for child in self.history.tasks(TaskKind.CHILD_WORKFLOW):
                # Children started after the signal arrived did not exist for it; they do not get it.
                if child.last.state is TaskState.STARTED and child.last.scheduled_event_id < signal.event_id:
                    targets.append((child.task_id, child.last.run_id))
            for target_id, target_run in targets:
                if target_id in (signal.sender_workflow_id, self.workflow_id):
                    continue
                control = f"propagate-{signal.event_id}-{target_id}"
                sent = self.history.sent_request(control)
                if self.is_throttled(sent) and self._external_back_off(control)[0] is not Gate.OPEN:
                    continue  # sent again once the back-off timer fires
                if sent is None or self.is_throttled(sent):
                    self.decisions.append(
                        decisions.signal_external_workflow_execution(
                            target_id, signal.name, run_id=target_run, input=signal.input, control=control
                        )
                    )

    # -- markers ------------------------------------------------------------------------------------------

    def _record_marker(self, future: EventFuture, task: MarkerTask) -> None:
        """The n-th marker of a name and details matches the n-th such marker recorded (upstream's key)."""
        name, details = task.name, task.details
        future.task_id = f"marker-{name}-{future.rank}"
        text = None
        if details is not None:
            text = payload.encode(details, field=f"marker {name} details", serializer=self.serializer)
        value = None if text is None else payload.decode(text)
        recorded = [
            marker
            for marker in self.history.markers(name)
            if marker.failed_cause is None and self._marker_details(marker) == value
        ]
        if len(recorded) < future.rank:
            field = None
            if text is not None:
                field = payload.fit(
                    "marker_details", text, store=self.payload_store, field=f"marker {name} details"
                )
            self.decisions.append(decisions.record_marker(name, details=field))
            self._needs_wake = True
            future.set_running()  # finished by the replay that reads it in the history, as upstream
        else:
            future.set_result(value)

    def _marker_details(self, marker: MarkerRecord) -> Any:
        return payload.decode(marker.details, field=f"marker {marker.name} details", store=self.payload_store)

    def list_markers(self, all: bool = False) -> list[Marker]:
        """The user markers of the history: the latest recorded of each name, or with ``all`` every one.

        As upstream, markers are grouped by name (names in the order first recorded).
        """
        parking.observe_history()
        by_name: dict[str, list[MarkerRecord]] = {}
        for marker in self.history.markers():
            if marker.name != SIDE_EFFECT_MARKER:
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

    # -- side effects ---------------------------------------------------------------------------------------

    def _recorded(self) -> Mapping[str, Any]:
        if self._recorded_side_effects is None:
            self._recorded_side_effects = {}
            for marker in self.history.markers(SIDE_EFFECT_MARKER):
                if marker.failed_cause is None:
                    body = payload.decode(marker.details, store=self.payload_store)
                    self._recorded_side_effects[body["key"]] = body["result"]
        return self._recorded_side_effects

    def _record_side_effect_again(self, key: str, details: str | None) -> bool:
        """Decide a side effect's marker again while the history does not hold it (refused, or cut)."""
        if key in self._recorded():
            return False
        self.decisions.append(decisions.record_marker(SIDE_EFFECT_MARKER, details=details))
        return True

    def side_effect(
        self,
        name: str,
        call: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        cache_key: str | None = None,
    ) -> Any:
        """``call(*args, **kwargs)`` run once per execution, its JSON result recorded and read back after.

        Without ``cache_key`` each call of ``name`` is a new side effect (keyed ``name#n``); with it, calls
        sharing the key share one recorded result.
        """
        if cache_key is None:
            self._side_effect_counts[name] += 1
            key = f"{name}#{self._side_effect_counts[name]}"
        else:
            key = cache_key
        if key in self._side_effect_values:
            return self._side_effect_values[key]
        recorded = self._recorded()
        if key in recorded:
            value = recorded[key]
        else:
            text = payload.encode(
                {"key": key, "result": call(*args, **kwargs)},
                field=f"side effect {name}",
                serializer=self.serializer,
            )
            field = payload.fit("marker_details", text, store=self.payload_store, field=f"side effect {name}")
            self.decisions.append(decisions.record_marker(SIDE_EFFECT_MARKER, details=field))
            # The value the run sees now must be what later replays will read back: the decoded JSON.
            value = payload.decode(text)["result"]
            if self.in_run_thread():
                self.call_log.append(lambda: self._record_side_effect_again(key, field))
        self._side_effect_values[key] = value
        return value
