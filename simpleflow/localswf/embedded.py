"""Start the embedded SWF service from Python: for tests, ``--local`` runs and ``standalone``.

- :func:`embedded_server` runs a service behind :class:`~simpleflow.localswf.http.LocalSWFServer` in a
  background thread and yields the server (``server.endpoint_url`` for boto3 or other processes);
- :func:`embedded_client` yields a boto3 ``swf`` client wired to a service in process, through
  botocore's ``before-send`` event: no socket, but botocore still serializes, validates and parses;
- :func:`embedded_direct_client` yields a :class:`~simpleflow.localswf.direct.DirectClient` on a service:
  the same answers as ``embedded_client``'s (a differential test says so), without botocore's per-call cost;
- :func:`make_local_client` makes the boto3 client for a local endpoint (unsigned requests, so no
  credentials are looked up, and a read timeout longer than the service's long poll).

Each context manager creates (and closes) its own service unless it is given one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from botocore import UNSIGNED
from botocore.config import Config

from simpleflow.localswf.direct import DirectClient, direct_client
from simpleflow.localswf.direct_model import local_client_model
from simpleflow.localswf.inprocess import attach
from simpleflow.localswf.service import SWFService

if TYPE_CHECKING:
    from simpleflow.localswf.http import LocalSWFServer

#: Where an in-process client points: ``.invalid`` never resolves, so a request that escaped the
#: in-process transport fails at once instead of reaching Amazon.
IN_PROCESS_ENDPOINT = "http://localswf.invalid"
DEFAULT_REGION = "us-east-1"
#: The User-Agent of local clients; nothing reads it but the embedded service's debug log.
LOCAL_USER_AGENT = "simpleflow-localswf"
#: Attempts per call of an in-process client on a service that throttles API calls: as many as
#: simpleflow's clients of Amazon SWF make by default (``SWF_CONNECTION_RETRIES``), so botocore retries a
#: ``ThrottlingException`` here as it would there.
THROTTLED_MAX_ATTEMPTS = 5


def make_local_client(
    endpoint_url: str,
    *,
    region: str = DEFAULT_REGION,
    read_timeout: float = 70.0,
    max_attempts: int = 1,
    max_pool_connections: int = 32,
) -> Any:
    """A boto3 ``swf`` client for the embedded service at ``endpoint_url``.

    ``max_attempts=1`` by default: against a local service a retry only hides a bug. The pool is wider
    than botocore's default (10) so that many polling threads can share one client. The User-Agent is
    a fixed string: botocore otherwise rebuilds its own (SDK, OS and feature metadata for AWS's
    telemetry) twice per request, which was 40% of an in-process call.
    """
    # Imported here: the direct client of --local runs needs no botocore client (see direct_model).
    import botocore.session

    config = local_client_config(
        read_timeout=read_timeout, max_attempts=max_attempts, max_pool_connections=max_pool_connections
    )
    # boto3's session only forwards to botocore's; going direct spares ``--local`` runs boto3's import
    # (its s3transfer alone is ~0.1 s). The client is the same class either way.
    session = botocore.session.Session()
    return session.create_client("swf", region_name=region, endpoint_url=endpoint_url, config=config)


def local_client_config(
    *, read_timeout: float = 70.0, max_attempts: int = 1, max_pool_connections: int = 32
) -> Config:
    """The botocore config of the local clients (see :func:`make_local_client` for the reasons)."""
    return Config(
        signature_version=UNSIGNED,
        user_agent=LOCAL_USER_AGENT,
        read_timeout=read_timeout,
        connect_timeout=5,
        retries={"total_max_attempts": max_attempts, "mode": "standard"},
        max_pool_connections=max_pool_connections,
    )


@contextmanager
def embedded_server(
    service: SWFService | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    **service_options: Any,
) -> Iterator[LocalSWFServer]:
    """Serve ``service`` (or a new ``SWFService(**service_options)``) over HTTP from a thread.

    Yields the started server; stops it on exit, and closes the service if it was created here.
    """
    # Imported here: ``--local`` runs use only embedded_client and need no HTTP server.
    from simpleflow.localswf.http import LocalSWFServer

    owned = service is None
    running = SWFService(**service_options) if service is None else service
    try:
        with LocalSWFServer(running, host, port) as server:
            yield server
    finally:
        if owned:
            running.close()


@contextmanager
def embedded_client(
    service: SWFService | None = None, *, max_attempts: int | None = None, **service_options: Any
) -> Iterator[Any]:
    """A boto3 ``swf`` client attached in process to ``service`` (or a new ``SWFService``).

    ``max_attempts``: botocore's attempts per call; by default one, or :data:`THROTTLED_MAX_ATTEMPTS` when
    the service throttles API calls (a quota profile is on). Closes the service on exit if it was created
    here.
    """
    owned = service is None
    running = SWFService(**service_options) if service is None else service
    if max_attempts is None:
        max_attempts = 1 if running.throttle is None else THROTTLED_MAX_ATTEMPTS
    try:
        client = make_local_client(IN_PROCESS_ENDPOINT, max_attempts=max_attempts)
        attach(client, running)
        yield client
    finally:
        if owned:
            running.close()


@contextmanager
def embedded_direct_client(
    service: SWFService | None = None, **service_options: Any
) -> Iterator[DirectClient]:
    """A direct in-process client on ``service`` (or a new ``SWFService``), answering as ``embedded_client``.

    It answers as ``make_local_client(IN_PROCESS_ENDPOINT)`` would, from a model built without making that
    client (see :mod:`~simpleflow.localswf.direct_model`). Closes the service on exit if it was created here.
    """
    owned = service is None
    running = SWFService(**service_options) if service is None else service
    try:
        model = local_client_model(
            config=local_client_config(), endpoint_url=IN_PROCESS_ENDPOINT, region_name=DEFAULT_REGION
        )
        yield direct_client(running, model=model)
    finally:
        if owned:
            running.close()
