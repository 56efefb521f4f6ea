"""Repair: re-run a failed execution, reusing the results of the activities that completed in it.

The new execution is an ordinary one, decided by the ordinary replay executor: it schedules every
activity again, with the same deterministic activity ids. What changes is the worker. Before running
a task, a repairing worker looks it up in the failed run's history: when an activity with the same id,
type and input completed there, it answers with that recorded result instead of running the activity.
The new history is genuine SWF history (scheduled, started, completed), so nothing downstream needs to
know about repairs, and a task whose input changed is run again rather than answered wrongly.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simpleflow.exceptions import ConfigurationError, UnknownResource
from simpleflow.execution import close_of

logger = logging.getLogger(__name__)

#: An activity task as repair matches it: activity id, type name, type version, encoded input.
TaskKey = tuple[str, str, str, str | None]


def parse_repair(value: str) -> tuple[str, str | None]:
    """``"WORKFLOW_ID"`` or ``"WORKFLOW_ID RUN_ID"`` as a pair."""
    parts = value.split()
    if len(parts) not in (1, 2):
        raise ConfigurationError(f"--repair takes 'WORKFLOW_ID' or 'WORKFLOW_ID RUN_ID', not {value!r}")
    return parts[0], parts[1] if len(parts) == 2 else None


def completed_results(events: Iterable[Mapping[str, Any]]) -> dict[TaskKey, str | None]:
    """The encoded result of every activity that completed in ``events``, by :data:`TaskKey`."""
    scheduled: dict[int, TaskKey] = {}
    results: dict[TaskKey, str | None] = {}
    for event in events:
        kind = event["eventType"]
        if kind == "ActivityTaskScheduled":
            attributes = event["activityTaskScheduledEventAttributes"]
            scheduled[event["eventId"]] = (
                attributes["activityId"],
                attributes["activityType"]["name"],
                attributes["activityType"]["version"],
                attributes.get("input"),
            )
        elif kind == "ActivityTaskCompleted":
            attributes = event["activityTaskCompletedEventAttributes"]
            key = scheduled.get(attributes["scheduledEventId"])
            if key is not None:
                results[key] = attributes.get("result")
    return results


def task_key(task: Mapping[str, Any]) -> TaskKey:
    """The :data:`TaskKey` of an activity task as ``PollForActivityTask`` returns it."""
    return (
        task["activityId"],
        task["activityType"]["name"],
        task["activityType"]["version"],
        task.get("input"),
    )


@dataclass(frozen=True)
class FailedRun:
    """The execution to repair: its identity, its input and what its completed activities returned."""

    workflow_id: str
    run_id: str
    close_status: str
    input: str | None
    results: Mapping[TaskKey, str | None] = field(default_factory=dict)


def find_failed_run(client: Any, domain: str, workflow_id: str, run_id: str | None = None) -> FailedRun:
    """Load the execution to repair; the latest closed run of ``workflow_id`` when ``run_id`` is None.

    Raises ConfigurationError when the execution is still open or completed (nothing to repair), and
    UnknownResource when it does not exist.
    """
    from simpleflow.swf.client import swf_errors
    from simpleflow.swf.models import WorkflowExecution

    if run_id is None:
        with swf_errors("ListClosedWorkflowExecutions"):
            infos = client.list_closed_workflow_executions(
                domain=domain,
                startTimeFilter={"oldestDate": 0},
                executionFilter={"workflowId": workflow_id},
                reverseOrder=True,
                maximumPageSize=1,
            ).get("executionInfos", [])
        if not infos:
            raise UnknownResource(
                "ListClosedWorkflowExecutions",
                "UnknownResourceFault",
                f"no closed execution of {workflow_id!r} in domain {domain!r}",
            )
        run_id = infos[0]["execution"]["runId"]
    events = WorkflowExecution(domain, workflow_id, run_id=run_id, client=client).history()
    close = close_of(events)
    if close is None:
        raise ConfigurationError(f"execution {workflow_id} {run_id} is still open: nothing to repair yet")
    if close[0] == "COMPLETED":
        raise ConfigurationError(f"execution {workflow_id} {run_id} completed: nothing to repair")
    started = events[0].get("workflowExecutionStartedEventAttributes", {})
    return FailedRun(
        workflow_id=workflow_id,
        run_id=run_id,
        close_status=close[0],
        input=started.get("input"),
        results=completed_results(events),
    )


def reusing_poller(client: Any, domain: str, workflow_id: str, run_id: str) -> Callable[..., Any]:
    """A factory of activity pollers (same arguments as ActivityPoller) reusing that run's results."""
    from simpleflow.process.worker import ActivityPoller, TaskResult

    results = find_failed_run(client, domain, workflow_id, run_id).results

    class ReusingActivityPoller(ActivityPoller):
        """Answers a task that completed in the failed run with its recorded result; runs the others."""

        def process_task(self, task: Mapping[str, Any]) -> TaskResult:
            key = task_key(task)
            if key not in results:
                return super().process_task(task)
            logger.info("activity %s: reusing the result of %s %s", task["activityId"], workflow_id, run_id)
            return self._respond(
                TaskResult.COMPLETED,
                functools.partial(self.worker.complete, task["taskToken"], result=results[key]),
            )

    return ReusingActivityPoller
