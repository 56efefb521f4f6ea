"""``simpleflow workflow.start``: run a workflow in this process (``--local``), or start an execution."""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any

import click

from simpleflow.cli.arguments import domain_option, input_options, load_workflow, read_input
from simpleflow.exceptions import ConfigurationError

if TYPE_CHECKING:
    from simpleflow.workflow import Workflow

# SWF's own ceiling for an execution's start-to-close timeout (one year).
MAX_EXECUTION_TIMEOUT = 365 * 24 * 3600


@click.command("workflow.start")
@click.argument("workflow", metavar="MODULE.WORKFLOW")
@input_options
@click.option("--local", is_flag=True, help="Run the whole workflow in this process and print its result.")
@domain_option(required=False)
@click.option("--workflow-id", help="Execution id (default: '<workflow name>-<unique suffix>').")
@click.option("--task-list", help="Decision task list (default: the workflow's task_list).")
@click.option("--execution-timeout", type=click.IntRange(min=1), help="Execution start-to-close, seconds.")
@click.option("--decision-tasks-timeout", type=click.IntRange(min=1), help="Decision task timeout, seconds.")
@click.option("--tags", help="Comma-separated tags of the execution (at most 5).")
@click.option(
    "--nb-workers",
    type=click.IntRange(min=1),
    default=None,
    help="--local: activity workers running at once (default 16).",
)
@click.option(
    "--processes",
    is_flag=True,
    help="--local: run each activity in a child process (for CPU-bound activities) instead of a thread.",
)
@click.option("--real-time", is_flag=True, help="--local: let timers take their real time.")
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
    nb_workers: int | None,
    processes: bool,
    real_time: bool,
) -> None:
    """Start the workflow MODULE.WORKFLOW (e.g. examples.basic.BasicWorkflow).

    With --local, the workflow runs to its end in this process (the real decider and workers on an
    in-memory embedded SWF service); its JSON result is printed on stdout. Otherwise an execution is
    started on SWF (or on AWS_ENDPOINT_URL_SWF) and '<workflow_id> <run_id>' is printed.
    """
    value = read_input(input_text, input_file)
    workflow_cls = load_workflow(workflow)
    if local:
        from simpleflow.local import DEFAULT_NB_WORKERS, run_workflow

        result = run_workflow(
            workflow_cls,
            value,
            nb_workers=nb_workers or DEFAULT_NB_WORKERS,
            processes=processes,
            real_time=real_time,
        )
        click.echo(json.dumps(result))
        return
    for name, given in (("--nb-workers", nb_workers), ("--processes", processes), ("--real-time", real_time)):
        if given:
            raise ConfigurationError(f"{name} only applies with --local")
    if not domain:
        raise ConfigurationError("no domain: give --domain or set SWF_DOMAIN (or use --local)")
    execution = start_execution(
        workflow_cls,
        value,
        domain=domain,
        workflow_id=workflow_id,
        task_list=task_list,
        execution_timeout=execution_timeout,
        decision_tasks_timeout=decision_tasks_timeout,
        tags=parse_tags(tags),
    )
    click.echo(f"{execution['workflowId']} {execution['runId']}")


def parse_tags(tags: str | None) -> list[str]:
    """``--tags a,b`` as a list; SWF allows at most 5."""
    parsed = [tag.strip() for tag in (tags or "").split(",") if tag.strip()]
    if len(parsed) > 5:
        raise ConfigurationError(f"at most 5 tags are allowed on SWF, got {len(parsed)}")
    return parsed


def start_execution(
    workflow_cls: type[Workflow],
    value: Any,
    *,
    domain: str,
    client: Any = None,
    workflow_id: str | None = None,
    task_list: str | None = None,
    execution_timeout: int | None = None,
    decision_tasks_timeout: int | None = None,
    tags: list[str] | None = None,
    register_domain: bool = False,
) -> dict[str, str]:
    """Start an execution of ``workflow_cls``; returns ``{"workflowId": ..., "runId": ...}``.

    The workflow type is registered when missing; the domain only with ``register_domain`` (the caller
    knows it runs the embedded service). Raises UnknownResource for an unknown domain.
    """
    from simpleflow import payload
    from simpleflow.swf.client import make_client, swf_errors
    from simpleflow.swf.models import WorkflowType
    from simpleflow.swf.registration import TypeRegistry, ensure_domain

    client = client or make_client()
    ensure_domain(client, domain, register_if_missing=register_domain)
    name, version = workflow_cls.name, str(workflow_cls.version)
    task_list = task_list or getattr(workflow_cls, "task_list", None) or name
    execution_timeout = execution_timeout or getattr(workflow_cls, "execution_timeout", None)
    decision_tasks_timeout = decision_tasks_timeout or getattr(workflow_cls, "decision_tasks_timeout", None)
    TypeRegistry(client, domain).ensure_workflow_type(
        WorkflowType(
            domain,
            name,
            version=version,
            default_task_list=task_list,
            default_child_policy="TERMINATE",
            default_execution_start_to_close_timeout=str(execution_timeout or MAX_EXECUTION_TIMEOUT),
            default_task_start_to_close_timeout=str(decision_tasks_timeout or 300),
            client=client,
        )
    )
    workflow_id = workflow_id or f"{name}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    params: dict[str, Any] = {
        "domain": domain,
        "workflowId": workflow_id,
        "workflowType": {"name": name, "version": version},
        "taskList": {"name": task_list},
        "input": payload.encode(value, field="input"),
        "executionStartToCloseTimeout": str(execution_timeout or MAX_EXECUTION_TIMEOUT),
        "taskStartToCloseTimeout": str(decision_tasks_timeout or 300),
        "childPolicy": "TERMINATE",
    }
    if tags:
        params["tagList"] = tags
    with swf_errors("StartWorkflowExecution"):
        started = client.start_workflow_execution(**params)
    return {"workflowId": workflow_id, "runId": started["runId"]}
