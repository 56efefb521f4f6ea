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
that the decider leaves the decision task to time out and a fixed deployment can carry on.

Throttling: decisions are a pure function of the history. A response SWF throttles or loses is decided
again, identically, on the next decision task; a decision SWF refuses for its rates or limits
(``ScheduleActivityTaskFailed`` with ``ACTIVITY_CREATION_RATE_EXCEEDED`` or
``OPEN_ACTIVITIES_LIMIT_EXCEEDED``, and the same for Lambda functions and children) is made again
after a back-off timer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simpleflow import decisions, payload
from simpleflow.exceptions import ExecutionBlocked, PayloadError, SimpleflowError, WorkflowFailed
from simpleflow.history import History
from simpleflow.scheduler import Scheduler
from simpleflow.task import internal_timer_id
from simpleflow.workflow import ContinueAsNew, Workflow

__all__ = ["Executor", "Replay", "fit_response"]

#: Room kept in a response for the task token, the execution context and the JSON envelope.
RESPONSE_OVERHEAD_BYTES = 64 * 1024
_WAKE_UP = "wake-up"
_CLOSING_DECISIONS = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)


@dataclass(frozen=True)
class Replay:
    """The outcome of one replay: the decisions to send and the execution context to attach."""

    decisions: list[dict[str, Any]] = field(default_factory=list)
    execution_context: str | None = None


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
        if decision["decisionType"] in _CLOSING_DECISIONS:
            break  # never close the execution while decisions are left for the next turn
        if len(kept) + 1 >= decisions.MAX_DECISIONS_PER_RESPONSE or total + size > budget:
            break
        kept.append(decision)
        total += size
    return [*kept, wake_up]


class Executor:
    """Replays ``workflow_cls`` against decision tasks; see the module documentation."""

    def __init__(
        self,
        workflow_cls: type[Workflow],
        *,
        activity_task_list: str | None = None,
        payload_store: payload.PayloadStore | None = None,
    ) -> None:
        self.workflow_cls = workflow_cls
        self.activity_task_list = activity_task_list
        self.payload_store = payload_store

    def replay(self, decision_task: Mapping[str, Any]) -> Replay:
        """Re-run the workflow against the decision task's history; return what to decide."""
        history = History(decision_task["events"])
        if history.start is None:
            raise SimpleflowError("the history has no WorkflowExecutionStarted event; merge every page first")
        execution = decision_task.get("workflowExecution") or {}
        workflow = self.workflow_cls()
        scheduler = Scheduler(
            history,
            workflow=workflow,
            workflow_id=execution.get("workflowId", ""),
            run_id=execution.get("runId", ""),
            activity_task_list=self.activity_task_list,
            payload_store=self.payload_store,
            max_open_activities=workflow.max_open_activity_count,
        )
        workflow.bind(scheduler)
        scheduler.propagate_signals()
        if history.cancel_requested is not None and workflow.should_cancel(history):
            workflow.on_canceled(history)
            closing: dict[str, Any] | None = decisions.cancel_workflow_execution()
        else:
            closing = self._run(workflow, scheduler, history)
        decided = scheduler.decisions + ([closing] if closing is not None else [])
        return Replay(decisions=fit_response(decided, history))

    def _run(self, workflow: Workflow, scheduler: Scheduler, history: History) -> dict[str, Any] | None:
        assert history.start is not None
        value = payload.decode(history.start.input, field="workflow input", store=self.payload_store)
        args, kwargs = payload.parse_input(value)
        workflow.before_replay(history)
        failure: BaseException | None = None
        try:
            result = workflow.run(*args, **kwargs)
            blocked = False
        except ExecutionBlocked:
            blocked = True
        except ContinueAsNew as request:
            workflow.after_replay(history)
            self._raise_nondeterminism(scheduler)
            return self._continue_as_new(workflow, history, request)
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
                text = payload.fit(
                    "result", payload.encode(result, field="workflow result"), store=self.payload_store
                )
            except PayloadError as error:
                failure = error
            else:
                workflow.on_completed(history)
                return decisions.complete_workflow_execution(result=text)
        return self._fail(workflow, history, failure)

    @staticmethod
    def _raise_nondeterminism(scheduler: Scheduler) -> None:
        # Raised again here because run() may have caught it: the replay cannot be trusted either way.
        if scheduler.nondeterminism is not None:
            raise scheduler.nondeterminism

    def _fail(self, workflow: Workflow, history: History, failure: BaseException) -> dict[str, Any]:
        if isinstance(failure, WorkflowFailed):
            reason = str(failure.reason)[: payload.FIELD_LIMITS["reason"]]
            details = None if failure.details is None else payload.encode(failure.details, field="details")
        else:
            reason, details = payload.encode_failure(failure)
        workflow.on_failure(history, reason, details)
        if details is not None:
            details = payload.fit("details", details, store=self.payload_store)
        return decisions.fail_workflow_execution(reason=reason, details=details)

    def _continue_as_new(
        self, workflow: Workflow, history: History, request: ContinueAsNew
    ) -> dict[str, Any]:
        assert history.start is not None
        text = payload.fit(
            "input", payload.encode_input(request.args_, request.kwargs), store=self.payload_store
        )
        return decisions.continue_as_new_workflow_execution(
            input=text,
            task_list=history.start.task_list,
            task_priority=workflow.task_priority,
            execution_start_to_close_timeout=workflow.execution_timeout,
            task_start_to_close_timeout=workflow.decision_tasks_timeout,
            child_policy=workflow.child_policy,
            tag_list=workflow.tag_list or list(history.start.tag_list) or None,
            workflow_type_version=workflow.version,
        )
