"""The console beside an embedded SWF service in the same process (``localswf.start --console``).

It reaches the service in process, through botocore's ``before-send`` event: no socket between them,
yet every call is serialized and parsed by botocore as it is for any other endpoint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpleflow.console.server import DEFAULT_PORT, ConsoleServer

if TYPE_CHECKING:
    from simpleflow.localswf.service import SWFService


def console_for_service(
    service: SWFService,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    allow_remote: bool = False,
    token: str | None = None,
    read_only: bool = False,
) -> ConsoleServer:
    """A started console over ``service``; the caller stops it (``server.stop()``) before closing it."""
    from simpleflow.localswf.embedded import IN_PROCESS_ENDPOINT, make_local_client
    from simpleflow.localswf.inprocess import attach
    from simpleflow.storage import store_from_settings

    client = make_local_client(IN_PROCESS_ENDPOINT)
    attach(client, service)
    server = ConsoleServer(
        client,
        host=host,
        port=port,
        allow_remote=allow_remote,
        token=token,
        read_only=read_only,
        store=store_from_settings(),
        endpoint_label="embedded SWF service (this process)",
    )
    return server.start()
