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
   bound to a fresh :class:`~simpleflow.runtime.scheduling.scheduler.Scheduler` (no global state: the
   decider's :class:`~simpleflow.runtime.cache.RunCache` keeps both between decision tasks of one run).
2. Forwards signals sent with ``propagate=True`` to the parent and children.
3. On a cancel request, asks ``should_cancel(history)``; if yes, calls ``on_canceled`` and decides
   ``CancelWorkflowExecution``.
4. Otherwise runs ``before_replay``, ``run(*args, **kwargs)`` (input from ``WorkflowExecutionStarted``,
   :func:`simpleflow.payload.parse_input`), ``after_replay``. Submissions are resolved from the history
   as they are made (see :mod:`simpleflow.runtime.scheduling.scheduler`); reading a future that is not
   done raises :class:`~simpleflow.exceptions.ExecutionBlocked`, which ends the replay with the
   decisions gathered so far.
5. When ``run()`` returned (:mod:`simpleflow.runtime.closing`): ``on_completed`` and
   ``CompleteWorkflowExecution`` with the JSON result.
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

from collections.abc import Mapping
from typing import Any

from simpleflow import payload
from simpleflow.exceptions import SimpleflowError
from simpleflow.history import History
from simpleflow.runtime.answer import Replay, execution_context, fit_response
from simpleflow.runtime.cache import RunCache
from simpleflow.runtime.closing import CONTINUE_AS_NEW_THROTTLED, MAX_DECIDER_BACKOFF
from simpleflow.runtime.instance import make_workflow
from simpleflow.runtime.live_run import LiveRun, RunSettings
from simpleflow.workflow import Workflow

__all__ = [
    "CONTINUE_AS_NEW_THROTTLED",
    "MAX_DECIDER_BACKOFF",
    "Executor",
    "Replay",
    "execution_context",
    "fit_response",
    "make_workflow",
]


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

    @property
    def settings(self) -> RunSettings:
        """What the runs of this executor are made with."""
        return RunSettings(
            self.workflow_cls,
            activity_task_list=self.activity_task_list,
            payload_store=self.payload_store,
            domain=self.domain,
        )

    def replay(
        self,
        decision_task: Mapping[str, Any],
        *,
        history: History | None = None,
        runs: RunCache | None = None,
    ) -> Replay:
        """What to decide for the decision task: the workflow run against the task's history.

        ``history`` is the task's events already folded, when the caller kept the run's history from
        an earlier decision task (see :meth:`History.extended`); it must hold exactly those events.
        ``runs`` keeps live runs between decision tasks (:class:`~simpleflow.runtime.cache.RunCache`):
        a run found there goes on from where it parked; without it, every task starts a fresh run
        against the whole history and ends it (a replay).
        """
        if history is None:
            history = History(decision_task["events"])
        if history.start is None:
            raise SimpleflowError("the history has no WorkflowExecutionStarted event; merge every page first")
        if runs is None:
            run = LiveRun(self.settings, decision_task, history)
            try:
                return run.decide(decision_task, history)
            finally:
                run.close()
        return runs.decide(self.settings, decision_task, history)

    def start_run(self, decision_task: Mapping[str, Any], history: History) -> LiveRun:
        """A new live run of the workflow for the decision task's execution (not started yet)."""
        return LiveRun(self.settings, decision_task, history)
