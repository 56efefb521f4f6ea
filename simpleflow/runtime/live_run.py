"""A live run: one execution's ``run()``, kept parked between decision tasks and resumed in place.

The first decision task of a live run starts ``run()`` in its own thread
(:class:`~simpleflow.runtime.parking.RunThread`) against the task's whole history: submissions resolve
from the history as they are made, and the run parks at the first future it reads that is not done.
The decisions gathered until then are the answer. This is what a replay does, and a cache miss (a new
decider, an eviction, a restart, a run another decider handled meanwhile) is exactly that.

At a later decision task the run goes on instead of starting over (:meth:`LiveRun.decide`):

1. the run's :class:`~simpleflow.runtime.turn.Turn` moves to the new history (:meth:`Turn.begin`);
2. what ``run()`` submitted and is still open is made again in ``run()`` order
   (:meth:`~simpleflow.runtime.call_log.CallLog.redo`): futures resolve in place from the new
   events, and whatever a replay would decide for them now (a retry, a task a limit held back, a
   timer refused for SWF's rates) is decided;
3. the run resumes if what it parked on is done, and runs until it parks again or ends.

The live run gives the same decisions as a fresh replay of the whole history as long as ``run()``
would take the same path up to where it parked. It would not if a task failure now raises into
``run()`` at a point it already passed, if ``run()`` read the state of a future that has changed since
(``future.finished`` before it was), or if it read the history directly (``list_markers()``,
``get_event_details()``, ``self.executor.history``). Then :class:`Diverged` is raised, and the caller
starts a fresh live run against the whole history: the same mechanism, from the start.

What users see: on a live run, code before a blocking point runs once, not at every decision task
(``print`` in ``run()`` prints once). A fresh run after a miss goes over old ground again, up to the
future the last decision task parked on (its execution context names it): ``Workflow.logger`` stays
quiet until then, so the logs show each thing once. Hooks keep their timing: ``before_replay`` and
``after_replay`` at each decision task, the closing hooks when ``run()`` ends.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from simpleflow import decisions, payload
from simpleflow.exceptions import ExecutionBlocked, PayloadReferenceError
from simpleflow.history import History
from simpleflow.run_context import ExecutorView, build_run_context
from simpleflow.runtime.answer import Replay, execution_context, fit_response
from simpleflow.runtime.call_log import CallLog
from simpleflow.runtime.closing import Closing, RunOutcome, decider_backoff
from simpleflow.runtime.instance import WatchedStore, failure_hook_of, make_workflow
from simpleflow.runtime.parent_close import parent_close_requests
from simpleflow.runtime.parking import RunThread
from simpleflow.runtime.scheduling.scheduler import Scheduler
from simpleflow.runtime.turn import Turn
from simpleflow.workflow import ContinueAsNew, Workflow

__all__ = ["Diverged", "LiveRun", "RunOutcome", "RunSettings"]


@dataclass(frozen=True)
class RunSettings:
    """What a run is made with: the workflow class and :class:`simpleflow.executor.Executor`'s options."""

    workflow_cls: type[Workflow]
    activity_task_list: str | None = None
    payload_store: payload.PayloadStore | None = None
    #: Reported as ``domain_name`` in the run context (default: the one the decider binds).
    domain: str | None = None


def _parked_on(history: History) -> str | None:
    """The future the last decision task's run parked on, from its execution context (ours only)."""
    context = history.execution_context
    if not context:
        return None
    try:
        summary = json.loads(context)
    except ValueError:
        return None  # another decider's context: log everything
    waiting = summary.get("waiting_on") if isinstance(summary, dict) else None
    return waiting if isinstance(waiting, str) else None


class Diverged(Exception):
    """A live run cannot go on: ``run()`` would take another path now; a fresh run must decide."""


class LiveRun:
    """One execution's workflow instance, scheduler and ``run()`` thread, from decision task to task.

    It owns the run's state: the :class:`Turn` (the decision task being decided), the :class:`CallLog`,
    the :class:`Scheduler` (which composes the event fold), the workflow and its ``self.executor`` view.
    """

    def __init__(self, settings: RunSettings, decision_task: Mapping[str, Any], history: History) -> None:
        self.settings = settings
        execution = decision_task.get("workflowExecution") or {}
        self.workflow_id = execution.get("workflowId", "")
        self.run_id = execution.get("runId", "")
        run_context = build_run_context(
            history,
            workflow_id=self.workflow_id,
            run_id=self.run_id,
            store=settings.payload_store,
            domain=settings.domain,
        )
        self.store = None if settings.payload_store is None else WatchedStore(settings.payload_store)
        self.view = ExecutorView(
            settings.workflow_cls,
            history,
            run_context,
            activity_task_list=settings.activity_task_list,
            payload_store=self.store,
        )
        self.workflow = make_workflow(settings.workflow_cls, self.view)
        self.view.attach(self.workflow)
        self.turn = Turn(history)
        self.log = CallLog()
        self.scheduler = Scheduler(
            self.turn,
            self.log,
            workflow=self.workflow,
            failure_hook=failure_hook_of(self.workflow),
            workflow_id=self.workflow_id,
            run_id=self.run_id,
            activity_task_list=settings.activity_task_list,
            payload_store=self.store,
            max_open_activities=self.workflow.max_open_activity_count,
        )
        self.workflow.bind(self.scheduler, executor=self.view)
        self.closing = Closing(
            workflow=self.workflow, scheduler=self.scheduler, payload_store=settings.payload_store
        )
        self.thread: RunThread | None = None
        #: The ``startedEventId`` of the last decision task decided: the next one must follow it.
        self.started_event_id: int | None = None
        #: False once the run cannot go on from here (it ended, was cut short, or raised).
        self.resumable = True

    @property
    def history(self) -> History:
        """The history of the decision task this run last decided (or is deciding)."""
        return self.turn.history

    # -- deciding -------------------------------------------------------------------------------------------

    def decide(self, decision_task: Mapping[str, Any], history: History) -> Replay:
        """The answer to ``decision_task``, whose folded history is ``history``.

        Raises :class:`Diverged` when the run cannot go on (then nothing of it is to be used again).
        """
        fresh = self.thread is None
        if not fresh:
            if not self.resumable:
                raise Diverged("the run cannot go on from its last decision task")
            self.turn.begin(history)
            self.view.set_history(history)
        workflow, events = self.workflow, self.scheduler.events
        self.resumable = False  # until this decision task is through
        # Hooks get the history upstream's hooks got (its attributes, folded on first read) with every
        # name of ours too: overrides written for either project read what they expect.
        hooks_history = cast(History, self.view.history)
        with self.view.current():
            events.propagate_signals()
            if history.cancel_requested is not None and workflow.should_cancel(hooks_history):
                workflow.on_canceled(hooks_history)
                workflow.after_closed(hooks_history)
                closing: dict[str, Any] | None = decisions.cancel_workflow_execution()
            else:
                workflow.before_replay(hooks_history)
                outcome = self._step(history) if fresh else self._resume()
                if isinstance(outcome.failure, PayloadReferenceError):
                    # The store is at fault (or missing), not the workflow: never a failed execution.
                    raise outcome.failure
                closing = self.closing.decision(hooks_history, outcome)
            events.settle(run_ended=closing is not None)  # timers, signals, markers made and never used
        if self.store is not None and self.store.error is not None:
            raise self.store.error
        decided = self.turn.decisions
        if closing is not None:
            # Children whose parent close policy asks to cancel them (simpleflow.runtime.parent_close).
            decided = decided + parent_close_requests(history, decided, closing=closing) + [closing]
        sent = fit_response(decided, history)
        # A run that closed, or whose closing decision waits behind a cut, is not resumed: a fresh
        # run decides what is left, as a replay would.
        self.resumable = closing is None and self.thread is not None and self.thread.parked
        self.started_event_id = decision_task.get("startedEventId")
        return Replay(
            decisions=sent,
            execution_context=execution_context(history, sent, self.turn.blocked_on),
            backoff_seconds=decider_backoff(history, self.turn.decider_backoff),
        )

    def _step(self, history: History) -> RunOutcome:
        """Start ``run()`` against the whole history."""
        assert history.start is not None
        value = payload.decode(history.start.input, field="workflow input", store=self.settings.payload_store)
        args, kwargs = payload.parse_input(value)
        workflow = self.workflow
        self.thread = RunThread(
            lambda: workflow.run(*args, **kwargs),
            name=f"simpleflow-run {self.workflow_id}",
            quiet_until=_parked_on(history),
        )
        self.thread.step()
        return self._outcome(fresh=True)

    def _resume(self) -> RunOutcome:
        """Bring the parked run to the new history; resume it when what it waits on is done."""
        thread = self.thread
        assert thread is not None
        try:
            self.log.redo()
        except (Exception, ExecutionBlocked) as error:
            raise Diverged(f"a submission now raises into run(): {error!r}") from error
        if thread.read_history:
            raise Diverged("run() read the history, which has moved on")
        for future, state in thread.observed.values():
            # The stored state, not the property: an event's property would act (decide) on reading.
            now = future.__dict__.get("_state_value", future.__dict__.get("_state"))
            if now is not state:
                raise Diverged(f"run() saw {future!r} {state.value}, which has changed")
        if thread.ready():
            thread.step()
        return self._outcome(fresh=False)

    def _outcome(self, *, fresh: bool) -> RunOutcome:
        thread = self.thread
        assert thread is not None
        if thread.parked:
            waiting = thread.waiting_on
            self.turn.blocked_on = getattr(waiting, "task_id", None)
            return RunOutcome(blocked=True, fresh=fresh)
        kind, value = thread.outcome
        if kind == "returned":
            return RunOutcome(result=value, fresh=fresh)
        if isinstance(value, ExecutionBlocked):  # raised by run() itself: a replay's stop
            waiting = value.args[0] if value.args else None
            self.turn.blocked_on = getattr(waiting, "task_id", None)
            return RunOutcome(blocked=True, fresh=fresh)
        if isinstance(value, ContinueAsNew):
            return RunOutcome(continued=value, fresh=fresh)
        if isinstance(value, Exception):
            return RunOutcome(failure=value, fresh=fresh)
        raise value  # KeyboardInterrupt, SystemExit: not the workflow's outcome

    # -- ending ---------------------------------------------------------------------------------------------

    def close(self) -> bool:
        """Unwind the parked ``run()`` (if any); True when its thread ended."""
        self.resumable = False
        if self.thread is None:
            return True
        return self.thread.abandon()
