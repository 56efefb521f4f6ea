"""The boto3 ``swf`` client factory, programmatic credentials, and the translation of botocore errors.

Everything above the engine talks to it through one boto3 client made by :func:`make_client`. It is
made from a botocore session dressed as boto3's (:mod:`simpleflow.swf.session`): the same client class,
configuration and ``User-Agent``, without ``import boto3`` and its s3transfer (about 0.1 s of start-up).
botocore itself is imported only when a client is made, so commands that never talk to SWF
(``simpleflow --help``, ``--local`` runs) do not pay for it.

- region: the ``region`` argument, else the session's (``AWS_DEFAULT_REGION`` or the profile), else
  ``us-east-1``;
- endpoint: the ``endpoint_url`` argument, else boto3's own resolution (``AWS_ENDPOINT_URL_SWF``,
  ``AWS_ENDPOINT_URL`` or the config file), else Amazon SWF;
- credentials: those given to :func:`set_credentials`, else boto3's chain (environment, profiles,
  roles). A custom endpoint (the embedded service) works without any credentials: requests go unsigned;
- retries: botocore's ``standard`` mode (``adaptive`` on request, or ``AWS_RETRY_MODE``) with
  ``SWF_CONNECTION_RETRIES`` attempts in total, else botocore's ``AWS_MAX_ATTEMPTS`` (or the profile's
  ``max_attempts``), else 5. Throttling is retried by botocore, never by a
  hand-written loop here;
- a read timeout of 70 s, above SWF's 60 s long poll, so an idle poll is not mistaken for a dead socket.

Calls are wrapped in :func:`swf_errors`, which turns botocore's exceptions into
:mod:`simpleflow.exceptions` classes (``UnknownResource``, ``Throttled``, ``EndpointUnreachable``,
``ConfigurationError`` ...). Credentials are never logged.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeAlias

from simpleflow.exceptions import (
    ConfigurationError,
    EndpointUnreachable,
    SWFError,
    Throttled,
    UnknownResource,
)
from simpleflow.swf.session import configured_retries, create_client, new_session, session_region

if TYPE_CHECKING:
    import boto3.session
    import botocore.session

    # What ``session=`` and :func:`set_credentials` accept and keep: either kind works.
    Session: TypeAlias = boto3.session.Session | botocore.session.Session

# boto3 builds client classes at run time; no static type describes them without extra stub packages.
SWFClient: TypeAlias = Any

DEFAULT_REGION = "us-east-1"
DEFAULT_CONNECTION_RETRIES = 5
DEFAULT_RETRY_MODE = "standard"
RETRY_MODES = ("standard", "adaptive", "legacy")
# SWF holds a poll open for up to 60 s; a shorter read timeout would cut healthy idle polls.
READ_TIMEOUT_SECONDS = 70
CONNECT_TIMEOUT_SECONDS = 10

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestThrottledException",
    }
)

_default_session: Session | None = None
_session_lock = threading.Lock()


def set_credentials(
    access_key_id: str,
    secret_access_key: str,
    *,
    session_token: str | None = None,
    region: str | None = None,
) -> None:
    """Use these credentials for every client :func:`make_client` makes without an explicit session.

    This is the programmatic alternative to boto3's chain (environment, profiles, instance roles).
    """
    global _default_session
    session = new_session(
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        session_token=session_token,
        region=region,
    )
    with _session_lock:
        _default_session = session


def clear_credentials() -> None:
    """Forget the credentials given to :func:`set_credentials`; boto3's chain applies again."""
    global _default_session
    with _session_lock:
        _default_session = None


def connection_retries() -> int:
    """Total attempts per SWF call: ``SWF_CONNECTION_RETRIES`` (default 5, at least 1)."""
    raw = os.environ.get("SWF_CONNECTION_RETRIES", "").strip()
    if not raw:
        return DEFAULT_CONNECTION_RETRIES
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"SWF_CONNECTION_RETRIES must be an integer, not {raw!r}") from None
    if value < 1:
        raise ConfigurationError(f"SWF_CONNECTION_RETRIES must be at least 1, not {value}")
    return value


def make_client(
    *,
    region: str | None = None,
    endpoint_url: str | None = None,
    max_attempts: int | None = None,
    retry_mode: str | None = None,
    session: Session | None = None,
    max_pool_connections: int | None = None,
) -> SWFClient:
    """Make a boto3 ``swf`` client configured as the module docstring describes.

    ``max_attempts`` overrides ``SWF_CONNECTION_RETRIES``; ``retry_mode`` overrides ``AWS_RETRY_MODE``
    (``standard`` by default). ``session`` (a boto3 or a botocore session) overrides the credentials of
    :func:`set_credentials`.
    ``max_pool_connections`` widens botocore's pool (10) for many threads sharing one client: each
    long poll holds a connection for up to 60 s.
    """
    if session is None:
        with _session_lock:
            session = _default_session
    if session is None:
        session = new_session()
    # botocore's own settings (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, or the profile's) apply as botocore
    # documents them, below the arguments and simpleflow's SWF_CONNECTION_RETRIES.
    configured_attempts, configured_mode = configured_retries(session)
    mode = retry_mode or configured_mode or DEFAULT_RETRY_MODE
    if mode not in RETRY_MODES:
        raise ConfigurationError(f"retry mode must be one of {', '.join(RETRY_MODES)}, not {mode!r}")
    if max_attempts is None and not os.environ.get("SWF_CONNECTION_RETRIES", "").strip():
        max_attempts = configured_attempts
    attempts = connection_retries() if max_attempts is None else max_attempts
    if attempts < 1:
        raise ConfigurationError(f"max_attempts must be at least 1, not {attempts}")
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(
        region_name=region or session_region(session) or DEFAULT_REGION,
        retries={"total_max_attempts": attempts, "mode": mode},
        read_timeout=READ_TIMEOUT_SECONDS,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        **({} if max_pool_connections is None else {"max_pool_connections": max_pool_connections}),
    )
    client = create_client(session, "swf", endpoint_url=endpoint_url, config=config)
    if is_custom_endpoint(client) and not _has_credentials(session):
        # The embedded service checks no signature: a fresh machine with no AWS account must work.
        client = create_client(
            session, "swf", endpoint_url=endpoint_url, config=config.merge(Config(signature_version=UNSIGNED))
        )
    return client


def _has_credentials(session: Session) -> bool:
    import botocore.exceptions

    try:
        return session.get_credentials() is not None
    except botocore.exceptions.BotoCoreError:
        # A provider of the chain that is configured but failing counts as no credentials here.
        return False


def is_custom_endpoint(client: SWFClient) -> bool:
    """Whether ``client`` talks to an endpoint other than Amazon's own (from config or an argument)."""
    from urllib.parse import urlsplit

    host = urlsplit(client.meta.endpoint_url).hostname or ""
    return not (
        host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn") or host.endswith(".api.aws")
    )


def _botocore_exceptions() -> Any:
    """botocore's exceptions module if botocore is loaded, else None.

    No botocore exception can exist before botocore is imported, so an error raised while it is not
    loaded is not one of its errors, and checking costs no import.
    """
    return sys.modules.get("botocore.exceptions")


def translate_error(error: Exception, *, operation: str | None = None) -> Exception:
    """The :mod:`simpleflow.exceptions` error for a botocore exception; other exceptions unchanged."""
    botocore_exceptions = _botocore_exceptions()
    if botocore_exceptions is None:
        return error
    if isinstance(error, botocore_exceptions.ClientError):
        info = error.response.get("Error", {})
        code = str(info.get("Code") or "Unknown")
        message = str(info.get("Message") or "")
        operation_name = getattr(error, "operation_name", None) or operation or "SWF call"
        if code == "UnknownResourceFault":
            return UnknownResource(operation_name, code, message)
        if code in THROTTLING_CODES:
            return Throttled(operation_name, code, message)
        return SWFError(operation_name, code, message)
    if isinstance(error, botocore_exceptions.NoCredentialsError):
        return ConfigurationError(
            "no AWS credentials found and no SWF endpoint configured: set AWS credentials "
            "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile) to use Amazon SWF, point "
            "AWS_ENDPOINT_URL_SWF at an SWF-compatible service, or run with --local-swf"
        )
    if isinstance(error, botocore_exceptions.ConnectionError | botocore_exceptions.HTTPClientError):
        endpoint = getattr(error, "kwargs", {}).get("endpoint_url") or "the SWF endpoint"
        return EndpointUnreachable(operation or "SWF call", str(endpoint), str(error))
    return error


@contextmanager
def swf_errors(operation: str | None = None) -> Iterator[None]:
    """Run SWF calls, raising :mod:`simpleflow.exceptions` errors instead of botocore's."""
    try:
        yield
    except Exception as error:
        # translate_error leaves anything that is not botocore's unchanged, which is re-raised as is.
        translated = translate_error(error, operation=operation)
        if translated is error:
            raise
        raise translated from error
