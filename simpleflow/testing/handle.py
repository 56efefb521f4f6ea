"""A handle on an execution started in a :class:`~simpleflow.testing.WorkflowEnvironment`."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from simpleflow import payload
from simpleflow.execution import read_close
from simpleflow.local import DOMAIN
from simpleflow.swf.client import swf_errors

if TYPE_CHECKING:
    from simpleflow.local import LocalRun

R = TypeVar("R")

__all__ = ["ExecutionDescription", "WorkflowHandle"]


@dataclass(frozen=True)
class ExecutionDescription:
    """What ``DescribeWorkflowExecution`` says of an execution's current run, in plain fields.

    ``status`` is ``OPEN`` or ``CLOSED``; ``close_status`` ``COMPLETED``, ``FAILED``, ``CANCELED``,
    ``TERMINATED``, ``TIMED_OUT`` (or ``CONTINUED_AS_NEW`` for a run that is not the last), else None.
    The ``open_*`` counts are SWF's ``openCounts``. ``raw`` is the whole answer, botocore-shaped.
    """

    workflow_id: str
    run_id: str
    workflow_type: tuple[str, str]
    status: str
    close_status: str | None
    start_time: datetime.datetime
    close_time: datetime.datetime | None
    open_activities: int
    open_timers: int
    open_child_workflows: int
    open_decision_tasks: int
    cancel_requested: bool
    raw: Mapping[str, Any] = field(repr=False)

    @classmethod
    def of(cls, answer: Mapping[str, Any]) -> ExecutionDescription:
        """From a ``DescribeWorkflowExecution`` answer."""
        info = answer["executionInfo"]
        counts = answer.get("openCounts", {})
        kind = info["workflowType"]
        return cls(
            workflow_id=info["execution"]["workflowId"],
            run_id=info["execution"]["runId"],
            workflow_type=(kind["name"], kind["version"]),
            status=info["executionStatus"],
            close_status=info.get("closeStatus"),
            start_time=info["startTimestamp"],
            close_time=info.get("closeTimestamp"),
            open_activities=counts.get("openActivityTasks", 0),
            open_timers=counts.get("openTimers", 0),
            open_child_workflows=counts.get("openChildWorkflowExecutions", 0),
            open_decision_tasks=counts.get("openDecisionTasks", 0),
            cancel_requested=bool(info.get("cancelRequested", False)),
            raw=dict(answer),
        )


class WorkflowHandle(Generic[R]):
    """One execution, running in its environment while the test goes on.

    It follows continue-as-new: :attr:`run_id` is the first run's id, and :meth:`signal`, :meth:`cancel`,
    :meth:`terminate`, :meth:`describe`, :meth:`history` and :meth:`result` act on the latest run.
    Virtual time skips only inside :meth:`result` (see :class:`~simpleflow.testing.WorkflowEnvironment`).
    """

    def __init__(self, run: LocalRun, execution: Mapping[str, str]) -> None:
        self._run = run
        self.workflow_id: str = execution["workflowId"]
        #: The id of the run the handle was made for (the first, when the workflow continued as new).
        self.run_id: str = execution["runId"]
        self._current = dict(execution)

    def __repr__(self) -> str:
        return f"<WorkflowHandle {self.workflow_id} {self._current['runId']}>"

    @property
    def execution(self) -> dict[str, str]:
        """The latest run's ``{"workflowId", "runId"}`` (after any continue-as-new seen so far)."""
        self._follow_new_runs()
        return dict(self._current)

    def result(self, *, timeout: float | None = None) -> R:
        """Wait for the execution to close and return its result (virtual time skips meanwhile).

        Raises :class:`~simpleflow.exceptions.WorkflowFailed` (reason, details) when it failed, timed
        out, was canceled or terminated; :class:`~simpleflow.local.WaitTimedOut` after ``timeout`` real
        seconds (the execution goes on); the error of the environment's decider when a replay failed
        (a ``NondeterminismError``, a bug in ``run()``...).
        """
        result: R = self._run.wait(self._current, timeout=timeout, follow=self._moved_to)
        return result

    def signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Send signal ``name``; :meth:`~simpleflow.Workflow.wait_signal` gets ``{"args", "kwargs"}``."""
        text = payload.encode_field(
            "signal_input",
            {"args": list(args), "kwargs": kwargs},
            store=self._run.payload_store,
            field=f"input of signal {name}",
        )
        with swf_errors("SignalWorkflowExecution"):
            self._run.client.signal_workflow_execution(
                domain=DOMAIN, workflowId=self.workflow_id, signalName=name, input=text
            )

    def cancel(self) -> None:
        """Ask the execution to cancel (``WorkflowExecutionCancelRequested``); the workflow decides how."""
        with swf_errors("RequestCancelWorkflowExecution"):
            self._run.client.request_cancel_workflow_execution(domain=DOMAIN, workflowId=self.workflow_id)

    def terminate(self, *, reason: str | None = None, details: str | None = None) -> None:
        """End the execution at once, as ``TERMINATED``; no decision is made."""
        params = {"reason": reason, "details": details}
        with swf_errors("TerminateWorkflowExecution"):
            self._run.client.terminate_workflow_execution(
                domain=DOMAIN,
                workflowId=self.workflow_id,
                childPolicy="TERMINATE",
                **{key: value for key, value in params.items() if value is not None},
            )
        self._run.changes.notify()  # no decider saw it: wake the waiters

    def describe(self) -> ExecutionDescription:
        """The latest run's status, close status, timestamps and open counts."""
        with swf_errors("DescribeWorkflowExecution"):
            answer = self._run.client.describe_workflow_execution(domain=DOMAIN, execution=self.execution)
        return ExecutionDescription.of(answer)

    def history(self) -> list[dict[str, Any]]:
        """Every event of the latest run's history, oldest first, botocore-shaped (all pages merged)."""
        execution = self.execution
        events: list[dict[str, Any]] = []
        params: dict[str, Any] = {"domain": DOMAIN, "execution": execution}
        with swf_errors("GetWorkflowExecutionHistory"):
            while True:
                page = self._run.client.get_workflow_execution_history(**params)
                events.extend(page.get("events", []))
                token = page.get("nextPageToken")
                if not token:
                    return events
                params["nextPageToken"] = token

    def _moved_to(self, execution: dict[str, str]) -> None:
        self._current = dict(execution)

    def _follow_new_runs(self) -> None:
        while True:
            close = read_close(self._run.client, DOMAIN, self._current)
            if close is None or close[0] != "CONTINUED_AS_NEW":
                return
            self._current = {**self._current, "runId": close[1]["newExecutionRunId"]}
