"""Finding executions and reading their histories for the inspection commands, page by page.

- :func:`find_execution` resolves ``WORKFLOW_ID [RUN_ID]`` to a described execution; without a run id it
  takes the latest run, open or closed (simpleflow 0.x only looked at open runs, which surprised users);
- :func:`execution_pages` lists executions one SWF page at a time, applying locally the filters SWF
  cannot combine in one call;
- :func:`history_pages` streams an execution's events one SWF page at a time.

Everything goes through :mod:`simpleflow.swf`, so failures arrive as simpleflow errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from simpleflow.exceptions import UnknownResource
from simpleflow.swf.client import SWFClient, swf_errors
from simpleflow.swf.models import ExecutionStatus, WorkflowExecution

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# SWF's own maximum page size: fewer round trips for long listings and histories.
PAGE_SIZE = 1000


def _describe(client: SWFClient, domain: str, workflow_id: str, run_id: str) -> WorkflowExecution:
    try:
        with swf_errors("DescribeWorkflowExecution"):
            description = client.describe_workflow_execution(
                domain=domain, execution={"workflowId": workflow_id, "runId": run_id}
            )
    except UnknownResource as error:
        raise UnknownResource(
            error.operation,
            error.code,
            f"no run {run_id!r} of workflow {workflow_id!r} in domain {domain!r} ({error.message})",
        ) from error
    return WorkflowExecution.from_description(client, domain, description)


def latest_run_id(client: SWFClient, domain: str, workflow_id: str) -> str:
    """The run id of the open run of ``workflow_id``, else of its most recently started closed run."""
    query = {
        "domain": domain,
        "startTimeFilter": {"oldestDate": EPOCH},
        "executionFilter": {"workflowId": workflow_id},
        "maximumPageSize": 1,  # SWF lists the newest first: reverseOrder would give the oldest run
    }
    with swf_errors("ListOpenWorkflowExecutions"):
        infos = client.list_open_workflow_executions(**query).get("executionInfos", [])
    if not infos:
        with swf_errors("ListClosedWorkflowExecutions"):
            infos = client.list_closed_workflow_executions(**query).get("executionInfos", [])
    if not infos:
        raise UnknownResource(
            "DescribeWorkflowExecution",
            "UnknownResourceFault",
            f"no execution of workflow {workflow_id!r} in domain {domain!r}",
        )
    return str(infos[0]["execution"]["runId"])


def find_execution(
    client: SWFClient, domain: str, *, workflow_id: str, run_id: str | None
) -> WorkflowExecution:
    """The described execution (latest run, open or closed, when ``run_id`` is None)."""
    if run_id is None:
        run_id = latest_run_id(client, domain, workflow_id)
    return _describe(client, domain, workflow_id, run_id)


def history_pages(
    execution: WorkflowExecution, *, reverse: bool = False, page_size: int | None = None
) -> Iterator[list[dict[str, Any]]]:
    """The events of ``execution`` one SWF page at a time (oldest first unless ``reverse``)."""
    return execution.iter_history_pages(reverse=reverse, page_size=page_size or PAGE_SIZE)


def close_event(execution: WorkflowExecution) -> dict[str, Any] | None:
    """The event that closed ``execution`` (its last one), or None while it is open."""
    if execution.status is not ExecutionStatus.CLOSED:
        return None
    with swf_errors("GetWorkflowExecutionHistory"):
        response = execution.client.get_workflow_execution_history(
            domain=execution.domain, execution=execution.reference, reverseOrder=True, maximumPageSize=1
        )
    events: list[dict[str, Any]] = response.get("events", [])
    return events[0] if events else None


def started_event(execution: WorkflowExecution) -> dict[str, Any]:
    """The ``WorkflowExecutionStarted`` event of ``execution`` (its first): input, task list, tags..."""
    return execution.started_event()


@dataclass(frozen=True)
class ExecutionFilter:
    """What to list. SWF takes one of workflow id, type, tag and close status per call; the others are
    checked here on each returned execution, so any combination works."""

    status: ExecutionStatus = ExecutionStatus.OPEN
    workflow_id: str | None = None
    workflow_type_name: str | None = None
    workflow_type_version: str | None = None
    tag: str | None = None
    close_status: str | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None

    def server_side(self) -> dict[str, Any]:
        """The one filter SWF applies, most selective first (an id beats a type, a type beats a tag)."""
        if self.workflow_id is not None:
            return {"executionFilter": {"workflowId": self.workflow_id}}
        if self.workflow_type_name is not None:
            type_filter = {"name": self.workflow_type_name}
            if self.workflow_type_version is not None:
                type_filter["version"] = self.workflow_type_version
            return {"typeFilter": type_filter}
        if self.tag is not None:
            return {"tagFilter": {"tag": self.tag}}
        if self.close_status is not None and self.status is ExecutionStatus.CLOSED:
            return {"closeStatusFilter": {"status": self.close_status}}
        return {}

    def matches(self, info: Mapping[str, Any]) -> bool:
        """Whether an ``executionInfo`` passes every filter (those SWF applied pass trivially)."""
        workflow_type = info.get("workflowType", {})
        checks = (
            (self.workflow_id, info.get("execution", {}).get("workflowId")),
            (self.workflow_type_name, workflow_type.get("name")),
            (self.workflow_type_version, workflow_type.get("version")),
            (self.close_status, info.get("closeStatus")),
        )
        if any(wanted is not None and wanted != actual for wanted, actual in checks):
            return False
        return self.tag is None or self.tag in info.get("tagList", [])


def execution_pages(
    client: SWFClient, domain: str, query: ExecutionFilter, *, page_size: int | None = None
) -> Iterator[list[WorkflowExecution]]:
    """Executions matching ``query``, newest first, one SWF page at a time."""
    time_filter: dict[str, datetime] = {"oldestDate": query.started_after or EPOCH}
    if query.started_before is not None:
        time_filter["latestDate"] = query.started_before
    if query.status is ExecutionStatus.OPEN:
        operation, name = "list_open_workflow_executions", "ListOpenWorkflowExecutions"
    else:
        operation, name = "list_closed_workflow_executions", "ListClosedWorkflowExecutions"
    paginator = client.get_paginator(operation)
    with swf_errors(name):
        for page in paginator.paginate(
            domain=domain,
            startTimeFilter=time_filter,  # SWF lists the newest first unless asked for reverseOrder
            PaginationConfig={"PageSize": page_size or PAGE_SIZE},
            **query.server_side(),
        ):
            yield [
                WorkflowExecution.from_info(client, domain, info)
                for info in page.get("executionInfos", [])
                if query.matches(info)
            ]


def with_status(query: ExecutionFilter, status: ExecutionStatus) -> ExecutionFilter:
    """``query`` for executions of another status."""
    return dataclasses.replace(query, status=status)
