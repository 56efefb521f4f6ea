"""The ``simpleflow`` entry point: global options, error display, and the explicit command registry."""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import click

from simpleflow import __version__
from simpleflow.cli.activity import activity_rerun
from simpleflow.cli.console import console
from simpleflow.cli.decider import decider_start
from simpleflow.cli.domain import domain_list, domain_register
from simpleflow.cli.help_text import strip_markup
from simpleflow.cli.localswf import localswf_start
from simpleflow.cli.options import debug_option, is_debug
from simpleflow.cli.payloads import payloads_gc
from simpleflow.cli.rendering import output_options
from simpleflow.cli.schedule import SCHEDULE_COMMANDS
from simpleflow.cli.standalone import standalone
from simpleflow.cli.task import task_info
from simpleflow.cli.worker import worker_start
from simpleflow.cli.workflow import (
    workflow_filter,
    workflow_history,
    workflow_info,
    workflow_list,
    workflow_profile,
    workflow_tasks,
)
from simpleflow.cli.workflow_control import (
    workflow_cancel,
    workflow_restart,
    workflow_signal,
    workflow_terminate,
)
from simpleflow.cli.workflow_replay import workflow_replay
from simpleflow.cli.workflow_start import workflow_start
from simpleflow.cli.workflow_wait import workflow_wait
from simpleflow.exceptions import SimpleflowError


class SimpleflowGroup(click.Group):
    """A click group that turns a :class:`SimpleflowError` into one clear line and its exit code.

    ``--debug`` (or ``SIMPLEFLOW_DEBUG=1``), before or after the command name, shows the traceback
    instead. A reader that closes our stdout early (``| head -1``) ends the command quietly. Every
    command registered gets the shared ``--debug`` option and plain-text help.
    """

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not any(param.name == "debug" for param in cmd.params):
            cmd.params.append(debug_option())
        strip_markup(cmd)
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SimpleflowError as error:
            if is_debug(ctx):
                raise
            click.echo(f"error: {error}", err=True)
            ctx.exit(error.exit_code)
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise
            _detach_closed_stdout()
            # The reader has all it asked for (``workflow.list | head -1``): not a failure of ours.
            ctx.exit(0)


def _detach_closed_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush does not fail on the closed pipe."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (click's CliRunner): nothing to flush
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


def configure_logging() -> None:
    """Logs go to stderr at ``LOG_LEVEL`` (default INFO), so stdout stays for results."""
    from simpleflow.observability.process_logging import configure_logging as configure_process_logging

    configure_process_logging()


@click.group(cls=SimpleflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="simpleflow")
@output_options(from_environment=True)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    expose_value=False,
    help="Accepted for simpleflow 0.x's scripts; simpleflow's logs have no colours to switch.",
)
@click.pass_context
def main(ctx: click.Context) -> None:
    """simpleflow: durable dataflow workflows on Amazon SWF or on the embedded SWF service.

    Run ``simpleflow COMMAND --help`` for the options of a command. --debug, --format and --header
    also go after the command name (``simpleflow workflow.list --format json --debug``).

    Shell completion: ``eval "$(_SIMPLEFLOW_COMPLETE=bash_source simpleflow)"`` in ~/.bashrc
    (zsh: zsh_source in ~/.zshrc; fish: ``_SIMPLEFLOW_COMPLETE=fish_source simpleflow | source``).
    """
    configure_logging()
    ctx.ensure_object(dict)


main.params.insert(0, debug_option(from_environment=True))

# Commands are registered explicitly here, never as a side effect of an import.
main.add_command(workflow_start)
main.add_command(workflow_wait)
main.add_command(decider_start)
main.add_command(worker_start)
main.add_command(standalone)
main.add_command(workflow_list)
main.add_command(workflow_filter)
main.add_command(workflow_info)
main.add_command(workflow_tasks)
main.add_command(workflow_profile)
main.add_command(workflow_history)
main.add_command(workflow_replay)
main.add_command(workflow_terminate)
main.add_command(workflow_restart)
main.add_command(workflow_signal)
main.add_command(workflow_cancel)
main.add_command(task_info)
main.add_command(activity_rerun)
main.add_command(domain_register)
main.add_command(domain_list)
main.add_command(localswf_start)
main.add_command(payloads_gc)
main.add_command(console)
for schedule_command in SCHEDULE_COMMANDS:
    main.add_command(schedule_command)

strip_markup(main)
