"""The execution page's summary: status, input, result or failure, timings, tags and related runs.

Built from three cheap SWF calls whatever the length of the history: the description, the first event
(what the run was started with) and the last one (how it closed, and how many events there are).
Out-of-band values are fetched from the payload store and shown decoded; when that fails, the page says
why and shows the reference instead of failing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from simpleflow import payload
from simpleflow.cli.lookup import find_execution
from simpleflow.exceptions import SimpleflowError
from simpleflow.inspection.events import event_attributes
from simpleflow.payload import PayloadStore
from simpleflow.swf.client import SWFClient, swf_errors
from simpleflow.swf.models import ExecutionStatus, WorkflowExecution

# The attributes of each closing event worth showing, in order.
_CLOSE_FIELDS = {
    "WorkflowExecutionCompleted": ("result",),
    "WorkflowExecutionFailed": ("reason", "details"),
    "WorkflowExecutionCanceled": ("details",),
    "WorkflowExecutionTerminated": ("reason", "details", "cause"),
    "WorkflowExecutionTimedOut": ("timeoutType",),
    "WorkflowExecutionContinuedAsNew": ("input",),
}


@dataclass(frozen=True)
class Value:
    """A field's text as shown: decoded from the store and indented when it is JSON."""

    text: str
    note: str | None = None

    @property
    def is_long(self) -> bool:
        return len(self.text) > 400 or self.text.count("\n") > 8


def show_value(text: str | None, *, store: PayloadStore | None, name: str) -> Value | None:
    """``text`` for people: a reference resolved (or why not), JSON pretty-printed; None stays None."""
    if text is None:
        return None
    note = None
    if payload.is_reference(text) or payload.is_jumbo_reference(text):
        try:
            text = payload.resolve(text, store=store, field=name)
            note = "fetched from the payload store"
        except SimpleflowError as error:
            return Value(text, note=f"out-of-band value not fetched: {error}")
    try:
        decoded = json.loads(text)
    except ValueError:
        return Value(text, note=note)
    if isinstance(decoded, (dict, list)):
        compact = json.dumps(decoded, ensure_ascii=False, default=str)
        if len(compact) <= 100:
            return Value(compact, note=note)
        return Value(json.dumps(decoded, indent=2, ensure_ascii=False, default=str), note=note)
    return Value(text, note=note)


@dataclass(frozen=True)
class RunLink:
    """Another run this page links to, and how it relates."""

    relation: str
    workflow_id: str
    run_id: str | None


@dataclass(frozen=True)
class Overview:
    """What the execution page shows at the top."""

    execution: WorkflowExecution
    event_count: int
    input: Value | None
    close_type: str | None
    close_fields: list[tuple[str, Value]] = field(default_factory=list)
    links: list[RunLink] = field(default_factory=list)
    started: dict[str, Any] = field(default_factory=dict)
    last_event_time: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.execution.status is ExecutionStatus.OPEN

    @property
    def duration_seconds(self) -> float | None:
        start, close = self.execution.start_timestamp, self.execution.close_timestamp
        if start is None:
            return None
        # An open run has been running until now (the wall clock), or at least until its latest event.
        end = close or max(datetime.now(timezone.utc), self.last_event_time or start)
        return (end - start).total_seconds()


def _edge_events(execution: WorkflowExecution) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first and the last events of the history."""
    edges = []
    for reverse in (False, True):
        with swf_errors("GetWorkflowExecutionHistory"):
            response = execution.client.get_workflow_execution_history(
                domain=execution.domain,
                execution=execution.reference,
                reverseOrder=reverse,
                maximumPageSize=1,
            )
        events = response.get("events", [])
        edges.append(events[0] if events else {})
    return edges[0], edges[1]


def load_overview(
    client: SWFClient, domain: str, *, workflow_id: str, run_id: str | None, store: PayloadStore | None
) -> Overview:
    """The overview of a run (the latest run of ``workflow_id`` when ``run_id`` is None)."""
    execution = find_execution(client, domain, workflow_id=workflow_id, run_id=run_id)
    first, last = _edge_events(execution)
    started = dict(event_attributes(first)) if first else {}
    links: list[RunLink] = []
    if execution.parent:
        links.append(RunLink("parent", execution.parent["workflowId"], execution.parent.get("runId")))
    if started.get("continuedExecutionRunId"):
        links.append(RunLink("continued from", execution.workflow_id, started["continuedExecutionRunId"]))
    close_type = None
    close_fields: list[tuple[str, Value]] = []
    if execution.status is ExecutionStatus.CLOSED and last:
        close_type = str(last["eventType"])
        attributes = event_attributes(last)
        for name in _CLOSE_FIELDS.get(close_type, ()):
            shown = show_value(attributes.get(name), store=store, name=name)
            if shown is not None:
                close_fields.append((name, shown))
        if close_type == "WorkflowExecutionContinuedAsNew":
            links.append(RunLink("continued as", execution.workflow_id, attributes.get("newExecutionRunId")))
    return Overview(
        execution=execution,
        event_count=int(last.get("eventId", 0)) if last else 0,
        input=show_value(started.get("input"), store=store, name="input"),
        close_type=close_type,
        close_fields=close_fields,
        links=links,
        started=started,
        last_event_time=last.get("eventTimestamp") if last else None,
    )


def execution_state(client: SWFClient, domain: str, *, workflow_id: str, run_id: str) -> dict[str, Any]:
    """What the page's refresh compares: the status and the id of the latest event."""
    with swf_errors("GetWorkflowExecutionHistory"):
        response = client.get_workflow_execution_history(
            domain=domain,
            execution={"workflowId": workflow_id, "runId": run_id},
            reverseOrder=True,
            maximumPageSize=1,
        )
    events = response.get("events", [])
    last = events[0] if events else {}
    event_type = str(last.get("eventType", ""))
    closed = event_type in _CLOSE_FIELDS
    return {
        "version": int(last.get("eventId", 0)),
        "status": "CLOSED" if closed else "OPEN",
    }
