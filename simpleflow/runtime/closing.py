"""The closing decision of a decision task: complete, fail or continue as new, from what ``run()`` did.

When ``run()`` returned: ``on_completed`` and ``CompleteWorkflowExecution`` with the JSON result. When it
raised (or called ``fail()``): ``on_failure`` and ``FailWorkflowExecution`` with
:func:`simpleflow.payload.encode_failure` (or the ``fail()`` reason and details). When it called
``continue_as_new()``: ``ContinueAsNewWorkflowExecution``, after a back-off timer when SWF refused it for
its rate. Nondeterminism, and a payload the store could not deliver, are raised instead (see
:mod:`simpleflow.executor`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simpleflow import decisions, payload
from simpleflow.exceptions import PayloadError, PayloadTooLarge, WorkflowFailed
from simpleflow.history import History
from simpleflow.run_context import class_tags, resolve_tags
from simpleflow.runtime.events.backoff import Gate, throttle_delay
from simpleflow.runtime.instance import raise_nondeterminism
from simpleflow.runtime.scheduling.scheduler import Scheduler
from simpleflow.task import internal_timer_id
from simpleflow.workflow import ContinueAsNew, Workflow

__all__ = ["CONTINUE_AS_NEW_THROTTLED", "MAX_DECIDER_BACKOFF", "Closing", "RunOutcome", "decider_backoff"]

#: The longest the decider is asked to wait before answering (a timer refused for SWF's rates).
MAX_DECIDER_BACKOFF = 30.0
#: The ``ContinueAsNewWorkflowExecutionFailed`` cause that passes with time.
CONTINUE_AS_NEW_THROTTLED = "CONTINUE_AS_NEW_WORKFLOW_EXECUTION_RATE_EXCEEDED"


@dataclass
class RunOutcome:
    """Where ``run()`` stands at the end of a decision task."""

    blocked: bool = False
    result: Any = None
    failure: BaseException | None = None
    continued: ContinueAsNew | None = None
    #: Whether ``run()`` went through the whole history at this task (a fresh run).
    fresh: bool = True


def decider_backoff(history: History, wanted: float) -> float:
    """How long the decider waits before answering (see :attr:`Replay.backoff_seconds`)."""
    if wanted <= 0:
        return 0.0
    # Answer well within the decision task's timeout, or SWF would time the task out and redeliver.
    assert history.start is not None
    timeout = history.start.task_start_to_close_timeout
    cap = int(timeout) / 3 if timeout and timeout.isdigit() else MAX_DECIDER_BACKOFF
    return float(min(wanted, MAX_DECIDER_BACKOFF, cap))


class Closing:
    """Makes the closing decision of one run; ``payload_store`` takes what is over SWF's limits."""

    def __init__(
        self, *, workflow: Workflow, scheduler: Scheduler, payload_store: payload.PayloadStore | None
    ) -> None:
        self.workflow = workflow
        self.scheduler = scheduler
        self.payload_store = payload_store

    def decision(self, history: History, outcome: RunOutcome) -> dict[str, Any] | None:
        """The closing decision (``None``: none yet) for what ``run()`` did at this decision task.

        ``history`` is what the hooks are given (upstream's view over the task's history).
        """
        workflow, scheduler = self.workflow, self.scheduler
        if outcome.continued is not None:
            workflow.after_replay(history)
            raise_nondeterminism(scheduler)
            return self._continue_as_new(workflow, scheduler, history, outcome.continued)
        failure = outcome.failure
        workflow.after_replay(history)
        raise_nondeterminism(scheduler)
        if scheduler.fail_request is not None:
            failure = scheduler.fail_request
        if failure is None and not scheduler.raised_failure and outcome.fresh:
            scheduler.check_unproduced()
        if outcome.blocked and failure is None:
            return None
        if failure is None:
            try:
                text = payload.encode_field(
                    "result",
                    outcome.result,
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
            gate, _ = scheduler.events.backoff.back_off(
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
