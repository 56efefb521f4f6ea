"""Fabricates SWF histories shaped exactly like boto3's ``get_workflow_execution_history`` events.

Events get dense ``eventId`` values from 1, timezone-aware ``eventTimestamp`` datetimes (as botocore
parses them) one second apart, and the right ``scheduledEventId`` / ``startedEventId`` /
``initiatedEventId`` / ``decisionTaskCompletedEventId`` links. :meth:`HistoryBuilder.decision_task`
returns what ``poll_for_decision_task`` would, and :meth:`HistoryBuilder.record_decisions` appends the
events SWF records for a decider's response, so a test can drive a workflow turn by turn::

    builder = HistoryBuilder(MyWorkflow, input=[1])
    replay = Executor(MyWorkflow).replay(builder.decision_task())
    builder.record_decisions(replay.decisions)
    builder.activity_completed("activity-examples.basic.increment-1", result=2)
    replay = Executor(MyWorkflow).replay(builder.decision_task())

Values given as ``input``, ``result``, ``details`` ... are JSON-encoded; wrap a string in :class:`Raw`
to store it as is (a reason, an already encoded payload, a foreign format).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from simpleflow.testing.decision_events import record_decision
from simpleflow.testing.event_log import json_data
from simpleflow.testing.task_events import ActivityEvents, ChildWorkflowEvents, LambdaEvents


class HistoryBuilder(ActivityEvents, ChildWorkflowEvents, LambdaEvents):
    """Builds one execution's history event by event; every adder returns the new ``eventId``."""

    def __init__(
        self,
        workflow: type | None = None,
        *,
        input: Any = None,
        workflow_name: str | None = None,
        workflow_version: str | None = None,
        workflow_id: str = "workflow-1",
        run_id: str = "run-1",
        task_list: str | None = None,
        tag_list: Iterable[str] = (),
        child_policy: str = "TERMINATE",
        parent_workflow_id: str | None = None,
        parent_run_id: str | None = None,
        continued_execution_run_id: str | None = None,
        start_time: datetime | None = None,
    ) -> None:
        super().__init__(
            workflow_name=workflow_name or getattr(workflow, "name", None) or "test-workflow",
            workflow_version=workflow_version or getattr(workflow, "version", None) or "1.0",
            workflow_id=workflow_id,
            run_id=run_id,
            task_list=task_list or getattr(workflow, "task_list", None) or "default",
            start_time=start_time,
        )
        parent = {"workflowId": parent_workflow_id, "runId": parent_run_id} if parent_workflow_id else None
        self.add_event(
            "WorkflowExecutionStarted",
            input=json_data(input),
            executionStartToCloseTimeout="3600",
            taskStartToCloseTimeout="300",
            childPolicy=child_policy,
            taskList={"name": self.task_list},
            workflowType={"name": self.workflow_name, "version": self.workflow_version},
            tagList=list(tag_list) or None,
            continuedExecutionRunId=continued_execution_run_id,
            parentWorkflowExecution=parent,
            parentInitiatedEventId=1 if parent else None,
        )

    def record_decisions(
        self, decisions: Iterable[Mapping[str, Any]], *, execution_context: str | None = None
    ) -> list[int]:
        """Complete the open decision task and append the events SWF records for ``decisions``.

        Returns the id of the event each decision produced.
        """
        self.complete_decision_task(execution_context=execution_context)
        return [record_decision(self, decision) for decision in decisions]
