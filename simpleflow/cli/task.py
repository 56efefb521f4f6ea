"""``simpleflow task.info``: everything the history knows about one task of an execution.

The lookup and inspection modules are imported when the command runs, not when ``simpleflow`` lists its
commands (see :mod:`simpleflow.cli.activity`).
"""

from __future__ import annotations

import click

from simpleflow.cli.options import domain_arguments, swf_client
from simpleflow.cli.rendering import OutputFormat, check_output_format, emit, output_options
from simpleflow.exceptions import UnknownResource

TASK_COLUMNS = [
    "type",
    "task_id",
    "name",
    "version",
    "state",
    "scheduled_time",
    "started_time",
    "closed_time",
    "waiting",
    "running",
    "attempts",
    "worker",
    "input",
    "result",
    "reason",
    "details",
    "timeout_type",
]


@click.command("task.info")
@domain_arguments("workflow_id", "task_id", optional=["run_id"])
@output_options()
@click.pass_context
def task_info(ctx: click.Context, domain: str, workflow_id: str, task_id: str, run_id: str | None) -> None:
    """Show one task of an execution: type, id, name, version, state, times, attempts, the worker that
    ran it (its identity: host:pid for simpleflow's workers), input, result, reason and details.
    TASK_ID is an activity id, a child workflow id or a timer id (see workflow.tasks).

    \b
    Example:
        simpleflow --format human task.info TestDomain basic-example-1438722273 \\
            activity-examples.basic.double-1
    """
    from simpleflow.cli.lookup import find_execution, history_pages
    from simpleflow.inspection.tasks import TaskCollector, find_task

    check_output_format(ctx)
    execution = find_execution(swf_client(ctx), domain, workflow_id=workflow_id, run_id=run_id)
    collector = TaskCollector()
    for page in history_pages(execution):
        for event in page:
            collector.add(event)
    record = find_task(collector.summaries, task_id)
    if record is None:
        raise UnknownResource(
            "GetWorkflowExecutionHistory",
            "UnknownResourceFault",
            f"no task {task_id!r} in run {execution.run_id} of {workflow_id} (see simpleflow workflow.tasks)",
        )
    row = [
        record.kind,
        record.task_id,
        record.name,
        record.version,
        record.status,
        record.scheduled_time,
        record.started_time,
        record.closed_time,
        record.waiting_seconds,
        record.running_seconds,
        record.attempts,
        record.worker,
        record.input,
        record.result,
        record.reason,
        record.details,
        record.timeout_type,
    ]
    emit(ctx, TASK_COLUMNS, [[row]], default_format=OutputFormat.HUMAN)
