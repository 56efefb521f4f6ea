"""``simpleflow workflow.start``: run a workflow in this process (``--local``), or start an execution."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import click

from simpleflow.cli.arguments import (
    check_arguments,
    complete_workflow_path,
    domain_option,
    input_options,
    load_middlewares,
    load_workflow,
    middleware_options,
    read_input,
)
from simpleflow.cli.options import endpoint_option, given_endpoint_url
from simpleflow.exceptions import ConfigurationError

if TYPE_CHECKING:
    from simpleflow.swf.signal_with_start import SignalWithStartResult


@click.command("workflow.start")
@click.argument("workflow", metavar="MODULE.WORKFLOW", shell_complete=complete_workflow_path)
@input_options
@click.option("--local", is_flag=True, help="Run the whole workflow in this process and print its result.")
@domain_option(required=False)
@click.option("--workflow-id", help="Execution id (default: '<workflow name>-<unique suffix>').")
@click.option("--task-list", help="Decision task list (default: the workflow's task_list).")
@click.option("--execution-timeout", type=click.IntRange(min=1), help="Execution start-to-close, seconds.")
@click.option("--decision-tasks-timeout", type=click.IntRange(min=1), help="Decision task timeout, seconds.")
@click.option("--tags", help="Comma-separated tags of the execution (at most 5).")
@click.option(
    "--register-domain",
    is_flag=True,
    help="Register the domain when missing: for the embedded service; on Amazon SWF register it yourself.",
)
@click.option(
    "--nb-workers",
    type=click.IntRange(min=1),
    default=None,
    help="--local: activities running at once (default: 64 threads, or one process per CPU).",
)
@click.option(
    "--processes",
    is_flag=True,
    help="--local: run each activity in a child process (for CPU-bound activities) instead of a thread.",
)
@click.option("--real-time", is_flag=True, help="--local: let timers take their real time.")
@click.option(
    "--wait",
    is_flag=True,
    help="Follow the execution to its close (progress on stderr), print its result, and exit with its "
    "close status (see workflow.wait).",
)
@click.option(
    "--signal",
    "signal_name",
    metavar="NAME",
    help="Signal-with-start: send signal NAME to the open execution --workflow-id, or start it and send "
    "it NAME (SWF has no atomic form: a race with another client is retried a few times).",
)
@click.option("--signal-input", metavar="JSON", help="With --signal: the signal's input, as JSON.")
@middleware_options
@endpoint_option
def workflow_start(
    workflow: str,
    input_text: str | None,
    input_file: str | None,
    local: bool,
    domain: str | None,
    workflow_id: str | None,
    task_list: str | None,
    execution_timeout: int | None,
    decision_tasks_timeout: int | None,
    tags: str | None,
    register_domain: bool,
    nb_workers: int | None,
    processes: bool,
    real_time: bool,
    wait: bool,
    signal_name: str | None,
    signal_input: str | None,
    middleware_pre_execution: tuple[str, ...],
    middleware_post_execution: tuple[str, ...],
) -> None:
    """Start the workflow MODULE.WORKFLOW (e.g. examples.basic.BasicWorkflow).

    With --local, the workflow runs to its end in this process (the real decider and workers on an
    in-memory embedded SWF service); its JSON result is printed on stdout. Otherwise an execution is
    started on SWF (or on --endpoint-url, AWS_ENDPOINT_URL_SWF) and '<workflow_id> <run_id>' is
    printed; with --wait, it is followed to its close as workflow.wait does (exit status 0 completed,
    1 failed, 3 timed out, 4 canceled, 5 terminated). A workflow's own prints go to stderr under
    --local, so stdout holds the result alone.
    """
    value = read_input(input_text, input_file)
    workflow_cls = load_workflow(workflow)
    check_arguments(workflow_cls, value)
    if signal_input is not None and signal_name is None:
        raise ConfigurationError("--signal-input needs --signal NAME")
    if signal_name is not None and (local or not workflow_id):
        raise ConfigurationError("--signal needs --workflow-id, and does not apply with --local")
    if local:
        if given_endpoint_url() is not None:
            raise ConfigurationError("--endpoint-url does not apply with --local (it runs its own service)")
        own_decider = (("--task-list", task_list), ("--decision-tasks-timeout", decision_tasks_timeout))
        for option, setting in own_decider:
            if setting:
                raise ConfigurationError(f"{option} does not apply with --local (it runs its own decider)")
        middlewares = load_middlewares(middleware_pre_execution, middleware_post_execution)
        if "LOG_LEVEL" not in os.environ:
            # A local run is a command whose output is its result: the pollers' chatter only at request.
            import logging  # loaded by now (main configured it); not at the top, for --help's sake

            logging.getLogger("simpleflow").setLevel(logging.WARNING)
        from simpleflow.cli.stdout_guard import prints_to_stderr
        from simpleflow.execution import parse_tags
        from simpleflow.local import run_workflow

        # The result is the only thing on stdout: the workflow's and activities' prints go to stderr.
        with prints_to_stderr():
            result = run_workflow(
                workflow_cls,
                value,
                nb_workers=nb_workers,
                processes=processes,
                real_time=real_time,
                middlewares=middlewares,
                workflow_id=workflow_id,
                execution_timeout=execution_timeout,
                tags=parse_tags(tags),
            )
        click.echo(json.dumps(result))
        return
    local_only = (
        ("--nb-workers", nb_workers),
        ("--processes", processes),
        ("--real-time", real_time),
        ("--middleware-pre-execution", middleware_pre_execution),
        ("--middleware-post-execution", middleware_post_execution),
    )
    for name, given in local_only:
        if given:
            hint = " (give middlewares to worker.start instead)" if name.startswith("--middleware") else ""
            raise ConfigurationError(f"{name} only applies with --local{hint}")
    if not domain:
        raise ConfigurationError("no domain: give --domain or set SWF_DOMAIN (or use --local)")
    from simpleflow.execution import parse_tags, start_execution
    from simpleflow.storage import store_from_settings
    from simpleflow.swf.client import make_client

    client = make_client(endpoint_url=given_endpoint_url())
    if signal_name is not None:
        assert workflow_id is not None
        signaled = _signal_with_start(
            client,
            workflow_cls,
            domain=domain,
            workflow_id=workflow_id,
            signal_name=signal_name,
            input=value,
            signal_input=None if signal_input is None else _json(signal_input),
            task_list=task_list,
            execution_timeout=execution_timeout,
            decision_tasks_timeout=decision_tasks_timeout,
            tags=parse_tags(tags),
            register_domain=register_domain,
            quiet=wait,
        )
        if wait:
            from simpleflow.cli.lookup import latest_run_id
            from simpleflow.cli.workflow_wait import wait_and_report

            run_id = signaled.run_id or latest_run_id(client, domain, workflow_id)  # the run signaled
            wait_and_report(client, domain, {"workflowId": workflow_id, "runId": run_id})
        return
    execution = start_execution(
        client,
        workflow_cls,
        value,
        domain=domain,
        workflow_id=workflow_id,
        task_list=task_list,
        execution_timeout=execution_timeout,
        decision_tasks_timeout=decision_tasks_timeout,
        tags=parse_tags(tags),
        register_domain=register_domain,
        payload_store=store_from_settings(),
    )
    click.echo(f"{execution['workflowId']} {execution['runId']}", err=wait)
    if wait:
        from simpleflow.cli.workflow_wait import wait_and_report

        wait_and_report(client, domain, execution)


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError as error:
        raise ConfigurationError(f"--signal-input is not JSON: {error}") from None


def _signal_with_start(
    client: Any, workflow_cls: type, *, quiet: bool, **options: Any
) -> SignalWithStartResult:
    """``--signal``: print '<workflow_id> <run_id> started' or '<workflow_id> signaled' (on stderr when
    ``quiet``: --wait prints the result on stdout)."""
    from simpleflow.storage import store_from_settings
    from simpleflow.swf.signal_with_start import signal_with_start

    result = signal_with_start(client, workflow_cls, payload_store=store_from_settings(), **options)
    if result.started:
        click.echo(f"{result.workflow_id} {result.run_id} started", err=quiet)
    else:
        click.echo(f"{result.workflow_id} signaled", err=quiet)
    return result
