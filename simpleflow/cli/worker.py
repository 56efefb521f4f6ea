"""``simpleflow worker.start``: long-running activity worker processes for one activity task list."""

from __future__ import annotations

import click

from simpleflow.cli.arguments import (
    add_working_directory_to_path,
    domain_option,
    load_middlewares,
    log_level_option,
    middleware_options,
)
from simpleflow.cli.options import endpoint_option, given_endpoint_url, log_format_option, metrics_port_option
from simpleflow.exceptions import ConfigurationError


@click.command("worker.start")
@domain_option()
@endpoint_option
@click.option("--task-list", "-t", help="Activity task list to poll (required).")
@click.option(
    "--nb-processes",
    "-N",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes, each running one activity at a time.",
)
@click.option(
    "--heartbeat",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Interval of the heartbeats sent while an activity runs (0: none, as upstream).",
)
@click.option(
    "--isolation",
    type=click.Choice(["process", "thread"]),
    default="process",
    show_default=True,
    help="Where each activity runs: 'process', a child process of its own (a cancel kills it, a crash "
    "fails only its task); 'thread', a thread of the worker: cheaper per task, but a cancel cannot kill "
    "the activity (its next heartbeat returns True), a crash ends the worker, and module state is shared.",
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
@middleware_options
@log_level_option
@log_format_option
@metrics_port_option(multiprocess=True)
@click.option(
    "--process-mode",
    type=click.Choice(["local", "kubernetes"]),
    default="local",
    help="Upstream's process mode: only 'local' (each activity in a child process) is supported.",
)
@click.option("--poll-data", metavar="BASE64", help="Upstream's replayed poll response: not supported.")
def worker_start(
    domain: str,
    task_list: str,
    nb_processes: int,
    heartbeat: float,
    isolation: str,
    one_task: bool,
    reuse_results_of: str | None,
    grace_period: float,
    middleware_pre_execution: tuple[str, ...],
    middleware_post_execution: tuple[str, ...],
    process_mode: str,
    poll_data: str | None,
) -> None:
    """Run activities from TASK_LIST until SIGTERM or Ctrl-C.

    Each activity runs in a child process of its own (or, with --isolation thread, in a thread of the
    worker); the worker heartbeats while it runs. On SIGTERM
    the worker takes no new task and lets the running ones finish; a second signal stops at once.
    Activities are found by name, importing their module from the current directory if needed.
    """
    from simpleflow.process.lifeline import bind_to_parent

    # Started by standalone (or any tied parent): never outlive it, however it ends.
    bind_to_parent()
    from simpleflow.process.activity_thread import Isolation
    from simpleflow.process.worker import NO_HEARTBEAT, WorkerConfig, start_worker

    if process_mode == "kubernetes":
        raise ConfigurationError(
            "--process-mode kubernetes is not supported: run worker.start in the pod (or a Job) instead"
        )
    if poll_data is not None:
        raise ConfigurationError(
            "--poll-data is not supported: run worker.start --one-task --task-list LIST to handle one task"
        )
    if not task_list:
        raise click.UsageError("Missing option '--task-list' / '-t'.")
    add_working_directory_to_path()
    middlewares = load_middlewares(middleware_pre_execution, middleware_post_execution)
    reuse = None
    if reuse_results_of is not None:
        from simpleflow.repair import parse_repair

        workflow_id, run_id = parse_repair(reuse_results_of)
        if run_id is None:
            raise click.UsageError("--reuse-results-of takes 'WORKFLOW_ID RUN_ID'")
        reuse = (workflow_id, run_id)
    config = WorkerConfig(
        domain=domain,
        endpoint_url=given_endpoint_url(),
        task_list=task_list,
        heartbeat_interval=heartbeat or NO_HEARTBEAT,
        one_task=one_task,
        reuse_results_of=reuse,
        middlewares=middlewares,
        isolation=Isolation(isolation),
    )
    raise SystemExit(start_worker(config, processes=nb_processes, grace_period=grace_period))
