"""``simpleflow console``: serve the web console over any SWF endpoint."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from simpleflow.cli.options import endpoint_option, given_endpoint_url

DEFAULT_PORT = 8233


@click.command("console")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="0 picks a free port.",
)
@endpoint_option
@click.option("--region", help="The AWS region (default: the session's, else us-east-1).")
@click.option("--domain", envvar="SWF_DOMAIN", help="The domain the console opens on (also SWF_DOMAIN).")
@click.option("--read-only", is_flag=True, help="Show executions but offer no action (signal, cancel, ...).")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a non-loopback --host; every request then needs the access token.",
)
@click.option(
    "--token",
    envvar="SIMPLEFLOW_CONSOLE_TOKEN",
    help="The access token (default: none on loopback, a generated one otherwise). "
    "Also SIMPLEFLOW_CONSOLE_TOKEN.",
)
def console(
    host: str,
    port: int,
    region: str | None,
    domain: str | None,
    read_only: bool,
    allow_remote: bool,
    token: str | None,
) -> None:
    """Serve the web console: executions, their timelines, tasks and histories, and actions on them.

    Runs until SIGTERM or Ctrl-C, and prints the address to open.

    \b
    Example:
      simpleflow console --endpoint-url http://127.0.0.1:8765 --domain TestDomain
    """
    # Imported here: listing commands and --help need none of this.
    from simpleflow.console.errors import ConsoleUnavailable

    try:
        import jinja2  # noqa: F401 - only checks that the extra is installed
    except ImportError:
        raise ConsoleUnavailable("jinja2") from None
    from simpleflow.console.server import ConsoleServer
    from simpleflow.storage import store_from_settings
    from simpleflow.swf.client import make_client

    client = make_client(endpoint_url=given_endpoint_url(), region=region)
    label = client.meta.endpoint_url
    server = ConsoleServer(
        client,
        host=host,
        port=port,
        allow_remote=allow_remote,
        token=token,
        read_only=read_only,
        default_domain=domain,
        store=store_from_settings(),
        endpoint_label=label,
    )

    def request_stop(signum: int, frame: FrameType | None) -> None:
        # stop() waits for the serving loop, which runs in this thread: ask from another one.
        threading.Thread(target=server.stop, name="console-stop", daemon=True).start()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        click.echo(f"console: serving {label} at {server.url}", err=False)
        if read_only:
            click.echo("console: read-only, actions are off", err=True)
        server.serve_forever()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    click.echo("console: stopped", err=True)
