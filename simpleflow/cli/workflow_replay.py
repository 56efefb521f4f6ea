"""``simpleflow workflow.replay``: replay recorded histories against the current code of a workflow.

A CI runs it before a deployment: it exits 0 when every history replays, 1 when one does not (the
code would make other decisions than an execution already made), and 2 when the check could not be
made: bad input (a missing file, a file that is not a history, an unknown workflow, contradictory
options, an unknown domain or execution) or an SWF failure while reading a history. So 1 means
nondeterminism and nothing else.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import click

from simpleflow.cli.arguments import complete_workflow_path, load_workflow
from simpleflow.cli.options import endpoint_option, swf_client
from simpleflow.exceptions import ConfigurationError, PayloadError, SWFError

if TYPE_CHECKING:
    from simpleflow.testing import ReplayResult

#: The exit status when a history no longer replays.
NONDETERMINISTIC_EXIT = 1


@click.command("workflow.replay")
@click.argument("workflow", metavar="MODULE.WORKFLOW", shell_complete=complete_workflow_path)
@click.option(
    "--file",
    "files",
    multiple=True,
    metavar="PATH",
    type=click.Path(),
    help="A history saved with 'workflow.history ... --of raw --format json', or a folder of them "
    "(every *.json file in it); repeatable.",
)
@click.option(
    "--domain",
    "-d",
    envvar="SWF_DOMAIN",
    show_envvar=True,
    help="SWF domain of the executions to replay (with --workflow-id or --last).",
)
@click.option(
    "--workflow-id",
    help="Replay this execution (with --domain). With --file: the workflow id the saved histories were "
    "recorded under, when a workflow depends on it (default: guessed from a child's id, else the file name).",
)
@click.option("--run-id", help="The run of --workflow-id to replay (default: its latest run).")
@click.option(
    "--last",
    type=click.IntRange(min=1),
    metavar="N",
    help="Replay the N most recently started closed executions of the workflow's type in --domain.",
)
@endpoint_option
@click.pass_context
def workflow_replay(
    ctx: click.Context,
    workflow: str,
    files: tuple[str, ...],
    domain: str | None,
    workflow_id: str | None,
    run_id: str | None,
    last: int | None,
) -> None:
    """Replay recorded histories of MODULE.WORKFLOW against its current code, one line per history.

    Each decision task of each history is decided again and its decisions compared with the recorded
    ones; the first divergence is shown with its decision task, event id, what the history holds and
    what the code made. Exit status: 0 when every history replays, 1 on a divergence, 2 when the check
    could not be made (bad input, an unknown execution, an SWF failure).
    Out-of-band payloads are read from SIMPLEFLOW_PAYLOAD_STORE (or upstream's jumbo-field bucket).
    What the workflow prints while it replays goes to stderr: stdout holds the report lines alone.

    \b
    Examples:
        simpleflow workflow.replay examples.fanout.SquaresWorkflow --file histories/
        simpleflow workflow.replay examples.fanout.SquaresWorkflow --domain D --workflow-id squares
        simpleflow workflow.replay examples.fanout.SquaresWorkflow --domain D --last 20
    """
    from simpleflow.cli.stdout_guard import prints_to_stderr
    from simpleflow.storage import store_from_settings
    from simpleflow.testing import Replayer, UnreadableHistory

    live = last is not None or (workflow_id is not None and not files)
    if files and last is not None:
        raise ConfigurationError("give --file or --last, not both")
    if last is not None and workflow_id is not None:
        raise ConfigurationError("give --workflow-id or --last, not both")
    if run_id is not None and workflow_id is None:
        raise ConfigurationError("--run-id needs --workflow-id")
    if not files and not live:
        raise ConfigurationError(
            "nothing to replay: give --file PATH, or --domain with --workflow-id or --last"
        )
    if live and not domain:
        raise ConfigurationError("no domain given: pass --domain or set SWF_DOMAIN")
    workflow_cls = load_workflow(workflow)
    # The replayer decides through a run cache; its misses and hits are noise beside one line per history.
    logging.getLogger("simpleflow.runtime.cache").setLevel(logging.WARNING)
    replayer = Replayer(
        workflow_cls, payload_store=store_from_settings(), client=swf_client(ctx) if live else None
    )
    results: list[ReplayResult] = []
    source = "the histories"
    try:
        if files:
            from simpleflow.testing.history_source import history_files

            paths = [path for given in files for path in history_files(given)]  # every path checked first
            for path in paths:
                source = str(path)
                with prints_to_stderr():
                    result = replayer.replay(path, workflow_id=workflow_id, run_id=run_id)
                results.append(_shown(result))
        elif last is not None:
            assert domain is not None
            source = f"domain {domain!r}"
            with prints_to_stderr():
                closed = replayer.replay_closed(domain, last=last)
            for found in closed:
                results.append(_shown(found))
            if not results:
                click.echo(f"no closed execution of {workflow_cls.name!r} in domain {domain!r}", err=True)
        else:
            assert domain is not None and workflow_id is not None
            source = f"{domain}/{workflow_id}"
            with prints_to_stderr():
                result = replayer.replay_execution(domain, workflow_id, run_id=run_id)
            results.append(_shown(result))
    except (SWFError, PayloadError) as error:
        # The history could not be read (SWF, or a payload it refers to): no verdict on determinism.
        raise UnreadableHistory(source, str(error)) from error
    diverged = sum(1 for result in results if not result.ok)
    if len(results) > 1:
        click.echo(f"{len(results)} histories replayed, {diverged} nondeterministic", err=True)
    if diverged:
        ctx.exit(NONDETERMINISTIC_EXIT)


def _shown(result: ReplayResult) -> ReplayResult:
    click.echo(result.describe())
    return result
