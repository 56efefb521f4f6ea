"""``simpleflow workflow.*`` commands that act on an execution: terminate, restart, signal and cancel.

Each resolves ``WORKFLOW_ID [RUN_ID]`` like the inspection commands (latest run when no run id), so an
unknown id is reported before anything is sent, then prints one line saying what it did.

The lookup, payload and SWF model modules are imported when a command runs, not when ``simpleflow``
lists its commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from simpleflow.cli.arguments import read_input
from simpleflow.cli.options import domain_arguments, swf_client
from simpleflow.exceptions import ConfigurationError

if TYPE_CHECKING:
    from simpleflow.swf.models import WorkflowExecution

CHILD_POLICIES = ("TERMINATE", "REQUEST_CANCEL", "ABANDON")


def _within_limit(text: str | None, *, kind: str, option: str) -> str | None:
    """``text`` when it fits SWF's limit for ``kind``; a one-line error naming ``option`` otherwise.

    The CLI has no out-of-band store to send a long value to, so the limit is simply SWF's.
    """
    from simpleflow import payload

    limit = payload.FIELD_LIMITS[kind]
    if text is not None and len(text) > limit:
        raise ConfigurationError(f"{option} is {len(text)} characters; SWF allows at most {limit}")
    return text


def _open_execution(
    ctx: click.Context, domain: str, workflow_id: str, run_id: str | None
) -> WorkflowExecution:
    from simpleflow.cli.lookup import find_execution
    from simpleflow.swf.models import ExecutionStatus

    execution = find_execution(swf_client(ctx), domain, workflow_id=workflow_id, run_id=run_id)
    if execution.status is not ExecutionStatus.OPEN:
        raise ConfigurationError(
            f"run {execution.run_id} of {workflow_id} is already closed ({execution.close_status})"
        )
    return execution


@click.command("workflow.terminate")
@domain_arguments("workflow_id", optional=["run_id"])
@click.option("--reason", help="Why (recorded in the history; at most 256 characters).")
@click.option("--details", help="More about why (recorded in the history).")
@click.option(
    "--child-policy",
    type=click.Choice(CHILD_POLICIES, case_sensitive=False),
    help="What happens to child executions (default: the execution's own policy).",
)
@click.pass_context
def workflow_terminate(
    ctx: click.Context,
    domain: str,
    workflow_id: str,
    run_id: str | None,
    reason: str | None,
    details: str | None,
    child_policy: str | None,
) -> None:
    """Terminate an open execution at once: no decision runs, open tasks are abandoned.

    \b
    Example:
        simpleflow workflow.terminate TestDomain basic-example-1438722273 --reason "stuck on bad input"
    """
    execution = _open_execution(ctx, domain, workflow_id, run_id)
    execution.terminate(
        reason=_within_limit(reason, kind="reason", option="--reason"),
        details=details,
        child_policy=child_policy.upper() if child_policy else None,
    )
    click.echo(f"terminated {execution.workflow_id} {execution.run_id}")


@click.command("workflow.restart")
@domain_arguments("workflow_id", optional=["run_id"])
@click.pass_context
def workflow_restart(ctx: click.Context, domain: str, workflow_id: str, run_id: str | None) -> None:
    """Start a new run of an execution with the same type, input, tags, task list and timeouts.

    An open run is terminated first (SWF allows one open run per workflow id). Prints the new
    '<workflow_id> <run_id>'.

    \b
    Example:
        simpleflow workflow.restart TestDomain basic-example-1438722273
    """
    from simpleflow.cli.lookup import find_execution

    execution = find_execution(swf_client(ctx), domain, workflow_id=workflow_id, run_id=run_id)
    fresh = execution.restart(reason="restarted with simpleflow workflow.restart")
    click.echo(f"{fresh.workflow_id} {fresh.run_id}")


@click.command("workflow.signal")
@domain_arguments("workflow_id", "signal_name", optional=["run_id"])
@click.option("--input", "input_text", metavar="JSON", help="The signal's input, as JSON.")
@click.pass_context
def workflow_signal(
    ctx: click.Context,
    domain: str,
    workflow_id: str,
    signal_name: str,
    run_id: str | None,
    input_text: str | None,
) -> None:
    """Send the signal SIGNAL_NAME, with an optional JSON input, to an open execution.

    \b
    Example:
        simpleflow workflow.signal TestDomain order-42 approve --input '{"by": "alice"}'
    """
    from simpleflow import payload

    value = read_input(input_text, None)
    signal_input = (
        None
        if input_text is None
        else _within_limit(payload.encode(value), kind="signal_input", option="--input")
    )
    execution = _open_execution(ctx, domain, workflow_id, run_id)
    execution.signal(signal_name, signal_input=signal_input)
    click.echo(f"signaled {signal_name} to {execution.workflow_id} {execution.run_id}")


@click.command("workflow.cancel")
@domain_arguments("workflow_id", optional=["run_id"])
@click.pass_context
def workflow_cancel(ctx: click.Context, domain: str, workflow_id: str, run_id: str | None) -> None:
    """Ask an open execution to cancel itself: its decider sees the request and decides how to stop.

    \b
    Example:
        simpleflow workflow.cancel TestDomain basic-example-1438722273
    """
    execution = _open_execution(ctx, domain, workflow_id, run_id)
    execution.request_cancel()
    click.echo(f"cancel requested for {execution.workflow_id} {execution.run_id}")
