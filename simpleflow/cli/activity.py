"""``simpleflow activity.rerun``: run one activity of an execution again, here, to debug it.

Like every command module, it imports at the top only what defining the command needs: ``simpleflow``
loads all of them to show its help, so what the command uses is imported when it runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import click

from simpleflow.cli.arguments import add_working_directory_to_path, read_input
from simpleflow.cli.options import DOMAIN_ENVVAR, endpoint_option, swf_client
from simpleflow.exceptions import ConfigurationError, UnknownResource


def find_scheduled_event(
    events: Iterable[dict[str, Any]], *, activity_id: str | None, scheduled_id: int | None
) -> dict[str, Any] | None:
    """The ``ActivityTaskScheduled`` event chosen by id (the last schedule of ``activity_id``), or None.

    With neither id given, the last activity scheduled in the history.
    """
    from simpleflow.inspection.events import event_attributes

    found = None
    for event in events:
        if event["eventType"] != "ActivityTaskScheduled":
            continue
        if scheduled_id is not None:
            if event["eventId"] == scheduled_id:
                return event
        elif activity_id is None or event_attributes(event).get("activityId") == activity_id:
            found = event
    return found


@click.command("activity.rerun")
@click.option("--domain", envvar=DOMAIN_ENVVAR, show_envvar=True, required=True, help="SWF domain.")
@click.option("--workflow-id", required=True, help="The execution whose activity to re-run.")
@click.option("--run-id", help="Its run (default: the latest run, open or closed).")
@click.option("--activity-id", help="The activity id (its last schedule); default: the last activity.")
@click.option("--scheduled-id", type=int, help="The event id of the ActivityTaskScheduled event to re-run.")
@click.option(
    "--input", "input_text", metavar="JSON", help="Run with this input instead of the recorded one."
)
@endpoint_option
@click.pass_context
def activity_rerun(
    ctx: click.Context,
    domain: str,
    workflow_id: str,
    run_id: str | None,
    activity_id: str | None,
    scheduled_id: int | None,
    input_text: str | None,
) -> None:
    """Run one activity of an execution's history again in this process and print its JSON result.

    The activity is found by its recorded name (the module must import from here: the current
    directory is on the path) and called with the recorded input, or with --input.

    \b
    Example:
        simpleflow activity.rerun --domain TestDomain --workflow-id basic-example-1438722273 \\
            --activity-id activity-examples.basic.double-1
    """
    from simpleflow import payload
    from simpleflow.activity import find_activity
    from simpleflow.cli.lookup import find_execution, history_pages
    from simpleflow.inspection.events import event_attributes

    if activity_id is not None and scheduled_id is not None:
        raise ConfigurationError("give --activity-id or --scheduled-id, not both")
    execution = find_execution(swf_client(ctx), domain, workflow_id=workflow_id, run_id=run_id)
    events = (event for page in history_pages(execution) for event in page)
    scheduled = find_scheduled_event(events, activity_id=activity_id, scheduled_id=scheduled_id)
    if scheduled is None:
        wanted = (
            f"activity {activity_id!r}"
            if activity_id
            else f"ActivityTaskScheduled event {scheduled_id}"
            if scheduled_id is not None
            else "activity"
        )
        raise UnknownResource(
            "GetWorkflowExecutionHistory", "UnknownResourceFault", f"no {wanted} in run {execution.run_id}"
        )
    attributes = event_attributes(scheduled)
    add_working_directory_to_path()
    activity = find_activity(attributes["activityType"]["name"])
    if input_text is not None:
        value = read_input(input_text, None)
    else:
        value = payload.decode(attributes.get("input"), field="input")
    args, kwargs = payload.parse_input(value)
    result = activity.run(args, kwargs)
    click.echo(json.dumps(json.loads(payload.encode(result, field="result"))))
