"""``simpleflow workflow.*`` inspection commands: list, filter, info, tasks, profile and history.

Each prints one table through :mod:`simpleflow.cli.rendering` (any ``--format``), streaming SWF's pages
as they arrive. The commands that act on an execution live in :mod:`simpleflow.cli.workflow_control`.

The lookup, SWF model and inspection modules (history folding, timelines) are imported by the functions
that use them: ``simpleflow`` loads this module for its help and completion, which need none of them.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simpleflow.cli.options import domain_arguments, swf_client
from simpleflow.cli.rendering import OutputFormat, Page, check_output_format, emit, output_options
from simpleflow.exceptions import ConfigurationError

if TYPE_CHECKING:
    from simpleflow.cli.lookup import ExecutionFilter
    from simpleflow.inspection.tasks import TaskSummary
    from simpleflow.swf.models import ExecutionStatus, WorkflowExecution

LIST_COLUMNS = ["workflow_id", "workflow_type", "version", "run_id", "status", "close_status", "start_time"]
INFO_COLUMNS = [
    "domain",
    "workflow_type",
    "workflow_type_version",
    "task_list",
    "workflow_id",
    "run_id",
    "tag_list",
    "status",
    "close_status",
    "start_time",
    "close_time",
    "execution_time",
    "input",
    "result",
    "reason",
]
TASKS_COLUMNS = ["task_id", "name", "last_state", "last_state_time", "scheduled_time", "attempts"]
PROFILE_COLUMNS = [
    "task_id",
    "last_state",
    "scheduled_time",
    "waiting",
    "start_time",
    "running",
    "end_time",
    "percentage",
]
HISTORY_COLUMNS = {
    "events": ["event_id", "timestamp", "event_type", "attributes"],
    "raw": ["event_id", "event"],
    "cooked": ["event_id", "timestamp", "summary", "details"],
}


# -- argument parsing ----------------------------------------------------------------------------------


def parse_date(text: str | None, *, option: str) -> datetime | None:
    """``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]`` (UTC unless an offset is given); ConfigurationError."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigurationError(
            f"{option}: {text!r} is not a date; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS "
            "(UTC unless an offset is given)"
        ) from None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def parse_days(text: str | None, *, option: str) -> float | None:
    """A non-negative number of days; ConfigurationError otherwise."""
    if text is None:
        return None
    try:
        days = float(text)
    except ValueError:
        days = -1.0
    if not days >= 0:
        raise ConfigurationError(f"{option}: {text!r} is not a number of days")
    return days


#: ``--status all``: open and closed executions together.
ALL_STATUSES = "all"


def parse_status(text: str) -> ExecutionStatus | None:
    """``open`` or ``closed`` (any case); ``None`` for ``all``."""
    from simpleflow.swf.models import ExecutionStatus

    if text.lower() == ALL_STATUSES:
        return None
    try:
        return ExecutionStatus(text.upper())
    except ValueError:
        raise ConfigurationError(
            f"--status: {text!r} is not a status; expected open, closed or all"
        ) from None


def _status_option(command: Any) -> Any:
    return click.option(
        "--status",
        default="open",
        show_default=True,
        metavar="open|closed|all",
        help="Executions to list (all: open and closed, merged newest first).",
    )(command)


def _started_since_option(command: Any) -> Any:
    return click.option(
        "--started-since", metavar="DAYS", help="Only executions started in the last DAYS days."
    )(command)


# -- listing -------------------------------------------------------------------------------------------


def _execution_rows(pages: Iterable[list[WorkflowExecution]]) -> Iterator[Page]:
    for page in pages:
        yield [
            [
                execution.workflow_id,
                execution.workflow_type_name,
                execution.workflow_type_version,
                execution.run_id,
                execution.status,
                execution.close_status,
                execution.start_timestamp,
            ]
            for execution in page
        ]


def _list_executions(ctx: click.Context, domain: str, query: ExecutionFilter, *, every_status: bool) -> None:
    """Print the executions ``query`` selects (of both statuses with ``every_status``), newest first."""
    from simpleflow.cli.lookup import execution_pages, with_status
    from simpleflow.swf.models import ExecutionStatus

    check_output_format(ctx)
    client = swf_client(ctx)
    if not every_status:
        emit(ctx, LIST_COLUMNS, _execution_rows(execution_pages(client, domain, query)))
        return
    # SWF lists open and closed executions apart, each newest first: merged as they stream in.
    streams = [
        (
            execution
            for page in execution_pages(client, domain, with_status(query, status))
            for execution in page
        )
        for status in (ExecutionStatus.OPEN, ExecutionStatus.CLOSED)
    ]
    merged = heapq.merge(*streams, key=_started, reverse=True)
    emit(ctx, LIST_COLUMNS, _execution_rows(_in_pages(merged)))


def _started(execution: WorkflowExecution) -> datetime:
    return execution.start_timestamp or datetime.min.replace(tzinfo=timezone.utc)


def _in_pages(items: Iterator[WorkflowExecution], size: int = 100) -> Iterator[list[WorkflowExecution]]:
    """``items`` in lists of ``size``, so the output streams page by page."""
    while page := list(itertools.islice(items, size)):
        yield page


def _since(days: float | None) -> datetime | None:
    return None if days is None else datetime.now(timezone.utc) - timedelta(days=days)


@click.command("workflow.list")
@domain_arguments()
@_status_option
@_started_since_option
@output_options()
@click.pass_context
def workflow_list(ctx: click.Context, domain: str, status: str, started_since: str | None) -> None:
    """List the executions of DOMAIN, newest first.

    \b
    Example:
        simpleflow workflow.list TestDomain --status closed --started-since 7
    """
    from simpleflow.cli.lookup import ExecutionFilter

    parsed_status = parse_status(status)
    query = ExecutionFilter(
        status=parsed_status or ExecutionFilter.status,
        started_after=_since(parse_days(started_since, option="--started-since")),
    )
    _list_executions(ctx, domain, query, every_status=parsed_status is None)


@click.command("workflow.filter")
@domain_arguments()
@_status_option
@click.option("--tag", help="Only executions with this tag.")
@click.option("--workflow-id", help="Only executions of this workflow id.")
@click.option("--workflow-type-name", help="Only executions of this workflow type.")
@click.option("--workflow-type-version", help="With --workflow-type-name: only this version.")
@click.option(
    "--close-status", metavar="STATUS", help="Closed executions that ended so (COMPLETED, FAILED...)."
)
@_started_since_option
@click.option("--from-date", metavar="DATE", help="Started at or after DATE (YYYY-MM-DD[THH:MM:SS], UTC).")
@click.option("--to-date", metavar="DATE", help="Started at or before DATE.")
@output_options()
@click.pass_context
def workflow_filter(
    ctx: click.Context,
    domain: str,
    status: str,
    tag: str | None,
    workflow_id: str | None,
    workflow_type_name: str | None,
    workflow_type_version: str | None,
    close_status: str | None,
    started_since: str | None,
    from_date: str | None,
    to_date: str | None,
) -> None:
    """List the executions of DOMAIN that pass every filter given, newest first.

    Filters combine freely: SWF applies one, the others are checked on each execution.

    \b
    Example:
        simpleflow workflow.filter TestDomain --status closed --close-status FAILED \\
            --workflow-type-name basic --from-date 2026-01-01
    """
    from simpleflow.cli.lookup import ExecutionFilter
    from simpleflow.swf.models import ExecutionStatus

    parsed_status = parse_status(status)
    if close_status is not None:
        if parsed_status is not ExecutionStatus.CLOSED:
            raise ConfigurationError("--close-status applies to closed executions: add --status closed")
        close_status = close_status.upper()
    if workflow_type_version is not None and workflow_type_name is None:
        raise ConfigurationError("--workflow-type-version needs --workflow-type-name")
    starts = [
        date
        for date in (
            _since(parse_days(started_since, option="--started-since")),
            parse_date(from_date, option="--from-date"),
        )
        if date is not None
    ]
    query = ExecutionFilter(
        status=parsed_status or ExecutionFilter.status,
        workflow_id=workflow_id,
        workflow_type_name=workflow_type_name,
        workflow_type_version=workflow_type_version,
        tag=tag,
        close_status=close_status,
        started_after=max(starts) if starts else None,
        started_before=parse_date(to_date, option="--to-date"),
    )
    _list_executions(ctx, domain, query, every_status=parsed_status is None)


# -- one execution -------------------------------------------------------------------------------------


def _outcome(event: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """The result and the reason (failure, timeout, termination, cancel) carried by a close event."""
    from simpleflow.inspection.events import event_attributes

    if event is None:
        return None, None
    attributes = event_attributes(event)
    event_type = event["eventType"]
    if event_type == "WorkflowExecutionCompleted":
        return attributes.get("result"), None
    if event_type == "WorkflowExecutionTimedOut":
        return None, f"timed out ({attributes.get('timeoutType')})"
    if event_type == "WorkflowExecutionContinuedAsNew":
        return None, f"continued as new run {attributes.get('newExecutionRunId')}"
    return None, attributes.get("reason") or attributes.get("details")


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else round((end - start).total_seconds(), 3)


@click.command("workflow.info")
@domain_arguments("workflow_id", optional=["run_id"])
@output_options()
@click.pass_context
def workflow_info(ctx: click.Context, domain: str, workflow_id: str, run_id: str | None) -> None:
    """Show one execution: type, task list, ids, tags, times, input, status and result or reason.

    Without RUN_ID, the latest run of WORKFLOW_ID, open or closed.

    \b
    Example:
        simpleflow workflow.info TestDomain basic-example-1438722273
    """
    from simpleflow.cli.lookup import close_event, find_execution, started_event
    from simpleflow.inspection.events import event_attributes

    check_output_format(ctx)
    execution = find_execution(swf_client(ctx), domain, workflow_id=workflow_id, run_id=run_id)
    started = started_event(execution)
    result, reason = _outcome(close_event(execution))
    end = execution.close_timestamp or datetime.now(timezone.utc)
    row = [
        domain,
        execution.workflow_type_name,
        execution.workflow_type_version,
        execution.task_list,
        execution.workflow_id,
        execution.run_id,
        list(execution.tag_list),
        execution.status,
        execution.close_status,
        execution.start_timestamp,
        execution.close_timestamp,
        _seconds(execution.start_timestamp, end),
        event_attributes(started).get("input"),
        result,
        reason,
    ]
    emit(ctx, INFO_COLUMNS, [[row]], default_format=OutputFormat.HUMAN)


def _collect(
    execution: WorkflowExecution, *, include_internal: bool
) -> tuple[list[TaskSummary], datetime | None, datetime | None]:
    """Task records of the whole history (simpleflow's own timers only with ``include_internal``), and
    the times of its first and last events."""
    from simpleflow.cli.lookup import history_pages
    from simpleflow.inspection.tasks import TaskCollector

    collector = TaskCollector()
    first: datetime | None = None
    last: datetime | None = None
    for page in history_pages(execution):
        for event in page:
            collector.add(event)
            first = first or event["eventTimestamp"]
            last = event["eventTimestamp"]
    summaries = [s for s in collector.summaries if include_internal or not s.is_internal]
    return summaries, first, last


def _latest(records: list[TaskSummary], count: int | None) -> list[TaskSummary]:
    """The ``count`` most recently scheduled tasks, newest first (simpleflow's order)."""
    newest_first = sorted(records, key=lambda record: (record.scheduled_time, record.task_id), reverse=True)
    return newest_first if count is None else newest_first[:count]


_NB_TASKS = click.option(
    "--nb-tasks", type=click.IntRange(min=1), metavar="N", help="Only the N most recently scheduled tasks."
)
_ALL_TASKS = click.option(
    "--all",
    "all_tasks",
    is_flag=True,
    help="Also simpleflow's own timers (_simpleflow-*: wake-ups, retry delays), hidden by default.",
)


@click.command("workflow.tasks")
@domain_arguments("workflow_id", optional=["run_id"])
@_NB_TASKS
@_ALL_TASKS
@output_options()
@click.pass_context
def workflow_tasks(
    ctx: click.Context,
    domain: str,
    workflow_id: str,
    run_id: str | None,
    nb_tasks: int | None,
    all_tasks: bool,
) -> None:
    """List the tasks of an execution, newest first: last state and its time, schedule time, attempts.

    \b
    Example:
        simpleflow --header workflow.tasks TestDomain basic-example-1438722273 --nb-tasks 3
    """
    from simpleflow.cli.lookup import find_execution

    check_output_format(ctx)
    execution = find_execution(swf_client(ctx), domain, workflow_id=workflow_id, run_id=run_id)
    records, _, _ = _collect(execution, include_internal=all_tasks)
    rows = [
        [r.task_id, r.name, r.status, r.last_state_time, r.scheduled_time, r.attempts]
        for r in _latest(records, nb_tasks)
    ]
    emit(ctx, TASKS_COLUMNS, [rows])


@click.command("workflow.profile")
@domain_arguments("workflow_id", optional=["run_id"])
@_NB_TASKS
@_ALL_TASKS
@click.option(
    "--timeline",
    metavar="FILE.svg|FILE.html",
    help="Also draw the execution: one bar per task, waiting then running, coloured by outcome.",
)
@output_options()
@click.pass_context
def workflow_profile(
    ctx: click.Context,
    domain: str,
    workflow_id: str,
    run_id: str | None,
    nb_tasks: int | None,
    all_tasks: bool,
    timeline: str | None,
) -> None:
    """Profile an execution: per task, when it was scheduled, started and ended, how long it waited
    and ran (seconds), and its running time as a percentage of the execution's.

    \b
    Example:
        simpleflow workflow.profile TestDomain basic-example-1438722273 --timeline basic.html
    """
    from simpleflow.cli.lookup import find_execution
    from simpleflow.inspection.timeline import render_timeline

    check_output_format(ctx)
    if timeline is not None and not timeline.lower().endswith((".svg", ".html", ".htm")):
        raise ConfigurationError(f"--timeline: {timeline!r} must end in .svg or .html")
    execution = find_execution(swf_client(ctx), domain, workflow_id=workflow_id, run_id=run_id)
    records, first, last = _collect(execution, include_internal=all_tasks)
    total = _seconds(first, execution.close_timestamp or last) or 0.0
    rows = []
    for record in _latest(records, nb_tasks):
        running = record.running_seconds
        rows.append(
            [
                record.task_id,
                record.status,
                record.scheduled_time,
                record.waiting_seconds,
                record.started_time,
                running,
                record.closed_time,
                round(100 * running / total, 2) if running is not None and total > 0 else None,
            ]
        )
    # The picture is written before the table: a reader that stops early (``| head -1``) closes our
    # stdout, and the file asked for must exist all the same.
    if timeline is not None:
        title = f"{execution.workflow_id} ({execution.workflow_type_name} {execution.workflow_type_version})"
        picture = render_timeline(records, title=title, path=timeline, now=execution.close_timestamp or last)
        try:
            Path(timeline).write_text(picture, encoding="utf-8")
        except OSError as error:
            raise ConfigurationError(
                f"--timeline: cannot write {timeline}: {error.strerror or error}"
            ) from error
        click.echo(f"timeline written to {timeline}", err=True)
    emit(ctx, PROFILE_COLUMNS, [rows])


def _history_rows(pages: Iterable[list[dict[str, Any]]], view: str) -> Iterator[Page]:
    from simpleflow.inspection.events import EventNarrator, event_attributes

    narrator = EventNarrator()
    for page in pages:
        if view == "raw":
            yield [[event["eventId"], event] for event in page]
        elif view == "cooked":
            narrated = [narrator.narrate(event) for event in page]
            yield [[n.event_id, n.timestamp, n.summary, n.details] for n in narrated]
        else:
            yield [
                [event["eventId"], event["eventTimestamp"], event["eventType"], dict(event_attributes(event))]
                for event in page
            ]


@click.command("workflow.history")
@domain_arguments("workflow_id", optional=["run_id"])
@click.option(
    "--of",
    "view",
    type=click.Choice(["events", "raw", "cooked"]),
    default="events",
    show_default=True,
    help="events: id, time, type, attributes; raw: each event as SWF sent it; cooked: which task and what.",
)
@click.option("--reverse-order", is_flag=True, help="Newest event first.")
@output_options()
@click.pass_context
def workflow_history(
    ctx: click.Context, domain: str, workflow_id: str, run_id: str | None, view: str, reverse_order: bool
) -> None:
    """Print every event of an execution's history, page by page as SWF returns them.

    \b
    Example:
        simpleflow workflow.history TestDomain basic-example-1438722273 --of cooked --format csv
    """
    from simpleflow.cli.lookup import find_execution, history_pages

    check_output_format(ctx)
    execution = find_execution(swf_client(ctx), domain, workflow_id=workflow_id, run_id=run_id)
    emit(ctx, HISTORY_COLUMNS[view], _history_rows(history_pages(execution, reverse=reverse_order), view))
