"""The execution's history, a page at a time: raw or readable, all events or filtered.

A page is :data:`PAGE_SIZE` events. Unfiltered, it is one SWF page. Filtered, SWF pages of
:data:`SCAN_PAGE` events are read and filtered here until the page is full or :data:`SCAN_LIMIT` events
were read, so a request stays quick however long the history; the cursor then remembers the SWF page
token and how far into that page the next console page starts. The readable view narrates each page on
its own: an event that refers to a task scheduled on an earlier page names it by event id (``#12``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from simpleflow.console.errors import ConsoleRequestError
from simpleflow.inspection.events import EventNarrator, event_attributes
from simpleflow.swf.client import swf_errors
from simpleflow.swf.models import WorkflowExecution

PAGE_SIZE = 100
SCAN_PAGE = 1000
SCAN_LIMIT = 10_000
_FAILURE_MARKS = ("Failed", "TimedOut")
_FAILURE_TYPES = frozenset({"WorkflowExecutionTerminated", "WorkflowExecutionCanceled"})


@lru_cache(maxsize=1)
def event_types() -> tuple[str, ...]:
    """Every SWF event type, from botocore's model of the SWF API."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("swf")
    return tuple(sorted(model.shape_for("EventType").enum))


def is_failure(event_type: str) -> bool:
    """Whether an event type records something going wrong (a failure, a time-out, a termination)."""
    return event_type in _FAILURE_TYPES or any(mark in event_type for mark in _FAILURE_MARKS)


@dataclass(frozen=True)
class HistoryQuery:
    """Which events: the view, the filters, the order and where the page starts."""

    view: str = "readable"
    failures_only: bool = False
    event_type: str | None = None
    newest_first: bool = False
    cursor: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> HistoryQuery:
        """The query of the history form; raises ConsoleRequestError for a value it cannot use."""
        view = params.get("view") or "readable"
        if view not in ("readable", "raw"):
            raise ConsoleRequestError(f"view must be readable or raw, not {view!r}")
        event_type = params.get("event_type") or None
        if event_type is not None and event_type not in event_types():
            raise ConsoleRequestError(f"{event_type!r} is not an SWF event type")
        return cls(
            view=view,
            failures_only=params.get("failures") in ("1", "on", "yes"),
            event_type=event_type,
            newest_first=params.get("order") == "newest",
            cursor=params.get("page") or None,
        )

    @property
    def is_filtered(self) -> bool:
        return self.failures_only or self.event_type is not None

    def matches(self, event: Mapping[str, Any]) -> bool:
        event_type = str(event["eventType"])
        if self.event_type is not None and event_type != self.event_type:
            return False
        return not self.failures_only or is_failure(event_type)


@dataclass(frozen=True)
class ShownEvent:
    """One event of the page, in both views."""

    event_id: int
    timestamp: datetime
    event_type: str
    summary: str
    details: str | None
    raw: str
    is_failure: bool


@dataclass(frozen=True)
class HistoryPage:
    """The events of one page, the cursor of the next (None at the end) and how many events were read."""

    events: list[ShownEvent]
    next_cursor: str | None
    scanned: int


def _encode(token: str | None, *, skip: int, size: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([token, skip, size]).encode()).decode()


def _decode(cursor: str | None, default_size: int) -> tuple[str | None, int, int]:
    if cursor is None:
        return None, 0, default_size
    try:
        token, skip, size = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if (
            not (token is None or isinstance(token, str))
            or not isinstance(skip, int)
            or size not in (PAGE_SIZE, SCAN_PAGE)
        ):
            raise ValueError(cursor)
    except (ValueError, TypeError):
        raise ConsoleRequestError("the history page link is not valid; start from the first page") from None
    return token, max(skip, 0), size


def _shown(event: Mapping[str, Any], narrator: EventNarrator) -> ShownEvent:
    told = narrator.narrate(event)
    event_type = str(event["eventType"])
    return ShownEvent(
        event_id=told.event_id,
        timestamp=told.timestamp,
        event_type=event_type,
        summary=told.summary,
        details=told.details,
        raw=json.dumps(dict(event_attributes(event)), indent=2, ensure_ascii=False, default=str),
        is_failure=is_failure(event_type),
    )


def load_history(execution: WorkflowExecution, query: HistoryQuery) -> HistoryPage:
    """The page of events ``query`` asks for."""
    token, skip, size = _decode(query.cursor, SCAN_PAGE if query.is_filtered else PAGE_SIZE)
    narrator = EventNarrator()
    shown: list[ShownEvent] = []
    scanned = 0
    while True:
        params: dict[str, Any] = {
            "domain": execution.domain,
            "execution": execution.reference,
            "maximumPageSize": size,
            "reverseOrder": query.newest_first,
        }
        if token:
            params["nextPageToken"] = token
        with swf_errors("GetWorkflowExecutionHistory"):
            response = execution.client.get_workflow_execution_history(**params)
        events = response.get("events", [])
        next_token = response.get("nextPageToken")
        for index in range(skip, len(events)):
            event = events[index]
            scanned += 1
            if not query.matches(event):
                continue
            shown.append(_shown(event, narrator))
            if len(shown) == PAGE_SIZE:
                if index + 1 < len(events):
                    return HistoryPage(shown, _encode(token, skip=index + 1, size=size), scanned)
                return HistoryPage(
                    shown, _encode(next_token, skip=0, size=size) if next_token else None, scanned
                )
        if not next_token:
            return HistoryPage(shown, None, scanned)
        token, skip = next_token, 0
        if scanned >= SCAN_LIMIT or not query.is_filtered:
            return HistoryPage(shown, _encode(token, skip=0, size=size), scanned)
