"""The replay executor: a workflow class plus a decision task in, the decisions to send out.

This is the one place where decider logic lives; the decider process, the ``--local`` runner and the
tests all go through it.

Interface::

    executor = Executor(MyWorkflow, activity_task_list=None, payload_store=None)
    replay = executor.replay(decision_task)   # -> Replay(decisions=[...], execution_context=None)

``decision_task`` is exactly boto3's ``poll_for_decision_task`` response with the events of every page
merged into ``events`` (keys ``taskToken``, ``startedEventId``, ``previousStartedEventId``,
``workflowExecution``, ``workflowType``, ``events``). ``replay.decisions`` are boto3-shaped decision
dicts for ``respond_decision_task_completed(decisions=..., executionContext=...)``.
``activity_task_list`` sends every activity to that task list (``standalone`` runs use a unique one);
``payload_store`` takes fields over SWF's limits out of band (:mod:`simpleflow.payload`).

What one replay does:

1. Reads the history through :class:`~simpleflow.history.History` and makes a fresh workflow instance
   bound to a fresh :class:`~simpleflow.scheduler.Scheduler` (no global state: a later decider cache
   can keep both between decision tasks of one run).
2. Forwards signals sent with ``propagate=True`` to the parent and children.
3. On a cancel request, asks ``should_cancel(history)``; if yes, calls ``on_canceled`` and decides
   ``CancelWorkflowExecution``.
4. Otherwise runs ``before_replay``, ``run(*args, **kwargs)`` (input from ``WorkflowExecutionStarted``,
   :func:`simpleflow.payload.parse_input`), ``after_replay``. Submissions are resolved from the history
   as they are made (see :mod:`simpleflow.scheduler`); reading a future that is not done raises
   :class:`~simpleflow.exceptions.ExecutionBlocked`, which ends the replay with the decisions gathered
   so far.
5. When ``run()`` returned: ``on_completed`` and ``CompleteWorkflowExecution`` with the JSON result.
   When it raised (or called ``fail()``): ``on_failure`` and ``FailWorkflowExecution`` with
   :func:`simpleflow.payload.encode_failure` (or the ``fail()`` reason and details). When it called
   ``continue_as_new()``: ``ContinueAsNewWorkflowExecution``.
6. Keeps the response within SWF's limits: at most 100 decisions and under 1 MB. When more is decided,
   a prefix is sent followed by a zero-second wake-up ``StartTimer``; the closing decision is held back.
   Nothing is lost, because whatever was cut is decided again by the replay the timer brings.

Nondeterminism: :class:`~simpleflow.exceptions.NondeterminismError` (task id, what the history holds,
what the code produced) is raised out of :meth:`Executor.replay` rather than failing the execution, so
that the decider leaves the decision task to time out and a fixed deployment can carry on. So is a
:class:`~simpleflow.exceptions.PayloadReferenceError` met while reading the history (a payload whose
digest does not match, a missing payload, an unreachable store), even if ``run()`` caught it: the store
is at fault, not the workflow, and the execution resumes once the store is repaired.

Payloads: every field read from the history (workflow input, results, failure reasons and details,
signal inputs, marker details) is decoded with ``payload_store``, and every field sent (activity and
child input, workflow result, failure reason and details, signal input, marker details, continue-as-new
input) is encoded with the sender's ``serializer`` (``Activity.serializer``, ``Workflow.serializer``)
and goes out of band when over SWF's limit, so ``run()`` never sees a reference.

Throttling never loses a decision, because decisions are a pure function of the history and of
``run()``: whatever SWF did not record is decided again by a later replay. In detail:

- a ``RespondDecisionTaskCompleted`` call that SWF throttles (or that is lost) is retried by the
  client; if it never lands, the decision task times out and the next one replays the same history to
  the same decisions;
- a decision SWF refuses for its rates or limits is recorded as a ``*Failed`` event, which SWF answers
  with a new decision task at once. To avoid hammering SWF in a tight loop, the replay makes it again
  only after an exponential back-off timer (1 s, 2 s, ... 60 s): ``ScheduleActivityTaskFailed``
  (``ACTIVITY_CREATION_RATE_EXCEEDED``, ``OPEN_ACTIVITIES_LIMIT_EXCEEDED``), ``ScheduleLambdaFunctionFailed``
  and ``StartChildWorkflowExecutionFailed`` with their rate and open-count causes,
  ``SignalExternalWorkflowExecutionFailed`` and ``RequestCancelExternalWorkflowExecutionFailed`` with
  ``*_RATE_EXCEEDED``, and ``ContinueAsNewWorkflowExecutionFailed`` with
  ``CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED``. Other causes are permanent: the task fails
  with :class:`~simpleflow.exceptions.TaskFailed` naming the cause;
- a timer SWF refuses (``StartTimerFailed`` with ``TIMER_CREATION_RATE_EXCEEDED`` or
  ``OPEN_TIMERS_LIMIT_EXCEEDED``) cannot wait behind a timer: it is started again under the same id and
  :attr:`Replay.backoff_seconds` asks the decider to wait (1 s, 2 s, ... capped) before answering. A
  refused back-off or retry-delay timer therefore never lets the task it guards be scheduled early. A
  refused wake-up timer (step 6) loses nothing either: the refusal itself brings the next decision task.

Execution context: each replay sets a small JSON summary that ``DescribeWorkflowExecution`` returns as
``latestExecutionContext`` (and inspection can show): ``{"open": {...}, "waiting_on": ...}``, the number
of open tasks per kind, and the id of the future ``run()`` blocked on (``null`` when it did not block).
It is informational only: nothing reads it back into a replay, so the replay stays a function of the
history alone.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from simpleflow import decisions, payload
from simpleflow.exceptions import (
    ExecutionBlocked,
    PayloadError,
    PayloadReferenceError,
    PayloadTooLarge,
    SimpleflowError,
    WorkflowFailed,
)
from simpleflow.history import History, TaskKind, TimerState
from simpleflow.replay_events import Gate, throttle_delay
from simpleflow.run_context import ExecutorView, build_run_context, class_tags, resolve_tags
from simpleflow.scheduler import Scheduler
from simpleflow.task import internal_timer_id
from simpleflow.workflow import ContinueAsNew, Workflow

__all__ = ["Executor", "Replay", "execution_context", "fit_response", "make_workflow"]

#: The longest the decider is asked to wait before answering (a timer refused for SWF's rates).
MAX_DECIDER_BACKOFF = 30.0
#: The ``ContinueAsNewWorkflowExecutionFailed`` cause that passes with time.
CONTINUE_AS_NEW_THROTTLED = "CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED"
#: Room kept in a response for the task token, the execution context and the JSON envelope.
RESPONSE_OVERHEAD_BYTES = 64 * 1024
_WAKE_UP = "wake-up"


@dataclass(frozen=True)
class Replay:
    """The outcome of one replay: the decisions to send and the execution context to attach.

    ``backoff_seconds`` is how long the decider should wait before sending them (non-zero only when SWF
    refused a timer for its rates or limits; see the module documentation).
    """

    decisions: list[dict[str, Any]] = field(default_factory=list)
    execution_context: str | None = None
    backoff_seconds: float = 0.0


def fit_response(decisions_: list[dict[str, Any]], history: History) -> list[dict[str, Any]]:
    """``decisions_`` cut to SWF's limits, with a zero-second wake-up timer when anything was cut."""
    budget = decisions.MAX_REQUEST_BYTES - RESPONSE_OVERHEAD_BYTES
    sizes = [decisions.decision_size(decision) for decision in decisions_]
    if len(decisions_) <= decisions.MAX_DECISIONS_PER_RESPONSE and sum(sizes) <= budget:
        return decisions_
    wake_ups = sum(1 for timer in history.timers() if timer.timer_id.startswith(internal_timer_id(_WAKE_UP)))
    wake_up = decisions.start_timer(internal_timer_id(_WAKE_UP, wake_ups + 1), start_to_fire_timeout=0)
    kept: list[dict[str, Any]] = []
    total = decisions.decision_size(wake_up)
    for decision, size in zip(decisions_, sizes, strict=True):
        if decision["decisionType"] in decisions.CLOSING_DECISION_TYPES:
            break  # never close the execution while decisions are left for the next turn
        if len(kept) + 1 >= decisions.MAX_DECISIONS_PER_RESPONSE or total + size > budget:
            break
        kept.append(decision)
        total += size
    return [*kept, wake_up]


def make_workflow(workflow_cls: type[Workflow], executor: ExecutorView) -> Workflow:
    """An instance of ``workflow_cls``: given ``executor`` when its ``__init__`` takes one (upstream's form).

    A subclass written ``def __init__(self): ...`` gets no argument; the executor is bound afterwards.
    """
    try:
        parameters = list(inspect.signature(workflow_cls).parameters.values())
    except (TypeError, ValueError):  # a C-level or otherwise opaque __init__: assume upstream's form
        return workflow_cls(executor)
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    takes_one = any(p.kind in positional or p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters)
    if takes_one:
        return workflow_cls(executor)
    return workflow_cls()


class Executor:
    """Replays ``workflow_cls`` against decision tasks; see the module documentation."""

    def __init__(
        self,
        workflow_cls: type[Workflow],
        *,
        activity_task_list: str | None = None,
        payload_store: payload.PayloadStore | None = None,
        domain: str | None = None,
    ) -> None:
        self.workflow_cls = workflow_cls
        self.activity_task_list = activity_task_list
        self.payload_store = payload_store
        #: Reported as ``domain_name`` in the run context (default: the one the decider binds).
        self.domain = domain

    def replay(self, decision_task: Mapping[str, Any], *, history: History | None = None) -> Replay:
        """Re-run the workflow against the decision task's history; return what to decide.

        ``history`` is the task's events already folded, when the caller kept the run's history from
        an earlier decision task (see :meth:`History.extended`); it must hold exactly those events.
        """
        if history is None:
            history = History(decision_task["events"])
        if history.start is None:
            raise SimpleflowError("the history has no WorkflowExecutionStarted event; merge every page first")
        execution = decision_task.get("workflowExecution") or {}
        run_context = build_run_context(
            history,
            workflow_id=execution.get("workflowId", ""),
            run_id=execution.get("runId", ""),
            store=self.payload_store,
            domain=self.domain,
        )
        view = ExecutorView(
            self.workflow_cls, history, run_context, activity_task_list=self.activity_task_list
        )
        workflow = make_workflow(self.workflow_cls, view)
        view.workflow = workflow
        store = None if self.payload_store is None else WatchedStore(self.payload_store)
        scheduler = Scheduler(
            history,
            workflow=workflow,
            workflow_id=execution.get("workflowId", ""),
            run_id=execution.get("runId", ""),
            activity_task_list=self.activity_task_list,
            payload_store=store,
            max_open_activities=workflow.max_open_activity_count,
        )
        view.scheduler = scheduler
        workflow.bind(scheduler, executor=view)
        # Hooks get the history upstream's hooks got (its attributes, folded on first read) with every
        # name of ours too: overrides written for either project read what they expect.
        hooks_history = cast(History, view.history)
        with view.current():
            scheduler.propagate_signals()
            if history.cancel_requested is not None and workflow.should_cancel(hooks_history):
                workflow.on_canceled(hooks_history)
                workflow.after_closed(hooks_history)
                closing: dict[str, Any] | None = decisions.cancel_workflow_execution()
            else:
                closing = self._run(workflow, scheduler, hooks_history)
            scheduler.settle(run_ended=closing is not None)  # timers, signals, markers made and never used
        if store is not None and store.error is not None:
            raise store.error
        decided = scheduler.decisions + ([closing] if closing is not None else [])
        sent = fit_response(decided, history)
        return Replay(
            decisions=sent,
            execution_context=execution_context(history, sent, scheduler.blocked_on),
            backoff_seconds=self._backoff(history, scheduler.decider_backoff),
        )

    @staticmethod
    def _backoff(history: History, wanted: float) -> float:
        if wanted <= 0:
            return 0.0
        # Answer well within the decision task's timeout, or SWF would time the task out and redeliver.
        assert history.start is not None
        timeout = history.start.task_start_to_close_timeout
        cap = int(timeout) / 3 if timeout and timeout.isdigit() else MAX_DECIDER_BACKOFF
        return float(min(wanted, MAX_DECIDER_BACKOFF, cap))

    def _run(self, workflow: Workflow, scheduler: Scheduler, history: History) -> dict[str, Any] | None:
        assert history.start is not None
        value = payload.decode(history.start.input, field="workflow input", store=self.payload_store)
        args, kwargs = payload.parse_input(value)
        workflow.before_replay(history)
        failure: BaseException | None = None
        try:
            result = workflow.run(*args, **kwargs)
            blocked = False
        except ExecutionBlocked as stop:
            blocked = True
            waiting = stop.args[0] if stop.args else None
            scheduler.blocked_on = getattr(waiting, "task_id", None)
        except ContinueAsNew as request:
            workflow.after_replay(history)
            self._raise_nondeterminism(scheduler)
            return self._continue_as_new(workflow, scheduler, history, request)
        except Exception as error:
            failure, blocked = error, False
        workflow.after_replay(history)
        self._raise_nondeterminism(scheduler)
        if scheduler.fail_request is not None:
            failure = scheduler.fail_request
        if failure is None and not scheduler.raised_failure:
            scheduler.check_unproduced()
        if blocked and failure is None:
            return None
        if failure is None:
            try:
                text = payload.encode_field(
                    "result",
                    result,
                    store=self.payload_store,
                    serializer=workflow.serializer,
                    field="workflow result",
                )
            except PayloadError as error:
                failure = error
            else:
                workflow.on_completed(history)
                workflow.after_closed(history)
                return decisions.complete_workflow_execution(result=text)
        return self._fail(workflow, history, failure)

    @staticmethod
    def _raise_nondeterminism(scheduler: Scheduler) -> None:
        # Raised again here because run() may have caught it: the replay cannot be trusted either way.
        if scheduler.nondeterminism is not None:
            raise scheduler.nondeterminism
        store = scheduler.payload_store
        if isinstance(store, WatchedStore) and store.error is not None:
            raise store.error

    def _fail(self, workflow: Workflow, history: History, failure: BaseException) -> dict[str, Any]:
        store = self.payload_store
        if isinstance(failure, WorkflowFailed):
            reason = self._reason(str(failure.reason))
            details = None
            if failure.details is not None:
                details = payload.encode(failure.details, field="details", serializer=workflow.serializer)
        else:
            reason, details = payload.encode_failure(failure, store=store)
        workflow.on_failure(history, reason, details)
        workflow.after_closed(history)
        if details is not None:
            try:
                details = payload.fit("details", details, store=store, field="workflow failure details")
            except PayloadTooLarge as error:
                # The execution must still fail: with why its details could not travel.
                reason, details = payload.encode_failure(error)
        return decisions.fail_workflow_execution(reason=reason, details=details)

    def _reason(self, reason: str) -> str:
        """A failure reason within SWF's 256 characters: out of band when a store is set, else truncated.

        Truncating rather than raising, because the execution must still fail; the store keeps the whole.
        """
        limit = payload.FIELD_LIMITS["reason"]
        if len(reason) <= limit:
            return reason
        if self.payload_store is not None:
            try:
                return payload.fit(
                    "reason", reason, store=self.payload_store, field="workflow failure reason"
                )
            except PayloadTooLarge:
                pass  # the store's URL makes even the reference too long: fall back to truncating
        return reason[: limit - 3] + "..."

    def _continue_as_new(
        self, workflow: Workflow, scheduler: Scheduler, history: History, request: ContinueAsNew
    ) -> dict[str, Any] | None:
        assert history.start is not None
        refusals = sum(
            1
            for failure in history.decision_failures
            if failure.event_type == "ContinueAsNewWorkflowExecutionFailed"
            and failure.cause == CONTINUE_AS_NEW_THROTTLED
        )
        if refusals:
            gate, _ = scheduler.back_off(
                internal_timer_id("throttle", refusals, "continue-as-new"), throttle_delay(refusals)
            )
            if gate is Gate.WAITING:
                return None  # continued once the back-off timer fires
        text = payload.encode_field(
            "input",
            {"args": list(request.args_), "kwargs": dict(request.kwargs)},
            store=self.payload_store,
            serializer=workflow.serializer,
            field="continue-as-new input",
        )
        return decisions.continue_as_new_workflow_execution(
            input=text,
            task_list=history.start.task_list,
            task_priority=workflow.task_priority,
            execution_start_to_close_timeout=workflow.execution_timeout,
            task_start_to_close_timeout=workflow.decision_tasks_timeout,
            child_policy=workflow.child_policy,
            # Upstream's get_tag_list/tag_list; INHERIT_TAG_LIST (or none) keeps this run's tags.
            tag_list=resolve_tags(
                class_tags(type(workflow), request.args_, request.kwargs), parent=history.start.tag_list
            )
            or list(history.start.tag_list)
            or None,
            workflow_type_version=workflow.version,
        )


class WatchedStore:
    """The executor's store for one replay: remembers the first payload it could not deliver.

    A :class:`~simpleflow.exceptions.PayloadReferenceError` raised inside ``run()`` may be caught there;
    the executor raises it again after the run (see the module documentation). Digests are checked here,
    so that a mismatch is seen too.
    """

    verifies_digests = True

    def __init__(self, store: payload.PayloadStore) -> None:
        self.store = store
        self.url: str = getattr(store, "url", repr(store))
        self.error: PayloadReferenceError | None = None

    def put(self, data: bytes) -> str:
        """Store through the wrapped store."""
        return self.store.put(data)

    def get(self, reference: str) -> bytes:
        """Fetch and verify; a failure is remembered before it is raised."""
        try:
            data = self.store.get(reference)
            if not getattr(self.store, "verifies_digests", False):
                payload.verify(reference, data)
        except PayloadReferenceError as error:
            if self.error is None:
                self.error = error
            raise
        return data

    def delete(self, reference: str) -> None:
        """Delete through the wrapped store."""
        self.store.delete(reference)


def execution_context(history: History, sent: list[dict[str, Any]], blocked_on: str | None) -> str:
    """The JSON summary attached to a decision (see the module documentation): small and deterministic."""
    open_tasks = {kind.value: len([r for r in history.tasks(kind) if r.state.is_open]) for kind in TaskKind}
    open_tasks["timer"] = sum(1 for timer in history.timers() if timer.state is TimerState.STARTED)
    decided: dict[str, int] = {}
    for decision in sent:
        decided[decision["decisionType"]] = decided.get(decision["decisionType"], 0) + 1
    summary = {"open": open_tasks, "decided": decided, "waiting_on": blocked_on}
    return payload.encode(summary, field="execution context")[: payload.FIELD_LIMITS["control"]]
