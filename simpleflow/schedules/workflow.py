"""``ScheduleWorkflow``: the scheduler execution of a schedule, a workflow like any other.

Its input is ``(schedule, state)``: the :class:`~simpleflow.schedules.spec.ScheduleSpec` as a dict, and the
:class:`~simpleflow.schedules.spec.ScheduleState` an earlier run handed on (``None`` at first). Its
workflow id is the schedule's name. ``run()`` is a loop:

1. unless paused (or at its ``limit``), start a timer for the next fire time;
2. wait for the first of: that timer, a signal (:data:`~simpleflow.schedules.naming.PAUSE_SIGNAL`,
   ``RESUME_SIGNAL``, ``TRIGGER_SIGNAL``), or a run of the schedule closing;
3. handle it at the time of the decision task that saw it (:mod:`simpleflow.schedules.clock`): a fire
   time starts a run, buffers or skips it (:func:`~simpleflow.schedules.policy.admit`), after catching up
   (:func:`~simpleflow.schedules.policy.slot_to_fire`); a closed run lets a buffered one start;
4. after ``wakes_per_run`` wake-ups, continue as new with the state, once no run it must watch is open.

Runs are child executions, and the scheduler's child policy is ABANDON: a run goes on when the scheduler
continues as new or is deleted. With ``start=independent``, a run is a top-level execution started by the
:func:`~simpleflow.schedules.starter.start_run` activity instead (its close is not seen: see there).

Any decider serves it: ``simpleflow decider.start`` with ``simpleflow.schedules.ScheduleWorkflow`` among
its workflows, and the scheduled workflow importable there.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from simpleflow import futures, payload
from simpleflow.futures import Future
from simpleflow.schedules.clock import EventClock
from simpleflow.schedules.naming import (
    MARKER,
    PAUSE_SIGNAL,
    RESUME_SIGNAL,
    SIGNALS,
    TRIGGER_SIGNAL,
    run_workflow_id,
)
from simpleflow.schedules.policy import Admission, OverlapPolicy, admit, slot_to_fire
from simpleflow.schedules.spec import ScheduleSpec, ScheduleState, StartMode, format_instant, parse_instant
from simpleflow.schedules.starter import start_run
from simpleflow.task import ActivityTask, ChildWorkflowTask, RemoteTask, WorkflowDefinition
from simpleflow.workflow import Workflow, find_workflow

__all__ = ["MAX_TIMER_SECONDS", "ROTATE_AFTER", "ScheduleWorkflow", "as_scheduled_run"]

#: The longest a scheduler waits on one timer (30 days).
MAX_TIMER_SECONDS = 30 * 86400
#: A scheduler run this old continues as new at its next wake-up, whatever its wake-up count: SWF ends
#: an execution after its start-to-close timeout, one year at most.
ROTATE_AFTER = timedelta(days=180)

# What a scheduled run keeps of its workflow class; the rest is the scheduler's (see as_scheduled_run).
_KEPT_ATTRIBUTES = (
    "name",
    "version",
    "task_list",
    "task_priority",
    "retry",
    "retry_delay",
    "retry_policy",
    "tag_list",
    "execution_timeout",
    "decision_tasks_timeout",
    "child_policy",
    "serializer",
)


def starter_activity_id(run_id: str) -> str:
    """The activity id of the :func:`start_run` task that starts the independent run ``run_id``."""
    return f"start-{run_id}"


def as_scheduled_run(workflow_cls: type[WorkflowDefinition]) -> type[WorkflowDefinition]:
    """``workflow_cls`` as the scheduler starts it: its type and settings, never raising into the scheduler.

    A run that fails must not fail its schedule, whatever the class's ``raises_on_failure``; and its id
    is the scheduler's (derived from the fire time), not one the class's input would give. The copy is
    a plain :class:`WorkflowDefinition`, so it is not registered as a workflow of its own.
    """
    attributes = {name: getattr(workflow_cls, name, None) for name in _KEPT_ATTRIBUTES}
    attributes.update(raises_on_failure=False, idempotent=False)
    return type(f"Scheduled{workflow_cls.__name__}", (WorkflowDefinition,), attributes)


@dataclass
class _Wait:
    """One thing ``run()`` waits for, and how to find the event that finishes it."""

    kind: str  # "timer", "signal", "run" (a child) or "starter" (the activity starting an independent run)
    key: str  # timer id, signal name or the run's workflow id
    future: Future[Any]
    rank: int = 0  # signals: the n-th of that name
    slot: datetime | None = None  # timers: the fire time it waits for (none: a paused keep-alive)
    partial: bool = False  # timers: it ends before its fire time (see ScheduleWorkflow.arm_timer)


class ScheduleWorkflow(Workflow):
    """The scheduler of one schedule (see the module): ``run(schedule, state=None)``."""

    name = "simpleflow.schedules.ScheduleWorkflow"
    version = "1"
    # The runs outlive the scheduler: its continue-as-new and its deletion leave them running.
    child_policy = "ABANDON"

    def get_task_id(self, task: RemoteTask, *, default: str) -> str:
        """A run's workflow id is the one :func:`run_workflow_id` gave it."""
        return self._run_ids.get(id(task), default)

    def run(self, schedule: dict[str, Any], state: dict[str, Any] | None = None) -> dict[str, Any]:
        """Fire the schedule until its ``limit`` (forever without one); returns a summary when it ends."""
        self.spec = ScheduleSpec.from_dict(schedule)
        self.independent = self.spec.start is StartMode.INDEPENDENT
        # A child's type comes from its class; an independent run is started by name by the worker.
        self.target = None if self.independent else as_scheduled_run(find_workflow(self.spec.workflow))
        self._run_ids: dict[int, str] = {}
        self._clock: EventClock | None = None
        self.runs: dict[str, _Wait] = {}
        self.closed: dict[str, str] = {}
        self.schedule_id = self.get_run_context().workflow_id
        now = started_at = self.clock().decision_time(1)
        self.state = ScheduleState.from_dict(state)
        if self.state.last_slot is None:
            self.state = replace(self.state, last_slot=format_instant(now))
        signals = {name: _Wait("signal", name, self.wait_signal(name), rank=1) for name in SIGNALS}
        timer: _Wait | None = None
        timers = wakes = 0
        while True:
            if self.is_at_limit() and not self.runs:
                return self.summary()
            if timer is None and not self.is_at_limit():
                timers += 1
                timer = self.arm_timer(f"fire-{timers}", now=now)
            waiting = [wait for wait in (timer, *signals.values(), *self.runs.values()) if wait is not None]
            futures.wait_for(*(wait.future for wait in waiting), return_when=futures.FIRST_COMPLETED)
            done = [wait for wait in waiting if wait.future.done]
            wake = min(done, key=self.finishing_event)
            now = self.clock().decision_time(self.finishing_event(wake))
            wakes += 1
            if wake.kind == "timer":
                timer = None
                wake.future.result  # noqa: B018 - a timer SWF refused fails the schedule, with its cause
                if wake.slot is not None and not wake.partial:
                    self.on_fire_time(wake.slot, now=now)
            elif wake.kind == "signal":
                signals[wake.key] = _Wait("signal", wake.key, self.wait_signal(wake.key), rank=wake.rank + 1)
                if wake.key == PAUSE_SIGNAL and not self.state.paused:
                    self.state = replace(self.state, paused=True)
                    if timer is not None:
                        self.cancel_timer(timer.key)
                        timer = None
                    self.note("paused", now)
                elif wake.key == RESUME_SIGNAL and self.state.paused:
                    if timer is not None:  # the keep-alive of a paused schedule
                        self.cancel_timer(timer.key)
                        timer = None
                    # Fire times that came while paused are passed over: the next one after now is due.
                    passed = self.spec.cadence.fires_between(parse_instant(self.state.last_slot or ""), now)
                    last_slot = format_instant(passed[-1]) if passed else self.state.last_slot
                    self.state = replace(self.state, paused=False, last_slot=last_slot)
                    self.note("resumed", now)
                elif wake.key == TRIGGER_SIGNAL:
                    self.state = replace(self.state, triggers=self.state.triggers + 1)
                    run_id = run_workflow_id(self.schedule_id, now, trigger=self.state.triggers)
                    self.admit_run(run_id, now=now, slot=now)
            elif wake.kind == "starter":
                self.on_started(wake, now=now)
            else:
                self.on_run_closed(wake)
            # A new run before the history grows large, and before this run nears SWF's execution timeout.
            is_due = wakes >= self.spec.wakes_per_run or now - started_at >= ROTATE_AFTER
            if is_due and self.may_continue_as_new():
                self.continue_as_new(self.spec.to_dict(), self.state.to_dict())

    def arm_timer(self, timer_id: str, *, now: datetime) -> _Wait:
        """The timer to the next fire time, at most :data:`MAX_TIMER_SECONDS` ahead (paused: a keep-alive).

        A scheduler never waits longer than that on one timer: it wakes up at least that often, so that
        it can continue as new well before SWF's execution timeout (one year at most), however rare its
        fire times are and however long it stays paused.
        """
        if self.state.paused:
            return _Wait("timer", timer_id, self.start_timer(timer_id, MAX_TIMER_SECONDS))
        slot = self.spec.cadence.next_fire(parse_instant(self.state.last_slot or ""))
        delay = max(0, math.ceil((slot - now).total_seconds()))
        future = self.start_timer(timer_id, min(delay, MAX_TIMER_SECONDS), control=format_instant(slot))
        return _Wait("timer", timer_id, future, slot=slot, partial=delay > MAX_TIMER_SECONDS)

    # -- the clock ----------------------------------------------------------------------------------------

    def clock(self) -> EventClock:
        """The event index of this run's history as it stands (rebuilt when the history grew)."""
        # Read below the ExecutorView on purpose: run() only looks up events that already finished one
        # of its futures, facts every later history holds unchanged, so this read need not make a live
        # run replay from the start the way reading the history's current state does.
        events = self.executor._native_history.events
        if self._clock is None or self._clock.size != len(events):
            self._clock = EventClock(events)
        return self._clock

    def finishing_event(self, wait: _Wait) -> int:
        """The id of the event that finished ``wait``'s future (the largest id when none is found)."""
        clock = self.clock()
        if wait.kind == "timer":
            event_id = clock.timer_fired(wait.key)
        elif wait.kind == "signal":
            event_id = clock.signal(wait.key, wait.rank)
        elif wait.kind == "starter":
            event_id = clock.activity_closed(starter_activity_id(wait.key))
        else:
            event_id = clock.child_closed(wait.key)
        return sys.maxsize if event_id is None else event_id

    # -- fire times and runs ------------------------------------------------------------------------------

    def is_at_limit(self) -> bool:
        """Whether the schedule started (or buffered) as many runs as its ``limit`` allows."""
        limit = self.spec.limit
        starting = sum(wait.kind == "starter" for wait in self.runs.values())
        return (
            limit is not None and self.state.started + starting + (self.state.buffered is not None) >= limit
        )

    def on_fire_time(self, slot: datetime, *, now: datetime) -> None:
        """The timer for ``slot`` fired: catch up on what came due since the last one, then fire."""
        # A timer never fires early on SWF; the max() keeps synthetic histories (one second per event) sane.
        until = max(now, slot)
        due = self.spec.cadence.fires_between(parse_instant(self.state.last_slot or ""), until)
        chosen = slot_to_fire(due or [slot], now=until, catch_up=self.spec.catch_up)
        missed = len(due) - (chosen is not None)
        self.state = replace(self.state, last_slot=format_instant(due[-1] if due else slot))
        if missed > 0:
            self.state = replace(self.state, missed=self.state.missed + missed)
            self.note("missed", now, count=missed, until=self.state.last_slot)
        if chosen is not None:
            self.admit_run(run_workflow_id(self.schedule_id, chosen), now=now, slot=chosen)

    def admit_run(self, run_id: str, *, now: datetime, slot: datetime) -> None:
        """Start, buffer or skip the run ``run_id`` of fire time ``slot``, as the overlap policy says."""
        if self.is_at_limit():
            return
        # Independent runs are never watched: the starter activity applies the skip policy itself.
        running = 0 if self.independent else len(self.runs)
        admission = admit(self.spec.overlap, running=running, buffered=self.state.buffered is not None)
        if admission is Admission.START:
            self.start_run(run_id)
        elif admission is Admission.BUFFER:
            self.state = replace(self.state, buffered=run_id)
            self.note("buffered", now, workflow_id=run_id, slot=format_instant(slot))
        else:
            self.state = replace(self.state, skipped=self.state.skipped + 1)
            self.note("skipped", now, workflow_id=run_id, slot=format_instant(slot))

    def start_run(self, run_id: str) -> None:
        """Start the scheduled workflow as ``run_id`` (a child, or through the starter) with its input."""
        if self.target is None:
            previous = self.state.last_run if self.spec.overlap is OverlapPolicy.SKIP else None
            starter = ActivityTask(start_run, self.spec.workflow, run_id, self.spec.input, previous)
            self._run_ids[id(starter)] = starter_activity_id(run_id)
            self.runs[run_id] = _Wait("starter", run_id, self.submit(starter))
            return
        args, kwargs = payload.parse_input(self.spec.input)
        task = ChildWorkflowTask(self.target, *args, **kwargs)
        self._run_ids[id(task)] = run_id
        self.runs[run_id] = _Wait("run", run_id, self.submit(task))
        self.state = self.state.with_run(run_id)
        self.logger.info("schedule %s: started %s", self.schedule_id, run_id)

    def on_started(self, wait: _Wait, *, now: datetime) -> None:
        """The starter of an independent run ended: the run started, was skipped, or did not start."""
        del self.runs[wait.key]
        outcome = wait.future.result  # None when the activity failed for good (it does not raise)
        if isinstance(outcome, dict) and outcome.get("started"):
            self.state = self.state.with_run(wait.key)
            self.note("started", now, workflow_id=wait.key, run_id=outcome.get("run_id"))
        elif isinstance(outcome, dict):
            self.state = replace(self.state, skipped=self.state.skipped + 1)
            self.note("skipped", now, workflow_id=wait.key, open=outcome.get("open"))
        else:
            reason = str(wait.future.exception or "the starter activity failed")[:200]
            self.note("not started", now, workflow_id=wait.key, reason=reason)

    def on_run_closed(self, wait: _Wait) -> None:
        """A run closed: note how, and start the buffered run if one waits."""
        del self.runs[wait.key]
        error = wait.future.exception
        self.closed[wait.key] = "completed" if error is None else type(error).__name__
        buffered = self.state.buffered
        if buffered is not None:
            self.state = replace(self.state, buffered=None)
            self.start_run(buffered)

    def may_continue_as_new(self) -> bool:
        """Whether a new run may take over: it would not see the open runs close, so none must be watched."""
        if self.state.buffered is not None or any(wait.kind == "starter" for wait in self.runs.values()):
            return False
        return not self.runs or self.spec.overlap is OverlapPolicy.ALLOW_ALL

    def note(self, event: str, now: datetime, **details: Any) -> None:
        """Record the :data:`MARKER` for ``event`` (what the history shows no other way)."""
        self.record_marker(MARKER, {"event": event, "at": format_instant(now), **details})

    def summary(self) -> dict[str, Any]:
        """What the scheduler returns once at its limit: its state, and how this run's runs closed."""
        return {**self.state.to_dict(), "closed": dict(self.closed)}
