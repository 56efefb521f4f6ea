"""The ``--local`` runner: one workflow execution, entirely in this process.

It is not a second way of running workflows. It is the real replay executor, deciding against the
embedded SWF service (in memory) through a boto3 client attached in process, with the activities run by
a pool of workers polling that same service:

- one decider thread polls the run's decision task list and answers with
  :meth:`simpleflow.executor.Executor.replay`, child workflows included;
- ``nb_workers`` worker threads poll the run's activity task list (every activity is routed there, so
  nothing else in the process competes for it) and run each activity in the thread, or, with
  ``processes=True``, in a child process of its own, for CPU-bound work;
- the service's clock is virtual unless ``real_time=True``: when nothing can run before a timer or a
  timeout fires, the clock jumps there, so ``timer(3600)`` does not make a test wait an hour.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simpleflow import payload
from simpleflow.exceptions import ConfigurationError, SimpleflowError, WorkflowFailed

if TYPE_CHECKING:
    from simpleflow.workflow import Workflow

logger = logging.getLogger(__name__)

DOMAIN = "local"
DEFAULT_NB_WORKERS = 16
# How long a poll waits in the in-memory service before returning empty; it bounds how long stopping
# the threads can take, and costs nothing while tasks flow.
POLL_TIMEOUT_SECONDS = 1.0
# Closing decisions of an execution, as the decider sends them.
CLOSING_DECISIONS = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)


@dataclass
class _RunState:
    """What the threads of one run share: a stop flag, the first unexpected error, a wake-up event."""

    stopping: threading.Event = field(default_factory=threading.Event)
    changed: threading.Event = field(default_factory=threading.Event)
    errors: list[BaseException] = field(default_factory=list)

    def fail(self, error: BaseException) -> None:
        self.errors.append(error)
        self.changed.set()


def run_workflow(
    workflow_cls: type[Workflow],
    input_value: Any = None,
    *,
    nb_workers: int = DEFAULT_NB_WORKERS,
    processes: bool = False,
    real_time: bool = False,
    timeout: float | None = None,
) -> Any:
    """Run one execution of ``workflow_cls`` with ``input_value`` (JSON-able) and return its result.

    Raises WorkflowFailed(reason, details) when the execution fails, times out, is canceled or
    terminated; PayloadNotJSON when the input or the result is not JSON; and re-raises an error of the
    decider itself (for example a NondeterminismError) rather than hiding it behind a timeout.
    ``timeout`` (seconds of real time) bounds the whole run.
    """
    if nb_workers < 1:
        raise ConfigurationError(f"nb_workers must be at least 1, not {nb_workers}")
    run = LocalRun(workflow_cls, nb_workers=nb_workers, processes=processes, real_time=real_time)
    try:
        return run.execute(input_value, timeout=timeout)
    finally:
        run.close()


class LocalRun:
    """One ``--local`` execution: the in-memory service, its client, the decider and the workers."""

    def __init__(
        self,
        workflow_cls: type[Workflow],
        *,
        nb_workers: int = DEFAULT_NB_WORKERS,
        processes: bool = False,
        real_time: bool = False,
    ) -> None:
        from simpleflow.localswf.clock import SystemClock, VirtualClock
        from simpleflow.localswf.embedded import embedded_client
        from simpleflow.localswf.service import SWFService

        self.workflow_cls = workflow_cls
        self.nb_workers = nb_workers
        self.processes = processes
        suffix = uuid.uuid4().hex[:12]
        self.decision_task_list = f"local-{suffix}"
        self.activity_task_list = f"local-{suffix}-activities"
        clock = SystemClock() if real_time else VirtualClock()
        self.service = SWFService(":memory:", clock=clock, poll_timeout=POLL_TIMEOUT_SECONDS)
        self.client = embedded_client(self.service)
        self.state = _RunState()
        self.threads: list[threading.Thread] = []

    # -- the run ------------------------------------------------------------------------------------------

    def execute(self, input_value: Any, *, timeout: float | None = None) -> Any:
        """Start the execution, run it to its close, and return its result (see :func:`run_workflow`)."""
        from simpleflow.swf.registration import TypeRegistry, ensure_domain

        ensure_domain(self.client, DOMAIN, register_if_missing=True)
        self.registry = TypeRegistry(self.client, DOMAIN)
        workflow_type = workflow_type_of(self.workflow_cls)
        self.registry.ensure_workflow_type(workflow_model(self.client, self.workflow_cls))
        workflow_id = f"{workflow_type['name']}-local-{uuid.uuid4().hex[:12]}"
        started = self.client.start_workflow_execution(
            domain=DOMAIN,
            workflowId=workflow_id,
            workflowType=workflow_type,
            taskList={"name": self.decision_task_list},
            input=payload.encode(input_value, field="input"),
            **start_timeouts(self.workflow_cls),
        )
        self.root = {"workflowId": workflow_id, "runId": started["runId"]}
        self._start_threads()
        return self._wait_for_result(timeout)

    def _start_threads(self) -> None:
        self._spawn("decider", self._decide_forever)
        for number in range(self.nb_workers):
            self._spawn(f"worker-{number}", self._work_forever)

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        def guarded() -> None:
            try:
                target()
            except BaseException as error:
                if not self.state.stopping.is_set():
                    self.state.fail(error)

        thread = threading.Thread(target=guarded, name=f"simpleflow-local-{name}", daemon=True)
        thread.start()
        self.threads.append(thread)

    def _wait_for_result(self, timeout: float | None) -> Any:
        """Wait for the root execution (following continue-as-new) to close; its result or failure."""
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            # The decider wakes us when it closes an execution; the periodic check catches closes it
            # does not decide (execution timeout, termination).
            self.state.changed.wait(0.5)
            self.state.changed.clear()
            if self.state.errors:
                raise self.state.errors[0]
            outcome = closed_outcome(self.client, DOMAIN, self.root)
            if outcome is not None:
                status, event = outcome
                if status == "CONTINUED_AS_NEW":
                    self.root = {**self.root, "runId": event["newExecutionRunId"]}
                    continue
                return result_or_raise(status, event)
            if deadline is not None and time.monotonic() > deadline:
                raise SimpleflowError(f"the local run did not finish within {timeout} s")

    # -- decider and workers -----------------------------------------------------------------------------

    def _decide_forever(self) -> None:
        from simpleflow.executor import Executor
        from simpleflow.swf.actors import Decider
        from simpleflow.workflow import find_workflow

        decider = Decider(self.client, DOMAIN, task_list=self.decision_task_list, identity="local-decider")
        executors: dict[str, Executor] = {}
        while not self.state.stopping.is_set():
            task = decider.poll()
            if task is None:
                continue
            name = task["workflowType"]["name"]
            if name not in executors:
                executors[name] = Executor(find_workflow(name), activity_task_list=self.activity_task_list)
            replay = executors[name].replay(task)
            decisions = [self._route(decision) for decision in replay.decisions]
            self.registry.ensure_decision_types(decisions)
            decider.complete(
                task["taskToken"], decisions=decisions, execution_context=replay.execution_context
            )
            if any(d["decisionType"] in CLOSING_DECISIONS for d in decisions):
                self.state.changed.set()

    def _route(self, decision: dict[str, Any]) -> dict[str, Any]:
        """Send child workflows and new runs to this run's decision task list, which only we poll."""
        for kind, key in (
            ("StartChildWorkflowExecution", "startChildWorkflowExecutionDecisionAttributes"),
            ("ContinueAsNewWorkflowExecution", "continueAsNewWorkflowExecutionDecisionAttributes"),
        ):
            if decision["decisionType"] == kind:
                attributes = {**decision[key], "taskList": {"name": self.decision_task_list}}
                return {**decision, key: attributes}
        return decision

    def _work_forever(self) -> None:
        from simpleflow.swf.actors import ActivityWorker

        worker = ActivityWorker(
            self.client, DOMAIN, task_list=self.activity_task_list, identity="local-worker"
        )
        while not self.state.stopping.is_set():
            task = worker.poll()
            if task is None:
                continue
            run_activity_task(worker, task, in_process=not self.processes)

    def close(self) -> None:
        """Stop the threads and the service; safe to call more than once."""
        self.state.stopping.set()
        self.service.close()
        for thread in self.threads:
            thread.join(timeout=POLL_TIMEOUT_SECONDS * 2)


# -- helpers on SWF shapes -----------------------------------------------------------------------------


def workflow_type_of(workflow_cls: type[Workflow]) -> dict[str, str]:
    """The ``workflowType`` of a Workflow class."""
    return {"name": workflow_cls.name, "version": str(workflow_cls.version)}


def workflow_model(client: Any, workflow_cls: type[Workflow]) -> Any:
    """The WorkflowType model to register for ``workflow_cls`` in the local domain."""
    from simpleflow.swf.models import WorkflowType

    return WorkflowType(
        DOMAIN,
        workflow_cls.name,
        version=str(workflow_cls.version),
        default_task_start_to_close_timeout="NONE",
        default_execution_start_to_close_timeout=str(
            getattr(workflow_cls, "execution_timeout", None) or 365 * 24 * 3600
        ),
        default_child_policy="TERMINATE",
        client=client,
    )


def start_timeouts(workflow_cls: type[Workflow]) -> dict[str, str]:
    """The timeouts of a local start: the class's execution timeout, no decision task timeout."""
    execution = getattr(workflow_cls, "execution_timeout", None) or 365 * 24 * 3600
    return {
        "executionStartToCloseTimeout": str(execution),
        "taskStartToCloseTimeout": "NONE",
        "childPolicy": "TERMINATE",
    }


CLOSE_EVENTS = {
    "WorkflowExecutionCompleted": "COMPLETED",
    "WorkflowExecutionFailed": "FAILED",
    "WorkflowExecutionTimedOut": "TIMED_OUT",
    "WorkflowExecutionCanceled": "CANCELED",
    "WorkflowExecutionTerminated": "TERMINATED",
    "WorkflowExecutionContinuedAsNew": "CONTINUED_AS_NEW",
}


def closed_outcome(
    client: Any, domain: str, execution: Mapping[str, str]
) -> tuple[str, dict[str, Any]] | None:
    """``(close status, attributes of the close event)`` of a closed execution; None while it is open."""
    page = client.get_workflow_execution_history(
        domain=domain, execution=dict(execution), reverseOrder=True, maximumPageSize=1
    )
    events = page.get("events", [])
    if not events:
        return None
    event = events[0]
    status = CLOSE_EVENTS.get(event["eventType"])
    if status is None:
        return None
    attributes_key = event["eventType"][0].lower() + event["eventType"][1:] + "EventAttributes"
    return status, dict(event.get(attributes_key, {}))


def result_or_raise(status: str, attributes: Mapping[str, Any]) -> Any:
    """The decoded result of a completed execution; WorkflowFailed for any other close status."""
    if status == "COMPLETED":
        return payload.decode(attributes.get("result"), field="result")
    if status == "FAILED":
        reason = attributes.get("reason") or "the workflow failed"
        raise WorkflowFailed(reason, payload.decode_failure(reason, attributes.get("details"))[1])
    if status == "TIMED_OUT":
        raise WorkflowFailed(f"the workflow timed out ({attributes.get('timeoutType', 'START_TO_CLOSE')})")
    if status == "CANCELED":
        raise WorkflowFailed("the workflow was canceled", attributes.get("details"))
    raise WorkflowFailed(f"the workflow was terminated: {attributes.get('reason') or 'no reason given'}")


def run_activity_task(worker: Any, task: Mapping[str, Any], *, in_process: bool) -> None:
    """Run one activity task and report its outcome (placeholder until the process model lands)."""
    raise NotImplementedError
