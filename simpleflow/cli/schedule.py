"""``simpleflow schedule.*``: create, list, describe, pause, resume, trigger and delete schedules.

A schedule is the open execution of ``simpleflow.schedules.ScheduleWorkflow`` named after it (see
:mod:`simpleflow.schedules`). These commands only start, read, signal or terminate that execution: a
decider (``simpleflow decider.start ... simpleflow.schedules.ScheduleWorkflow module.Workflow``) does the
scheduling, and workers run the scheduled workflow's activities.

The schedules package is imported when a command runs, not when ``simpleflow`` lists its commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from simpleflow.cli.arguments import read_input
from simpleflow.cli.options import domain_arguments, swf_client
from simpleflow.cli.rendering import check_output_format, emit, output_options
from simpleflow.exceptions import ConfigurationError

if TYPE_CHECKING:
    from simpleflow.schedules.view import ScheduleView

LIST_COLUMNS = ["name", "workflow", "cadence", "paused", "next_fire", "started", "last_run"]
DESCRIBE_COLUMNS = [
    "name",
    "workflow",
    "cadence",
    "input",
    "start",
    "overlap",
    "catch_up",
    "limit",
    "paused",
    "next_fires",
    "started",
    "skipped",
    "missed",
    "buffered",
    "last_runs",
    "scheduler_run_id",
]


def _list_row(view: ScheduleView) -> list[Any]:
    last = view.runs[-1] if view.runs else None
    return [
        view.name,
        view.spec.workflow,
        view.spec.cadence.describe(),
        view.paused,
        view.next_fires[0] if view.next_fires else None,
        view.started,
        f"{last.workflow_id} ({last.status})" if last else None,
    ]


def _describe_row(view: ScheduleView) -> list[Any]:
    spec = view.spec
    return [
        view.name,
        spec.workflow,
        spec.cadence.describe(),
        spec.input,
        spec.start.value,
        spec.overlap.value,
        spec.catch_up.value,
        spec.limit,
        view.paused,
        list(view.next_fires),
        view.started,
        view.skipped,
        view.missed,
        view.buffered,
        [f"{run.workflow_id} ({run.status})" for run in view.runs],
        view.scheduler_run_id,
    ]


@click.command("schedule.create")
@domain_arguments("name", "workflow")
@click.option("--cron", metavar="EXPRESSION", help='Fire on a cron expression, e.g. "0 3 * * *" (5 fields).')
@click.option(
    "--every", metavar="INTERVAL", help="Fire every INTERVAL: 90s, 15m, 1h30m, 2d, 1w (on the epoch)."
)
@click.option(
    "--timezone",
    default="UTC",
    show_default=True,
    help="The time zone --cron is read in (an IANA name, e.g. Europe/Paris).",
)
@click.option("--input", "input_text", metavar="JSON", help="The scheduled workflow's input, as JSON.")
@click.option("--input-file", metavar="PATH", help="Read that input from PATH ('-' for stdin).")
@click.option(
    "--overlap",
    type=click.Choice(["skip", "buffer_one", "allow_all"]),
    default="skip",
    show_default=True,
    help="A fire time while the previous run is open: skip it, start it once that run closes "
    "(one waits at most), or start it anyway.",
)
@click.option(
    "--catch-up",
    type=click.Choice(["none", "last"]),
    default="none",
    show_default=True,
    help="Fire times missed while the scheduler could not run: start nothing for them, or one run "
    "for the latest.",
)
@click.option(
    "--start",
    "start_mode",
    type=click.Choice(["child", "independent"]),
    default="child",
    show_default=True,
    help="Start each run as a child of the scheduler (ABANDON: it outlives it), or as a top-level "
    "execution started by the simpleflow.schedules.start_run activity (a worker on the "
    "simpleflow.schedules task list runs it; overlap buffer_one needs child).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="Stop after starting this many runs (default: never).",
)
@click.option(
    "--wakes-per-run",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Wake-ups (fire times, signals, closed runs) of one scheduler run before it continues as new.",
)
@click.option(
    "--task-list",
    help="The scheduler's decision task list (default: the scheduled workflow's; one decider serves both).",
)
@click.pass_context
def schedule_create(
    ctx: click.Context,
    domain: str,
    name: str,
    workflow: str,
    cron: str | None,
    every: str | None,
    timezone: str,
    input_text: str | None,
    input_file: str | None,
    overlap: str,
    catch_up: str,
    start_mode: str,
    limit: int | None,
    wakes_per_run: int,
    task_list: str | None,
) -> None:
    """Create schedule NAME: start WORKFLOW (module.Workflow) on a cron expression or an interval.

    The schedule is an execution named NAME; a decider serving simpleflow.schedules.ScheduleWorkflow and
    WORKFLOW (on --task-list) does the scheduling. Prints '<name> <run_id>'.

    \b
    Example:
        simpleflow schedule.create --domain TestDomain nightly --cron "0 3 * * *" \\
            examples.basic.BasicWorkflow --input '[1, 0]'
    """
    from simpleflow.schedules import Cadence, CatchUp, OverlapPolicy, ScheduleSpec, StartMode, parse_interval
    from simpleflow.schedules.control import create_schedule

    if (cron is None) == (every is None):
        raise ConfigurationError("give --cron EXPRESSION or --every INTERVAL (one of them)")
    if every is not None and timezone != "UTC":
        raise ConfigurationError("--timezone applies to --cron only (intervals are counted in seconds)")
    cadence = Cadence(cron=cron, timezone=timezone) if cron else Cadence(every=parse_interval(every or ""))
    spec = ScheduleSpec(
        workflow,
        cadence,
        input=read_input(input_text, input_file),
        overlap=OverlapPolicy.parse(overlap),
        catch_up=CatchUp.parse(catch_up),
        start=StartMode.parse(start_mode),
        wakes_per_run=wakes_per_run,
        limit=limit,
    )
    started = create_schedule(swf_client(ctx), name, spec, domain=domain, task_list=task_list)
    click.echo(f"{started['workflowId']} {started['runId']}")


@click.command("schedule.list")
@domain_arguments()
@output_options()
@click.pass_context
def schedule_list(ctx: click.Context, domain: str) -> None:
    """List the schedules of DOMAIN (the open scheduler executions), newest first.

    \b
    Example:
        simpleflow schedule.list TestDomain
    """
    from simpleflow.schedules.control import list_schedules

    check_output_format(ctx)
    views = list_schedules(swf_client(ctx), domain=domain)
    emit(ctx, LIST_COLUMNS, ([_list_row(view)] for view in views))


@click.command("schedule.describe")
@domain_arguments("name")
@output_options()
@click.pass_context
def schedule_describe(ctx: click.Context, domain: str, name: str) -> None:
    """Show schedule NAME: its definition, paused or not, the next fire times and the last runs.

    \b
    Example:
        simpleflow schedule.describe TestDomain nightly
    """
    from simpleflow.cli.rendering import OutputFormat
    from simpleflow.schedules.control import describe_schedule

    check_output_format(ctx)
    view = describe_schedule(swf_client(ctx), name, domain=domain)
    emit(ctx, DESCRIBE_COLUMNS, [[_describe_row(view)]], default_format=OutputFormat.HUMAN)


@click.command("schedule.pause")
@domain_arguments("name")
@click.option("--reason", help="Why (kept in the signal's input).")
@click.pass_context
def schedule_pause(ctx: click.Context, domain: str, name: str, reason: str | None) -> None:
    """Pause schedule NAME: its fire times start no run until schedule.resume (a trigger still does).

    \b
    Example:
        simpleflow schedule.pause TestDomain nightly --reason "database migration"
    """
    from simpleflow.schedules.control import pause_schedule

    pause_schedule(swf_client(ctx), name, domain=domain, reason=reason)
    click.echo(f"pause requested for {name}")


@click.command("schedule.resume")
@domain_arguments("name")
@click.pass_context
def schedule_resume(ctx: click.Context, domain: str, name: str) -> None:
    """Resume schedule NAME from its next fire time after now (the ones passed while paused are not run).

    \b
    Example:
        simpleflow schedule.resume TestDomain nightly
    """
    from simpleflow.schedules.control import resume_schedule

    resume_schedule(swf_client(ctx), name, domain=domain)
    click.echo(f"resume requested for {name}")


@click.command("schedule.trigger")
@domain_arguments("name")
@click.pass_context
def schedule_trigger(ctx: click.Context, domain: str, name: str) -> None:
    """Start a run of schedule NAME now, paused or not (its overlap policy still applies).

    \b
    Example:
        simpleflow schedule.trigger TestDomain nightly
    """
    from simpleflow.schedules.control import trigger_schedule

    trigger_schedule(swf_client(ctx), name, domain=domain)
    click.echo(f"trigger requested for {name}")


@click.command("schedule.delete")
@domain_arguments("name")
@click.option("--reason", help="Why (recorded in the scheduler's history; at most 256 characters).")
@click.pass_context
def schedule_delete(ctx: click.Context, domain: str, name: str, reason: str | None) -> None:
    """Delete schedule NAME: its scheduler is terminated; the runs it started go on.

    \b
    Example:
        simpleflow schedule.delete TestDomain nightly
    """
    from simpleflow.schedules.control import delete_schedule

    delete_schedule(swf_client(ctx), name, domain=domain, reason=reason)
    click.echo(f"deleted {name}")


#: Every command of the group, in the order ``simpleflow --help`` lists them.
SCHEDULE_COMMANDS = (
    schedule_create,
    schedule_list,
    schedule_describe,
    schedule_pause,
    schedule_resume,
    schedule_trigger,
    schedule_delete,
)
