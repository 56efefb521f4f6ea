"""``simpleflow standalone``: run one execution with its own decider and worker processes.

The runner is imported when the command runs, not when ``simpleflow`` lists its commands.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from simpleflow.cli.arguments import (
    complete_workflow_path,
    input_options,
    load_middlewares,
    middleware_options,
    read_input,
)
from simpleflow.cli.options import endpoint_option, given_endpoint_url, log_format_option
from simpleflow.exceptions import ConfigurationError, WorkflowFailed

if TYPE_CHECKING:
    from simpleflow.progress import RunProgress


@click.command("standalone")
@click.argument("workflow", metavar="MODULE.WORKFLOW", shell_complete=complete_workflow_path)
@input_options
@click.option("--domain", "-d", envvar="SWF_DOMAIN", show_envvar=True, help="SWF domain.")
@click.option(
    "--local-swf",
    is_flag=True,
    help="Run the embedded SWF service for this run (temporary database): no AWS account needed.",
)
@click.option("--db", metavar="PATH", help="With --local-swf: keep the service's state in PATH.")
@click.option(
    "--time-skipping",
    is_flag=True,
    help="With --local-swf, where it is the default: whenever no decision or activity task is scheduled "
    "or started, the clock skips to the next timer or timeout. Refused otherwise: Amazon SWF, or the "
    "service at another endpoint, keeps its own clock (start that one with localswf.start --time-skipping).",
)
@click.option(
    "--real-time",
    is_flag=True,
    help="Let timers and timeouts take their real time: with --local-swf, turns time skipping off; "
    "elsewhere it is what happens anyway.",
)
@click.option(
    "--nb-deciders", "-D", type=click.IntRange(min=1), default=1, show_default=True, help="Decider processes."
)
@click.option(
    "--nb-workers", "-W", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes."
)
@click.option(
    "--heartbeat",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    metavar="S",
    help="Worker heartbeat interval (0: none, as upstream).",
)
@click.option(
    "--isolation",
    type=click.Choice(["process", "thread"]),
    default="process",
    show_default=True,
    help="Where the workers run each activity: 'process', a child process of its own (a cancel kills it, "
    "a crash fails only its task); 'thread', a thread of the worker: cheaper per task, but a cancel "
    "cannot kill the activity (its next heartbeat returns True), a crash ends the worker, and module "
    "state is shared.",
)
@click.option("--workflow-id", help="Execution id (default: '<workflow name>-<time>-<suffix>').")
@click.option("--execution-timeout", type=click.IntRange(min=1), help="Execution start-to-close, seconds.")
@click.option("--decision-tasks-timeout", type=click.IntRange(min=1), help="Decision task timeout, seconds.")
@click.option("--tags", help="Comma-separated tags of the execution (at most 5).")
@click.option(
    "--repair",
    metavar="'WORKFLOW_ID [RUN_ID]'",
    help="Re-run this failed execution (latest closed run by default), reusing the results of the "
    "activities that completed in it.",
)
@click.option(
    "--force-activities",
    metavar="REGEX",
    help="Upstream's re-run of some activities under --repair: not supported.",
)
@click.option(
    "--display-status",
    type=bool,
    default=False,
    metavar="BOOLEAN",
    help="Also print 'status: OPEN' / 'status: CLOSED' lines on stderr, as upstream does.",
)
@middleware_options
@endpoint_option
@log_format_option
def standalone(
    workflow: str,
    input_text: str | None,
    input_file: str | None,
    domain: str | None,
    local_swf: bool,
    db: str | None,
    time_skipping: bool,
    real_time: bool,
    nb_deciders: int,
    nb_workers: int,
    heartbeat: float,
    isolation: str,
    workflow_id: str | None,
    execution_timeout: int | None,
    decision_tasks_timeout: int | None,
    tags: str | None,
    repair: str | None,
    force_activities: str | None,
    display_status: bool,
    middleware_pre_execution: tuple[str, ...],
    middleware_post_execution: tuple[str, ...],
) -> None:
    """Run MODULE.WORKFLOW with its own decider and worker processes on a unique task list.

    Progress lines go to stderr while it runs; the JSON result goes to stdout. The exit status is the
    close status: 0 completed, 1 failed, 3 timed out, 4 canceled, 5 terminated. Stopped by Ctrl-C, it
    terminates the execution and exits 130; by SIGTERM, 143 (128 + the signal). A second Ctrl-C skips
    the wait for the processes to finish what they hold. Every child process is stopped at the end,
    and none outlives standalone even when it is killed (kill -9). A replay that no longer matches its
    history fails the execution with that error (decider.start --on-nondeterminism fail).

    With --local-swf the service's clock is virtual unless --real-time: whenever no decision or activity
    task is scheduled or started, it skips to the next timer or timeout, so an hour's timer takes no
    time while a running activity still takes its own. Histories show the virtual timestamps.
    """
    from simpleflow.execution import parse_tags, result_or_raise
    from simpleflow.process.exit_signals import StoppedBySignal, exit_on_signals
    from simpleflow.repair import parse_repair
    from simpleflow.standalone import DEFAULT_DOMAIN_LOCAL_SWF, EXIT_CODES, StandaloneOptions, run_standalone

    endpoint_url = given_endpoint_url()
    if endpoint_url is not None and local_swf:
        raise ConfigurationError("give --endpoint-url or --local-swf, not both")
    if db and not local_swf:
        raise ConfigurationError("--db only applies with --local-swf")
    check_clock_options(time_skipping=time_skipping, real_time=real_time, local_swf=local_swf)
    if force_activities is not None:
        if not repair:
            raise ConfigurationError("--force-activities only applies with --repair")
        raise ConfigurationError(
            "--force-activities is not supported: --repair reuses every activity that completed in the "
            "failed run; to re-run some, change their input or version, or run without --repair"
        )
    middlewares = load_middlewares(middleware_pre_execution, middleware_post_execution)
    domain = domain or (DEFAULT_DOMAIN_LOCAL_SWF if local_swf else None)
    if not domain:
        raise ConfigurationError("no domain: give --domain or set SWF_DOMAIN (or use --local-swf)")
    options = StandaloneOptions(
        workflow=workflow,
        domain=domain,
        nb_deciders=nb_deciders,
        nb_workers=nb_workers,
        heartbeat=heartbeat,
        local_swf=local_swf,
        db=db,
        real_time=real_time,
        tags=parse_tags(tags),
        workflow_id=workflow_id,
        execution_timeout=execution_timeout,
        decision_tasks_timeout=decision_tasks_timeout,
        repair=parse_repair(repair) if repair else None,
        middlewares=middlewares,
        endpoint_url=endpoint_url,
        isolation=isolation,
    )
    on_progress = report_progress_and_status if display_status else report_progress
    execution_input = read_input(input_text, input_file)
    try:
        # Ctrl-C and SIGTERM stop the run's processes and exit 130 / 143, not 1 ("failed").
        with exit_on_signals():
            closed = run_standalone(options, execution_input, on_progress=on_progress)
    except StoppedBySignal as stop:
        done = ", ".join([*stop.closed, "the decider and workers were stopped"])
        click.echo(f"stopped by {stop.signal_name}: {done}", err=True)
        raise SystemExit(stop.code) from None
    if display_status:
        click.echo("status: CLOSED", err=True)
    click.echo(f"{closed.workflow_id} {closed.run_id}: {closed.status.lower()}", err=True)
    try:
        result = result_or_raise(closed.status, closed.attributes)
    except WorkflowFailed as failure:
        causes = f" [{closed.causes}]" if closed.causes else ""
        click.echo(f"error: {failure_line(failure)}{causes}", err=True)
        raise SystemExit(EXIT_CODES.get(closed.status, 1)) from None
    click.echo(json.dumps(result))


def check_clock_options(*, time_skipping: bool, real_time: bool, local_swf: bool) -> None:
    """Refuse a clock option that cannot be honoured: only the service standalone runs itself skips time.

    ``--real-time`` is accepted anywhere, since Amazon SWF and other endpoints always run in real time.
    """
    if time_skipping and real_time:
        raise ConfigurationError("give --time-skipping or --real-time, not both")
    if time_skipping and not local_swf:
        raise ConfigurationError(
            "--time-skipping needs --local-swf: Amazon SWF, or the service at another endpoint, keeps its "
            "own clock (a local one skips time when started with 'simpleflow localswf.start --time-skipping')"
        )


def report_progress(progress: RunProgress) -> None:
    """One progress line on stderr (stdout is kept for the result)."""
    click.echo(f"progress: {progress}", err=True)


def report_progress_and_status(progress: RunProgress) -> None:
    """``--display-status``: upstream's status line, then the progress line."""
    click.echo("status: OPEN", err=True)
    report_progress(progress)


#: Failures of the run itself rather than of the workflow's code: shown as ``--local`` shows the error.
RUN_ERRORS = ("simpleflow.exceptions.NondeterminismError",)


def failure_line(failure: WorkflowFailed) -> str:
    """The one line that says why the execution failed.

    A failure the decider recorded for a nondeterministic replay is shown by its whole message, the
    line ``workflow.start --local`` prints for the same error (the reason is cut to SWF's 256
    characters).
    """
    details = failure.details
    if isinstance(details, dict) and details.get("error") in RUN_ERRORS and details.get("message"):
        return str(details["message"])
    return str(failure)
