"""``simpleflow decider.start``: long-running decider processes for one decision task list."""

from __future__ import annotations

import click

from simpleflow.cli.arguments import complete_workflow_path, domain_option, load_workflow, log_level_option
from simpleflow.cli.options import endpoint_option, given_endpoint_url, log_format_option, metrics_port_option
from simpleflow.runtime.bounds import DEFAULT_MAX_BYTES, DEFAULT_MAX_RUNS


@click.command("decider.start")
@click.argument(
    "workflows", nargs=-1, required=True, metavar="MODULE.WORKFLOW...", shell_complete=complete_workflow_path
)
@domain_option()
@endpoint_option
@click.option(
    "--task-list", "-t", help="Decision task list to poll (default: the first workflow's task_list)."
)
@click.option(
    "--nb-processes",
    "-N",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Decider processes.",
)
@click.option(
    "--activity-task-list",
    help="Schedule every activity on this task list instead of each activity's own (standalone uses it).",
)
@click.option(
    "--route-children",
    is_flag=True,
    help="Start child workflows and continue-as-new runs on --task-list too (standalone uses it).",
)
@click.option(
    "--register-domain",
    is_flag=True,
    help="Register the domain when missing: for the embedded service; on Amazon SWF register it yourself.",
)
@click.option(
    "--cache-runs",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_RUNS,
    show_default=True,
    help="Live runs each decider process keeps between decision tasks (0: replay every task afresh).",
)
@click.option(
    "--cache-memory",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES // 2**20,
    show_default=True,
    metavar="MIB",
    help="Memory (MiB) the kept live runs may take in each process: an estimate from their histories' "
    "size, not a measured RSS.",
)
@click.option(
    "--affinity-timeout",
    type=click.IntRange(min=0, max=99_999_999),
    default=10,
    show_default=True,
    metavar="SECONDS",
    help="Each process also polls a task list of its own and asks SWF to send a run's next decision task "
    "there, where its live run is; unstarted after SECONDS (the process is gone), SWF sends it back to "
    "--task-list. 0: no task list of its own.",
)
@click.option(
    "--on-nondeterminism",
    type=click.Choice(["retry", "fail"]),
    default="retry",
    show_default=True,
    help="What to do when a replay no longer matches its history. retry: log it and leave the decision "
    "task to time out and be redelivered, so a fixed deployment carries on (production). fail: fail the "
    "execution with the error as its reason, so it ends at once (integration runs; standalone uses it).",
)
@click.option(
    "--grace-period",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds a decision in progress may take to finish after SIGTERM.",
)
@log_level_option
@log_format_option
@metrics_port_option(multiprocess=True)
def decider_start(
    workflows: tuple[str, ...],
    domain: str,
    task_list: str | None,
    nb_processes: int,
    activity_task_list: str | None,
    route_children: bool,
    register_domain: bool,
    cache_runs: int,
    cache_memory: int,
    affinity_timeout: int,
    on_nondeterminism: str,
    grace_period: float,
) -> None:
    """Decide executions of the MODULE.WORKFLOW classes until SIGTERM or Ctrl-C.

    Each run's workflow instance is kept live between decision tasks: run() executes once, parks where
    it waits for a result, and goes on when the next decision task brings it, so a decision costs what
    is new. A run not kept (new, evicted, decided elsewhere) is run afresh against its whole history.
    --cache-runs and --cache-memory bound what is kept. A second signal stops at once.
    """
    from simpleflow.process.lifeline import bind_to_parent

    # Started by standalone (or any tied parent): never outlive it, however it ends.
    bind_to_parent()
    from simpleflow.process.decider import DeciderConfig, start_decider

    classes = [load_workflow(path) for path in workflows]
    task_list = task_list or getattr(classes[0], "task_list", None)
    if not task_list:
        raise click.UsageError(f"{workflows[0]} has no task_list: give --task-list")
    config = DeciderConfig(
        domain=domain,
        endpoint_url=given_endpoint_url(),
        task_list=task_list,
        workflows=workflows,
        activity_task_list=activity_task_list,
        register_domain=register_domain,
        route_children=route_children,
        cache_runs=cache_runs,
        cache_bytes=cache_memory * 2**20,
        affinity_timeout=affinity_timeout or None,
        on_nondeterminism=on_nondeterminism,
    )
    raise SystemExit(start_decider(config, processes=nb_processes, grace_period=grace_period))
