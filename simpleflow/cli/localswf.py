"""``simpleflow localswf.start``: run the embedded SWF service over HTTP on this machine."""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from simpleflow.cli.arguments import load_object
from simpleflow.cli.options import log_format_option, metrics_port_option
from simpleflow.exceptions import ConfigurationError

if TYPE_CHECKING:
    from simpleflow.localswf.auth import Credentials

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


def require_finite(param: click.Parameter, value: float) -> float:
    """Refuse ``nan`` and ``inf``, which click's ranges let through (comparisons with nan are all false)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds", param=param)
    return value


def load_credentials(spec: str | None, path: str | None) -> Credentials | None:
    """The credentials of ``--credentials`` or ``--credentials-file`` (not both), or None."""
    from simpleflow.localswf.auth import parse_credentials, read_credentials_file

    if spec is not None and path is not None:
        raise ConfigurationError("give --credentials or --credentials-file, not both")
    if spec is not None:
        return parse_credentials(spec)
    if path is not None:
        credentials = read_credentials_file(path)
        if os.stat(path).st_mode & 0o077:
            click.echo(
                f"localswf: warning: {path} can be read by other users; chmod 600 it to keep the secret",
                err=True,
            )
        return credentials
    return None


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
    callback=lambda ctx, param, value: require_finite(param, value),
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
    "--side-effect-delay",
    default=0.02,
    show_default=True,
    type=click.FloatRange(min=0, max=3600),
    callback=lambda ctx, param, value: require_finite(param, value),
    metavar="SECONDS",
    help="How long after its decision a child start, external signal or cancel request is carried out "
    "(SWF does them asynchronously; 0: at the next scheduler step).",
)
@click.option(
    "--time-skipping",
    is_flag=True,
    help="Run on a virtual clock: whenever no decision or activity task is scheduled or started, skip to "
    "the next timer or timeout (a running activity is never cut short). Histories and listings then show "
    "virtual timestamps, and an execution that only waits for a signal times out at once.",
)
@click.option(
    "--credentials",
    "credentials_spec",
    metavar="ACCESS_KEY:SECRET",
    help="Require every request to be signed (SigV4) with this key; refuse the others with SWF's auth "
    "faults. Visible to other local users in the process list: prefer --credentials-file.",
)
@click.option(
    "--credentials-file",
    metavar="PATH",
    help="Like --credentials, with the ACCESS_KEY:SECRET line read from a file.",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a non-loopback --host; requires --credentials or --credentials-file.",
)
@click.option(
    "--console",
    "console_port",
    is_flag=False,
    flag_value=8233,
    default=None,
    type=click.IntRange(0, 65535),
    metavar="[PORT]",
    help="Also serve the web console (simpleflow[console]) from this process, on PORT (8233).",
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
    side_effect_delay: float,
    time_skipping: bool,
    credentials_spec: str | None,
    credentials_file: str | None,
    allow_remote: bool,
    console_port: int | None,
) -> None:
    """Run the embedded SWF service over HTTP until SIGTERM or Ctrl-C.

    Any SWF client reaches it through boto3's AWS_ENDPOINT_URL_SWF variable, with any credentials unless
    --credentials (or --credentials-file) names the one key requests must be signed with.
    LOG_LEVEL=DEBUG logs one line per request.

    \b
    Example:
      simpleflow localswf.start --db ~/.simpleflow/swf.db --lambda resize=images.ops:resize
      export AWS_ENDPOINT_URL_SWF=http://127.0.0.1:8765
      aws swf list-domains --registration-status REGISTERED
    """
    # Imported here, not at the top: the engine, its SQLite store and the HTTP server are not needed to
    # list commands or show help, which every ``simpleflow`` invocation loads this module for.
    from simpleflow.localswf.clock import VirtualClock
    from simpleflow.localswf.http import LocalSWFServer, is_loopback
    from simpleflow.localswf.limits import Limits
    from simpleflow.localswf.service import SWFService

    credentials = load_credentials(credentials_spec, credentials_file)
    if not allow_remote and not is_loopback(host):
        raise ConfigurationError(
            f"--host {host} is not a loopback address; add --allow-remote (with --credentials or "
            "--credentials-file) to serve it anyway"
        )
    if allow_remote and credentials is None:
        raise ConfigurationError(
            "--allow-remote lets other machines in: it requires --credentials ACCESS_KEY:SECRET or "
            "--credentials-file PATH, so that only signed requests are served"
        )
    lambdas = parse_lambdas(lambda_specs)
    limits = Limits(side_effect_delay=side_effect_delay)
    service = SWFService(
        db,
        clock=VirtualClock() if time_skipping else None,
        poll_timeout=poll_timeout,
        lambdas=lambdas,
        quotas=quotas,
        limits=limits,
        # Its deciders and workers are other processes: one between two polls is invisible to it.
        remote_pollers=True,
    )
    try:
        server = LocalSWFServer(service, host, port, allow_remote=allow_remote, credentials=credentials)
    except OSError as error:
        service.close()
        raise ConfigurationError(f"cannot bind {host}:{port}: {error.strerror or error}") from error

    def request_stop(signum: int, frame: FrameType | None) -> None:
        # Raising from a signal handler could interrupt the server mid-request; instead the serving
        # loop is asked to end, from another thread since stop() waits for the loop running here.
        click.echo(f"localswf: stopping on {signal.Signals(signum).name}", err=True)
        threading.Thread(target=server.stop, name="localswf-stop", daemon=True).start()

    console = None
    previous_handlers = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if console_port is not None:
            from simpleflow.console.embedded import console_for_service

            console = console_for_service(service, host=host, port=console_port, allow_remote=allow_remote)
            click.echo(f"localswf: web console at {console.url}")
        click.echo(f"localswf: serving Amazon SWF's API at {server.endpoint_url} (db: {db})")
        if credentials is not None:
            click.echo(
                f"localswf: requests must be signed with access key {credentials.access_key}", err=True
            )
        if time_skipping:
            click.echo(
                "localswf: time is virtual: when no decision or activity task is scheduled or started, "
                "the clock skips to the next timer or timeout (timestamps are the virtual clock's)",
                err=True,
            )
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
        if console is not None:
            console.stop()
        server.stop()
        service.close()
    click.echo("localswf: stopped", err=True)
