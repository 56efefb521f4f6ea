"""``simpleflow localswf.start``: run the embedded SWF service over HTTP on this machine."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import click

from simpleflow.cli.arguments import load_object
from simpleflow.cli.options import log_format_option, metrics_port_option
from simpleflow.exceptions import ConfigurationError

DEFAULT_PORT = 8765
#: The names of :data:`simpleflow.localswf.quotas.PROFILES` (a test keeps them equal): written out, as the
#: engine's modules are not imported to list commands or show help.
QUOTA_PROFILES = ("none", "aws")


def parse_lambda(spec: str) -> tuple[str, Callable[..., Any]]:
    """Turn ``name=package.module:function`` into the name and the imported callable.

    Raises ConfigurationError (or WorkflowImportError) saying what is wrong with ``spec``.
    """
    name, sep, target = spec.partition("=")
    module_name, colon, function_name = target.partition(":")
    if not sep or not name or not colon or not module_name or not function_name:
        raise ConfigurationError(
            f"--lambda {spec!r}: expected NAME=MODULE:FUNCTION, e.g. resize=images.ops:resize"
        )
    function = load_object(f"{module_name}.{function_name}")
    if not callable(function):
        raise ConfigurationError(f"--lambda {spec!r}: {target} is not callable")
    return name, function


def parse_lambdas(specs: tuple[str, ...]) -> dict[str, Callable[..., Any]]:
    """All ``--lambda`` options as the ``lambdas`` mapping of ``SWFService``; a repeated name is an error."""
    lambdas: dict[str, Callable[..., Any]] = {}
    for spec in specs:
        name, function = parse_lambda(spec)
        if name in lambdas:
            raise ConfigurationError(f"--lambda {name!r} is given twice")
        lambdas[name] = function
    return lambdas


@click.command("localswf.start")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback only by default)."
)
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="0 picks a free port.",
)
@click.option(
    "--db",
    default=":memory:",
    show_default=True,
    metavar="PATH",
    help="SQLite file that keeps the state across restarts; :memory: loses it on stop.",
)
@click.option(
    "--lambda",
    "lambda_specs",
    multiple=True,
    metavar="NAME=MODULE:FUNCTION",
    help="A Python callable that ScheduleLambdaFunction decisions may run under NAME (repeatable).",
)
@click.option(
    "--poll-timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="How long an empty PollFor*Task call is held before it returns an empty task.",
)
@click.option(
    "--quotas",
    type=click.Choice(QUOTA_PROFILES),
    default="none",
    show_default=True,
    help="Throttle as Amazon SWF does: 'aws' enforces its published token buckets (ThrottlingException "
    "for API calls, *_RATE_EXCEEDED for decisions); 'none' runs as fast as the machine allows.",
)
@click.option(
    "--allow-remote", is_flag=True, help="Allow a non-loopback --host (the service has no authentication)."
)
@log_format_option
@metrics_port_option(multiprocess=False)
def localswf_start(
    host: str,
    port: int,
    db: str,
    lambda_specs: tuple[str, ...],
    poll_timeout: float,
    quotas: str,
    allow_remote: bool,
) -> None:
    """Run the embedded SWF service over HTTP until SIGTERM or Ctrl-C.

    Any SWF client reaches it through boto3's AWS_ENDPOINT_URL_SWF variable, with any credentials.
    LOG_LEVEL=DEBUG logs one line per request.

    \b
    Example:
      simpleflow localswf.start --db ~/.simpleflow/swf.db --lambda resize=images.ops:resize
      export AWS_ENDPOINT_URL_SWF=http://127.0.0.1:8765
      aws swf list-domains --registration-status REGISTERED
    """
    # Imported here, not at the top: the engine, its SQLite store and the HTTP server are not needed to
    # list commands or show help, which every ``simpleflow`` invocation loads this module for.
    from simpleflow.localswf.http import LocalSWFServer, is_loopback
    from simpleflow.localswf.service import SWFService

    if not allow_remote and not is_loopback(host):
        raise ConfigurationError(
            f"--host {host} is not a loopback address and the service has no authentication; "
            "add --allow-remote to serve it anyway"
        )
    lambdas = parse_lambdas(lambda_specs)
    service = SWFService(db, poll_timeout=poll_timeout, lambdas=lambdas, quotas=quotas)
    try:
        server = LocalSWFServer(service, host, port, allow_remote=allow_remote)
    except OSError as error:
        service.close()
        raise ConfigurationError(f"cannot bind {host}:{port}: {error.strerror or error}") from error

    def request_stop(signum: int, frame: FrameType | None) -> None:
        # Raising from a signal handler could interrupt the server mid-request; instead the serving
        # loop is asked to end, from another thread since stop() waits for the loop running here.
        click.echo(f"localswf: stopping on {signal.Signals(signum).name}", err=True)
        threading.Thread(target=server.stop, name="localswf-stop", daemon=True).start()

    previous_handlers = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        click.echo(f"localswf: serving Amazon SWF's API at {server.endpoint_url} (db: {db})")
        if service.throttle is not None:
            click.echo(f"localswf: throttling with the {quotas!r} quota profile", err=True)
        if db == ":memory:":
            click.echo("localswf: the state is in memory and is lost on stop; --db PATH keeps it", err=True)
        click.echo(f"export AWS_ENDPOINT_URL_SWF={server.endpoint_url}")
        sys.stdout.flush()
        server.serve_forever()
    finally:
        for sig, handler in previous_handlers.items():
            signal.signal(sig, handler)
        server.stop()
        service.close()
    click.echo("localswf: stopped", err=True)
