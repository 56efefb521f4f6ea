"""``simpleflow decider.start``: long-running decider processes for one decision task list."""

from __future__ import annotations

import click

from simpleflow.cli.arguments import domain_option, load_workflow, log_level_option


@click.command("decider.start")
@click.argument("workflows", nargs=-1, required=True, metavar="MODULE.WORKFLOW...")
@domain_option()
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
    "--grace-period",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds a decision in progress may take to finish after SIGTERM.",
)
@log_level_option
def decider_start(
    workflows: tuple[str, ...],
    domain: str,
    task_list: str | None,
    nb_processes: int,
    activity_task_list: str | None,
    route_children: bool,
    register_domain: bool,
    grace_period: float,
) -> None:
    """Decide executions of the MODULE.WORKFLOW classes until SIGTERM or Ctrl-C.

    Each decision task replays the workflow's run() on a fresh instance against the execution's
    history and answers with the decisions. A second signal stops at once.
    """
    from simpleflow.process.decider import DeciderConfig, start_decider

    classes = [load_workflow(path) for path in workflows]
    task_list = task_list or getattr(classes[0], "task_list", None)
    if not task_list:
        raise click.UsageError(f"{workflows[0]} has no task_list: give --task-list")
    config = DeciderConfig(
        domain=domain,
        task_list=task_list,
        workflows=workflows,
        activity_task_list=activity_task_list,
        register_domain=register_domain,
        route_children=route_children,
    )
    raise SystemExit(start_decider(config, processes=nb_processes, grace_period=grace_period))
