"""``simpleflow workflow.wait``, and what ``workflow.start --wait`` shares with it: follow an execution to
its close, progress on stderr, the result on stdout, and the close status as the exit status.

Exit statuses (the same as ``standalone``'s):

====================  =====
close status          exit
====================  =====
COMPLETED             0
FAILED                1
(bad usage, config)   2
TIMED_OUT             3
CANCELED              4
TERMINATED            5
====================  =====
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click

from simpleflow.cli.options import domain_arguments, swf_client
from simpleflow.exceptions import WorkflowFailed


def report_progress(progress: Any) -> None:
    """One progress line on stderr (stdout is kept for the result)."""
    click.echo(f"progress: {progress}", err=True)


def wait_and_report(client: Any, domain: str, execution: Mapping[str, str]) -> None:
    """Follow ``execution`` to its close, printing progress; print its result or fail with its exit status.

    Returns (exit status 0) only for a completed execution; otherwise prints one ``error:`` line, with
    the causes of the children that did not complete, and exits with the status of the module's table.
    """
    from simpleflow.execution import result_or_raise
    from simpleflow.progress import ExecutionFollower, follow
    from simpleflow.standalone import EXIT_CODES  # one table for standalone and workflow.wait
    from simpleflow.storage import store_from_settings

    follower = ExecutionFollower(client, domain, execution)
    status, attributes = follow(follower, on_progress=report_progress)
    click.echo(f"{follower.workflow_id} {follower.run_id}: {status.lower()}", err=True)
    try:
        result = result_or_raise(status, attributes, store=store_from_settings())
    except WorkflowFailed as failure:
        causes = follower.failure_causes()
        click.echo(f"error: {failure}" + (f" [{causes}]" if causes else ""), err=True)
        raise SystemExit(EXIT_CODES.get(status, 1)) from None
    click.echo(json.dumps(result))


@click.command("workflow.wait")
@domain_arguments("workflow_id", optional=["run_id"])
@click.pass_context
def workflow_wait(ctx: click.Context, domain: str, workflow_id: str, run_id: str | None) -> None:
    """Wait for an execution to close, showing its progress; print its result and exit with its close
    status: 0 completed, 1 failed, 3 timed out, 4 canceled, 5 terminated (2: bad usage).

    Without RUN_ID, the latest run of WORKFLOW_ID. A run that continues as new is followed to its last
    run. Progress lines (task counts, children's included, elapsed time, and what the run waits on) go
    to stderr; the JSON result to stdout.

    \b
    Example:
        simpleflow workflow.wait TestDomain basic-example-1438722273
    """
    from simpleflow.cli.lookup import latest_run_id

    client = swf_client(ctx)
    if run_id is None:
        run_id = latest_run_id(client, domain, workflow_id)
    wait_and_report(client, domain, {"workflowId": workflow_id, "runId": run_id})
