"""The domains and the executions pages' data: one SWF page of executions at a time, newest first.

SWF filters a list call by one of workflow id, type, tag and close status; the others are checked here on
each returned execution (:class:`simpleflow.cli.lookup.ExecutionFilter` does both), so any combination
works, and a filtered page may hold fewer rows than asked. The counts come from SWF's count calls with
the one filter SWF applies; they say so when other filters narrow the rows further.

"Open" and "closed" page with SWF's own tokens. "All" merges the two lists newest first, so SWF's tokens
cannot carry it from page to page: its cursor is a start time instead (the oldest shown, with the run ids
already shown at that very time), and each page asks both lists for what started at or before it.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from simpleflow.cli.lookup import EPOCH, ExecutionFilter
from simpleflow.console.errors import ConsoleRequestError
from simpleflow.swf.client import SWFClient, swf_errors
from simpleflow.swf.models import ExecutionStatus

PAGE_SIZE = 50
STATUSES = ("open", "closed", "all")
CLOSE_STATUSES = ("COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT")


@dataclass(frozen=True)
class Domain:
    """A domain as the domains page shows it."""

    name: str
    status: str
    description: str | None


def list_domains(client: SWFClient) -> list[Domain]:
    """Every domain, registered first, then deprecated, each by name."""
    domains: list[Domain] = []
    for status in ("REGISTERED", "DEPRECATED"):
        with swf_errors("ListDomains"):
            for page in client.get_paginator("list_domains").paginate(registrationStatus=status):
                domains.extend(
                    Domain(info["name"], info["status"], info.get("description"))
                    for info in page.get("domainInfos", [])
                )
    return sorted(domains, key=lambda domain: (domain.status != "REGISTERED", domain.name))


def parse_time(value: str | None, *, name: str) -> datetime | None:
    """A time of the filter form (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]``, UTC); None when empty."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConsoleRequestError(
            f"{name}: {value!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)"
        ) from None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed


@dataclass(frozen=True)
class ExecutionQuery:
    """What the executions page lists: a status (open, closed or all), the filters and a page cursor."""

    status: str = "all"
    workflow_id: str | None = None
    workflow_type: str | None = None
    workflow_version: str | None = None
    tag: str | None = None
    close_status: str | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None
    cursor: str | None = None

    @classmethod
    def from_params(cls, params: dict[str, str]) -> ExecutionQuery:
        """The query of the page's form; raises ConsoleRequestError for a value it cannot use."""
        status = params.get("status") or "all"
        if status not in STATUSES:
            raise ConsoleRequestError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        close_status = params.get("close_status") or None
        if close_status is not None and close_status not in CLOSE_STATUSES:
            raise ConsoleRequestError(f"close status must be one of {', '.join(CLOSE_STATUSES)}")
        if close_status is not None and status != "closed":
            status = "closed"
        return cls(
            status=status,
            workflow_id=params.get("workflow_id") or None,
            workflow_type=params.get("type") or None,
            workflow_version=params.get("version") or None,
            tag=params.get("tag") or None,
            close_status=close_status,
            started_after=parse_time(params.get("started_after"), name="started after"),
            started_before=parse_time(params.get("started_before"), name="started before"),
            cursor=params.get("page") or None,
        )

    def filter_for(self, status: ExecutionStatus) -> ExecutionFilter:
        return ExecutionFilter(
            status=status,
            workflow_id=self.workflow_id,
            workflow_type_name=self.workflow_type,
            workflow_type_version=self.workflow_version if self.workflow_type else None,
            tag=self.tag,
            close_status=self.close_status if status is ExecutionStatus.CLOSED else None,
            started_after=self.started_after,
            started_before=self.started_before,
        )

    def is_locally_filtered(self) -> bool:
        """Whether filters beyond the one SWF applies narrow the rows (the counts then over-count)."""
        given = [self.workflow_id, self.workflow_type, self.tag, self.close_status]
        return sum(value is not None for value in given) > 1


@dataclass(frozen=True)
class ExecutionRow:
    """One execution of the list."""

    workflow_id: str
    run_id: str
    workflow_type: str
    status: str
    close_status: str | None
    start: datetime | None
    close: datetime | None
    tags: tuple[str, ...]
    cancel_requested: bool


@dataclass(frozen=True)
class ExecutionPage:
    """A page of executions, the counts, and the cursor of the next page (None on the last)."""

    rows: list[ExecutionRow]
    next_cursor: str | None
    counts: dict[str, tuple[int, bool]] = field(default_factory=dict)


def _encode_cursor(phase: str, token: str | None) -> str:
    return base64.urlsafe_b64encode(json.dumps([phase, token]).encode()).decode()


def _decode_cursor(cursor: str | None, default_phase: str) -> tuple[str, str | None]:
    if cursor is None:
        return default_phase, None
    try:
        phase, token = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        raise ConsoleRequestError("the page link is not valid; start from the first page") from None
    if phase not in ("open", "closed") or not (token is None or isinstance(token, str)):
        raise ConsoleRequestError("the page link is not valid; start from the first page")
    return phase, token


def _request(domain: str, query: ExecutionFilter) -> dict[str, Any]:
    time_filter: dict[str, datetime] = {"oldestDate": query.started_after or EPOCH}
    if query.started_before is not None:
        time_filter["latestDate"] = query.started_before
    return {"domain": domain, "startTimeFilter": time_filter, **query.server_side()}


def _row(info: dict[str, Any]) -> ExecutionRow:
    workflow_type = info.get("workflowType", {})
    return ExecutionRow(
        workflow_id=info["execution"]["workflowId"],
        run_id=info["execution"]["runId"],
        workflow_type=f"{workflow_type.get('name')} {workflow_type.get('version')}",
        status=info["executionStatus"],
        close_status=info.get("closeStatus"),
        start=info.get("startTimestamp"),
        close=info.get("closeTimestamp"),
        tags=tuple(info.get("tagList", ())),
        cancel_requested=bool(info.get("cancelRequested")),
    )


def _list_infos(
    client: SWFClient, domain: str, *, query: ExecutionFilter, token: str | None, size: int
) -> tuple[list[dict[str, Any]], str | None]:
    is_open = query.status is ExecutionStatus.OPEN
    params = {**_request(domain, query), "maximumPageSize": size}
    if token:
        params["nextPageToken"] = token
    operation = "ListOpenWorkflowExecutions" if is_open else "ListClosedWorkflowExecutions"
    with swf_errors(operation):
        if is_open:
            response = client.list_open_workflow_executions(**params)
        else:
            response = client.list_closed_workflow_executions(**params)
    return list(response.get("executionInfos", [])), response.get("nextPageToken")


def _list_page(
    client: SWFClient, domain: str, *, query: ExecutionFilter, token: str | None, size: int
) -> tuple[list[ExecutionRow], str | None]:
    infos, next_token = _list_infos(client, domain, query=query, token=token, size=size)
    return [_row(info) for info in infos if query.matches(info)], next_token


#: Slack on the "started before" bound of an "all" page: a time sent back to SWF may lose digits.
_TIME_SLACK = timedelta(milliseconds=1)


def _encode_time_cursor(before: datetime, shown: set[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(["all", before.isoformat(), sorted(shown)]).encode()).decode()


def _decode_time_cursor(cursor: str | None) -> tuple[datetime | None, set[str]]:
    if cursor is None:
        return None, set()
    try:
        kind, before, shown = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if kind != "all" or not isinstance(shown, list):
            raise ValueError(cursor)
        return datetime.fromisoformat(before), {str(run_id) for run_id in shown}
    except (ValueError, TypeError):
        raise ConsoleRequestError("the page link is not valid; start from the first page") from None


def _all_page(
    client: SWFClient, domain: str, *, query: ExecutionQuery, page_size: int
) -> tuple[list[ExecutionRow], str | None]:
    """A page of open and closed runs merged newest first, and the cursor of the next (see the docstring)."""
    before, skip = _decode_time_cursor(query.cursor)
    candidates: list[ExecutionRow] = []
    # Every run not shown yet started at or before ``boundary``; None when none is left.
    boundary: datetime | None = None
    for status in (ExecutionStatus.OPEN, ExecutionStatus.CLOSED):
        swf_query = query.filter_for(status)
        if before is not None:
            limit = before + _TIME_SLACK
            latest = limit if swf_query.started_before is None else min(swf_query.started_before, limit)
            swf_query = dataclasses.replace(swf_query, started_before=latest)
        size = min(1000, page_size + len(skip) + 10)
        infos, more = _list_infos(client, domain, query=swf_query, token=None, size=size)
        for info in infos:
            start, run_id = info["startTimestamp"], info["execution"]["runId"]
            if before is not None and (start > before or (start == before and run_id in skip)):
                continue
            if swf_query.matches(info):
                candidates.append(_row(info))
        if more and infos:
            oldest = infos[-1]["startTimestamp"]
            boundary = oldest if boundary is None else max(boundary, oldest)
    candidates.sort(key=lambda row: (row.start, row.run_id), reverse=True)
    if len(candidates) > page_size:
        first_left = candidates[page_size].start
        assert first_left is not None, "SWF lists every execution with its start time"
        boundary = first_left if boundary is None else max(boundary, first_left)
    if boundary is None:
        return candidates[:page_size], None
    if before is not None:
        boundary = min(boundary, before)
    rows = [row for row in candidates[:page_size] if row.start is not None and row.start >= boundary]
    shown = {row.run_id for row in rows if row.start == boundary}
    if boundary == before:
        shown |= skip
    return rows, _encode_time_cursor(boundary, shown)


def _count(client: SWFClient, domain: str, *, query: ExecutionFilter) -> tuple[int, bool]:
    params = _request(domain, query)
    if query.status is ExecutionStatus.OPEN:
        with swf_errors("CountOpenWorkflowExecutions"):
            response = client.count_open_workflow_executions(**params)
    else:
        with swf_errors("CountClosedWorkflowExecutions"):
            response = client.count_closed_workflow_executions(**params)
    return int(response["count"]), bool(response.get("truncated"))


def list_executions(
    client: SWFClient, domain: str, *, query: ExecutionQuery, page_size: int = PAGE_SIZE
) -> ExecutionPage:
    """One page of the executions ``query`` names, newest first, with the open and closed counts."""
    if query.status == "all":
        rows, next_cursor = _all_page(client, domain, query=query, page_size=page_size)
    else:
        phase, token = _decode_cursor(query.cursor, query.status)
        if phase != query.status:
            raise ConsoleRequestError(
                "the page link does not match the status filter; start from the first page"
            )
        status = ExecutionStatus.OPEN if phase == "open" else ExecutionStatus.CLOSED
        rows, next_token = _list_page(
            client, domain, query=query.filter_for(status), token=token, size=page_size
        )
        next_cursor = _encode_cursor(phase, next_token) if next_token else None
    counts = {
        name: _count(
            client,
            domain,
            query=query.filter_for(ExecutionStatus.OPEN if name == "open" else ExecutionStatus.CLOSED),
        )
        for name in ("open", "closed")
        if not (name == "open" and query.close_status is not None)
    }
    return ExecutionPage(rows=rows, next_cursor=next_cursor, counts=counts)
