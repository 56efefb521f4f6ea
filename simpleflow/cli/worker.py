"""``simpleflow worker.start``: long-running activity worker processes for one activity task list."""

from __future__ import annotations

import click

from simpleflow.cli.arguments import add_working_directory_to_path, domain_option


@click.command("worker.start")
@domain_option()
@click.option("--task-list", required=True, help="Activity task list to poll.")
@click.option(
    "--nb-processes",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes, each running one activity at a time.",
)
@click.option(
    "--heartbeat",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Interval of the heartbeats sent while an activity runs.",
)
@click.option("--one-task", is_flag=True, help="Each process handles one task, then exits.")
@click.option(
    "--reuse-results-of",
    metavar="'WORKFLOW_ID RUN_ID'",
    help="Repair: answer the tasks that completed in this failed execution with their recorded results "
    "(standalone --repair sets it).",
)
@click.option(
    "--grace-period",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds a running activity may take to finish after SIGTERM.",
)
def worker_start(
    domain: str,
    task_list: str,
    nb_processes: int,
    heartbeat: float,
    one_task: bool,
    reuse_results_of: str | None,
    grace_period: float,
) -> None:
    """Run activities from TASK_LIST until SIGTERM or Ctrl-C.

    Each activity runs in a child process of its own; the worker heartbeats while it runs. On SIGTERM
    the worker takes no new task and lets the running ones finish; a second signal stops at once.
    Activities are found by name, importing their module from the current directory if needed.
    """
    from simpleflow.process.worker import WorkerConfig, start_worker

    add_working_directory_to_path()
    reuse = None
    if reuse_results_of is not None:
        from simpleflow.repair import parse_repair

        workflow_id, run_id = parse_repair(reuse_results_of)
        if run_id is None:
            raise click.UsageError("--reuse-results-of takes 'WORKFLOW_ID RUN_ID'")
        reuse = (workflow_id, run_id)
    config = WorkerConfig(
        domain=domain,
        task_list=task_list,
        heartbeat_interval=heartbeat,
        one_task=one_task,
        reuse_results_of=reuse,
    )
    raise SystemExit(start_worker(config, processes=nb_processes, grace_period=grace_period))
