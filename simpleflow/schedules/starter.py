"""The activity that starts a schedule's run as an independent execution (``start=independent``).

A decider does no I/O, so the scheduler cannot call ``StartWorkflowExecution`` itself: it schedules
:func:`start_run`, which a worker runs with its own SWF client (the worker's endpoint, region and
credentials) in the worker's domain. The run is a top-level execution: it has no parent, its close is
never reported to the scheduler, and it outlives it like any other execution.

So the scheduler cannot watch it close: with the ``skip`` overlap policy, this activity first asks SWF
whether the previous run is still open and starts nothing if so; ``buffer_one`` needs child runs.
Starting a workflow id that is already open (the same fire time handled again after a restart) counts
as started: the id derives from the fire time, so it is that run.
"""

from __future__ import annotations

from typing import Any

from simpleflow import activity
from simpleflow.exceptions import SWFError

__all__ = ["STARTER_TASK_LIST", "start_run"]

#: The activity task list of :func:`start_run`: serve it with
#: ``simpleflow worker.start --task-list simpleflow.schedules`` (standalone routes activities to its own).
STARTER_TASK_LIST = "simpleflow.schedules"


def _is_open(client: Any, domain: str, workflow_id: str) -> bool:
    from simpleflow.swf.client import swf_errors

    with swf_errors("ListOpenWorkflowExecutions"):
        found = client.list_open_workflow_executions(
            domain=domain,
            startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": workflow_id},
            maximumPageSize=1,
        )
    return bool(found.get("executionInfos"))


@activity.with_attributes(
    name="simpleflow.schedules.start_run",
    version="1",
    task_list=STARTER_TASK_LIST,
    start_to_close_timeout=120,
    retry=3,
    # A start that fails for good is noted by the scheduler, which goes on with the next fire time.
    raises_on_failure=False,
)
def start_run(
    workflow: str, workflow_id: str, input: Any = None, previous: str | None = None
) -> dict[str, Any]:
    """Start ``workflow`` (a path or registered name) as ``workflow_id`` with ``input``, in the task's domain.

    With ``previous`` (the skip policy), nothing starts while that execution is open. Returns
    ``{"started": bool, "workflow_id": ..., "run_id": ...}`` (``run_id`` is ``None`` when not started, or
    when ``workflow_id`` was already open).
    """
    from simpleflow.execution import start_execution
    from simpleflow.swf import make_client
    from simpleflow.workflow import find_workflow

    domain = activity.context().domain
    client = make_client()
    if previous is not None and _is_open(client, domain, previous):
        return {"started": False, "workflow_id": workflow_id, "run_id": None, "open": previous}
    try:
        started = start_execution(
            client, find_workflow(workflow), input, domain=domain, workflow_id=workflow_id
        )
    except SWFError as error:
        if error.code != "WorkflowExecutionAlreadyStartedFault":
            raise
        return {"started": True, "workflow_id": workflow_id, "run_id": None}
    return {"started": True, "workflow_id": workflow_id, "run_id": started["runId"]}
