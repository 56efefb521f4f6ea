"""Where the histories a :class:`~simpleflow.testing.Replayer` replays come from: files, folders, SWF.

A history file is what ``simpleflow workflow.history ... --of raw --format json`` prints: a JSON array of
``{"event_id": ..., "event": {...}}`` rows. A plain array of events (as boto3 pages hold them) and an
object with ``"events"`` (``aws swf get-workflow-execution-history`` prints that) are read too. A
folder stands for every ``*.json`` file in it, by name. A live history is read page by page from an
SWF endpoint (Amazon SWF or the embedded service).

A history does not hold its own workflow id, and a workflow can depend on it (a child's default id is
``<parent id>--<child name>-<n>``, ``get_run_context()`` tells it). A live history knows it; for a
file the id is, in this order: the one given, the parent part of a child's default id found in the
history, the file's name without ``.json`` (name saved histories after their workflow id). Nor does it
hold its run id: a file's history replays under the one given, else under a stand-in that a decision
naming the run's own id (a signal to itself) is not checked against.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from simpleflow.history import attributes_key
from simpleflow.swf.client import SWFClient, swf_errors
from simpleflow.testing.divergence import UnreadableHistory

__all__ = [
    "RecordedHistory",
    "closed_executions",
    "fetch_history",
    "history_files",
    "parse_events",
    "read_history_file",
]

#: The workflow id a history is replayed under when nothing tells its own.
UNKNOWN_WORKFLOW_ID = "replay"
#: The run id a history is replayed under when nothing tells its own.
UNKNOWN_RUN_ID = "replay"


@dataclass(frozen=True)
class RecordedHistory:
    """One execution's events, oldest first, with where they come from and the ids to replay them under."""

    source: str
    events: Sequence[Mapping[str, Any]]
    workflow_id: str
    run_id: str
    #: False when the history did not tell its run id (a file): ``run_id`` is then a stand-in.
    run_id_known: bool = True

    @property
    def workflow_type(self) -> Mapping[str, Any]:
        """The ``workflowType`` (name, version) the execution was started with."""
        attributes = self.events[0].get("workflowExecutionStartedEventAttributes") or {}
        workflow_type: Mapping[str, Any] = attributes.get("workflowType") or {}
        return workflow_type


def parse_events(value: Any, *, source: str) -> list[dict[str, Any]]:
    """The events of a decoded history file (any of the three shapes), checked and sorted by id.

    Raises :class:`UnreadableHistory` when ``value`` is not a workflow history.
    """
    if isinstance(value, Mapping) and "events" in value:
        value = value["events"]
    if not isinstance(value, list) or not value:
        raise UnreadableHistory(source, "not a workflow history (expected a non-empty JSON array of events)")
    events: list[dict[str, Any]] = []
    for row in value:
        event = row.get("event") if isinstance(row, Mapping) and "event" in row else row
        if not (isinstance(event, Mapping) and "eventType" in event and "eventId" in event):
            raise UnreadableHistory(
                source,
                f"not a workflow history (an item is not an event with eventId and eventType: {row!r:.80})",
            )
        events.append(_with_datetime(dict(event)))
    events.sort(key=lambda event: int(event["eventId"]))
    if events[0]["eventType"] != "WorkflowExecutionStarted":
        raise UnreadableHistory(
            source,
            f"not a whole workflow history (its first event is {events[0]['eventType']}, "
            "not WorkflowExecutionStarted)",
        )
    return events


def read_history_file(
    path: str | Path, *, workflow_id: str | None = None, run_id: str | None = None
) -> RecordedHistory:
    """The history saved in ``path`` (see the module documentation for the workflow id it gets)."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UnreadableHistory(source, f"cannot read it ({error.strerror or error})") from error
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableHistory(
            source, f"not JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from error
    events = parse_events(value, source=source)
    return RecordedHistory(
        source,
        events,
        workflow_id or inferred_workflow_id(events) or path.stem,
        run_id or UNKNOWN_RUN_ID,
        run_id_known=run_id is not None,
    )


def history_files(path: str | Path) -> list[Path]:
    """``path`` itself when it is a file, the ``*.json`` files in it by name when it is a folder."""
    path = Path(path)
    if path.is_dir():
        files = sorted(child for child in path.glob("*.json") if child.is_file())
        if not files:
            raise UnreadableHistory(str(path), "no *.json history file in this folder")
        return files
    if not path.exists():
        raise UnreadableHistory(str(path), "no such file or folder")
    return [path]


def inferred_workflow_id(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The workflow id a child's default id (``<parent id>--<child name>-<n>``) in ``events`` names."""
    for event in events:
        if event["eventType"] != "StartChildWorkflowExecutionInitiated":
            continue
        attributes = event.get(attributes_key(event["eventType"])) or {}
        child_id = str(attributes.get("workflowId") or "")
        marker = f"--{(attributes.get('workflowType') or {}).get('name')}-"
        at = child_id.rfind(marker)
        if at > 0:
            return child_id[:at]
    return None


def fetch_history(
    client: SWFClient, domain: str, *, workflow_id: str, run_id: str | None = None
) -> RecordedHistory:
    """The history of a live execution (its latest run, open or closed, when ``run_id`` is None)."""
    from simpleflow.cli.lookup import latest_run_id

    if run_id is None:
        run_id = latest_run_id(client, domain, workflow_id)
    paginator = client.get_paginator("get_workflow_execution_history")
    events: list[dict[str, Any]] = []
    with swf_errors("GetWorkflowExecutionHistory"):
        for page in paginator.paginate(
            domain=domain,
            execution={"workflowId": workflow_id, "runId": run_id},
            PaginationConfig={"PageSize": 1000},
        ):
            events.extend(page.get("events", []))
    source = f"{domain}/{workflow_id}/{run_id}"
    return RecordedHistory(source, parse_events(events, source=source), workflow_id, run_id)


def closed_executions(
    client: SWFClient, domain: str, *, workflow_name: str, last: int
) -> list[tuple[str, str]]:
    """The ``(workflow id, run id)`` of the ``last`` most recently started closed executions of a type."""
    from simpleflow.cli.lookup import EPOCH

    found: list[tuple[str, str]] = []
    paginator = client.get_paginator("list_closed_workflow_executions")
    with swf_errors("ListClosedWorkflowExecutions"):
        for page in paginator.paginate(
            domain=domain,
            startTimeFilter={"oldestDate": EPOCH},  # SWF lists the most recently started first
            typeFilter={"name": workflow_name},
            PaginationConfig={"PageSize": min(last, 1000), "MaxItems": last},
        ):
            for info in page.get("executionInfos", []):
                found.append((info["execution"]["workflowId"], info["execution"]["runId"]))
    return found[:last]


def iter_file_histories(
    path: str | Path, *, workflow_id: str | None = None, run_id: str | None = None
) -> Iterator[RecordedHistory]:
    """The history of each file :func:`history_files` finds in ``path``, read one at a time."""
    for file in history_files(path):
        yield read_history_file(file, workflow_id=workflow_id, run_id=run_id)


def _with_datetime(event: dict[str, Any]) -> dict[str, Any]:
    # A JSON file holds the timestamp as ISO 8601 text; botocore gives a datetime, and so do we.
    stamp = event.get("eventTimestamp")
    if isinstance(stamp, str):
        try:
            event["eventTimestamp"] = datetime.fromisoformat(stamp)
        except ValueError:
            pass
    return event
