"""Creating, finding and acting on schedules through an SWF client (Amazon SWF or the embedded service).

A schedule is the open execution of :class:`~simpleflow.schedules.workflow.ScheduleWorkflow` whose workflow
id is its name: creating one starts that execution, pausing, resuming and triggering signal it, and
deleting terminates it with the ABANDON child policy, so the runs it started go on. Each call is one or
a few SWF calls; nothing here waits for the scheduler to act (a decider must be running for that).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from simpleflow.exceptions import SWFError
from simpleflow.schedules.errors import ScheduleExists, UnknownSchedule
from simpleflow.schedules.naming import PAUSE_SIGNAL, RESUME_SIGNAL, TRIGGER_SIGNAL
from simpleflow.schedules.spec import ScheduleSpec
from simpleflow.schedules.view import ScheduleView, read_schedule
from simpleflow.schedules.workflow import ScheduleWorkflow

__all__ = [
    "create_schedule",
    "delete_schedule",
    "describe_schedule",
    "list_schedules",
    "pause_schedule",
    "resume_schedule",
    "trigger_schedule",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SCHEDULER_TYPE = {"name": ScheduleWorkflow.name}


def create_schedule(
    client: Any, name: str, spec: ScheduleSpec, *, domain: str, task_list: str | None = None
) -> dict[str, str]:
    """Start the scheduler of a new schedule ``name``; returns its ``workflowId`` and ``runId``.

    The scheduled workflow must import here (its type is registered, so the scheduler's child starts
    find it). The scheduler's decision task list is ``task_list``, else the scheduled workflow's, so one
    ``decider.start`` can serve both. Raises :class:`ScheduleExists` when an execution named ``name`` is
    open, and WorkflowImportError when the workflow does not import.
    """
    from simpleflow.execution import start_execution
    from simpleflow.swf.registration import TypeRegistry, ensure_domain, workflow_type_for
    from simpleflow.workflow import find_workflow

    target = find_workflow(spec.workflow)
    ensure_domain(client, domain, register_if_missing=False)
    TypeRegistry(client, domain).ensure_workflow_type(workflow_type_for(client, domain, target))
    decision_list = task_list or target.task_list or target.name
    try:
        return start_execution(
            client,
            ScheduleWorkflow,
            [spec.to_dict()],
            domain=domain,
            workflow_id=name,
            task_list=decision_list,
        )
    except SWFError as error:
        if error.code == "WorkflowExecutionAlreadyStartedFault":
            raise ScheduleExists(name, domain=domain) from error
        raise


def _open_schedulers(client: Any, domain: str, *, name: str | None = None) -> Iterator[dict[str, Any]]:
    """The open scheduler executions of ``domain`` (of schedule ``name`` only, when given), newest first."""
    from simpleflow.swf.client import swf_errors

    query: dict[str, Any] = {"domain": domain, "startTimeFilter": {"oldestDate": _EPOCH}}
    if name is not None:
        query["executionFilter"] = {"workflowId": name}
    else:
        query["typeFilter"] = _SCHEDULER_TYPE
    with swf_errors("ListOpenWorkflowExecutions"):
        for page in client.get_paginator("list_open_workflow_executions").paginate(**query):
            for info in page.get("executionInfos", []):
                if info["workflowType"]["name"] == ScheduleWorkflow.name:
                    yield info


def _find(client: Any, name: str, domain: str) -> dict[str, Any]:
    for info in _open_schedulers(client, domain, name=name):
        return info
    raise UnknownSchedule(name, domain=domain)


def _history(client: Any, domain: str, execution: dict[str, str]) -> Iterator[dict[str, Any]]:
    from simpleflow.swf.client import swf_errors

    with swf_errors("GetWorkflowExecutionHistory"):
        pages = client.get_paginator("get_workflow_execution_history").paginate(
            domain=domain, execution=execution
        )
        for page in pages:
            yield from page.get("events", [])


def describe_schedule(client: Any, name: str, *, domain: str) -> ScheduleView:
    """Schedule ``name`` as its scheduler's history shows it; UnknownSchedule when none is open."""
    info = _find(client, name, domain)
    execution = info["execution"]
    return read_schedule(name, _history(client, domain, execution), run_id=execution["runId"])


def list_schedules(client: Any, *, domain: str) -> Iterator[ScheduleView]:
    """Every open schedule of ``domain``, newest first (one history read each)."""
    for info in _open_schedulers(client, domain):
        execution = info["execution"]
        yield read_schedule(
            execution["workflowId"], _history(client, domain, execution), run_id=execution["runId"]
        )


def _signal(client: Any, name: str, signal_name: str, *, domain: str, details: Any = None) -> None:
    from simpleflow.swf.client import swf_errors

    execution = _find(client, name, domain)["execution"]
    params: dict[str, Any] = {
        "domain": domain,
        "workflowId": name,
        "runId": execution["runId"],
        "signalName": signal_name,
    }
    if details is not None:
        params["input"] = json.dumps(details)
    try:
        with swf_errors("SignalWorkflowExecution"):
            client.signal_workflow_execution(**params)
    except SWFError as error:
        if error.code == "UnknownResourceFault":  # it closed in between
            raise UnknownSchedule(name, domain=domain) from error
        raise


def pause_schedule(client: Any, name: str, *, domain: str, reason: str | None = None) -> None:
    """Ask schedule ``name`` to pause: no run starts for its fire times until resumed."""
    _signal(client, name, PAUSE_SIGNAL, domain=domain, details={"reason": reason} if reason else None)


def resume_schedule(client: Any, name: str, *, domain: str) -> None:
    """Ask schedule ``name`` to resume from the next fire time after now (those passed are not run)."""
    _signal(client, name, RESUME_SIGNAL, domain=domain)


def trigger_schedule(client: Any, name: str, *, domain: str) -> None:
    """Ask schedule ``name`` to start a run now, paused or not (its overlap policy still applies)."""
    _signal(client, name, TRIGGER_SIGNAL, domain=domain)


def delete_schedule(client: Any, name: str, *, domain: str, reason: str | None = None) -> None:
    """Terminate schedule ``name``'s scheduler; the runs it started go on (ABANDON)."""
    from simpleflow.swf.client import swf_errors

    execution = _find(client, name, domain)["execution"]
    try:
        with swf_errors("TerminateWorkflowExecution"):
            client.terminate_workflow_execution(
                domain=domain,
                workflowId=name,
                runId=execution["runId"],
                reason=(reason or "deleted with simpleflow schedule.delete")[:256],
                childPolicy="ABANDON",
            )
    except SWFError as error:
        if error.code == "UnknownResourceFault":
            raise UnknownSchedule(name, domain=domain) from error
        raise
