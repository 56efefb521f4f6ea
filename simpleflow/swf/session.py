"""botocore sessions that make the very clients boto3 would, without importing boto3.

A boto3 ``swf`` client *is* a botocore client: ``boto3.session.Session.client`` only forwards to the
botocore session it wraps. What boto3 adds on top costs start-up time and nothing an ``swf`` client
uses: ``import boto3`` loads ``boto3.compat``, which loads s3transfer (about 0.1 s of every command),
and its session registers S3/DynamoDB/EC2 resource customizations. The one visible thing a boto3
session changes is the ``User-Agent`` header (``Boto3/<version> ... Botocore/<version>``), which AWS
records in CloudTrail; :func:`new_session` sets the same three fields, so requests look exactly as
boto3's did. Credentials (environment, profiles, SSO, roles), region, ``AWS_ENDPOINT_URL_SWF`` and
the config file are all resolved by botocore in either case.

``tests/unit/swf/test_session.py`` compares the headers and configuration of both kinds of client, so
a boto3 release that changes what its session does fails a test instead of drifting silently.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from simpleflow.exceptions import ConfigurationError

if TYPE_CHECKING:
    import botocore.session

# The assignment in boto3/__init__.py; boto3 has spelled it this way in every release.
_VERSION_ASSIGNMENT = re.compile(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", re.MULTILINE)


@functools.lru_cache(maxsize=1)
def boto3_version() -> str:
    """boto3's ``__version__``, read from its source rather than imported (importing it is the cost
    this module avoids; ``importlib.metadata`` scans every path entry and is slower still)."""
    spec = importlib.util.find_spec("boto3")
    if spec is not None and spec.origin is not None:
        try:
            with open(spec.origin, encoding="utf-8") as source:
                found = _VERSION_ASSIGNMENT.search(source.read())
        except OSError:
            found = None
        if found is not None:
            return found.group(1)
    # An unusual install (zipped, frozen): the exact answer, at boto3's import cost.
    import boto3

    return str(boto3.__version__)


def new_session(
    *,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
    region: str | None = None,
) -> botocore.session.Session:
    """A botocore session set up as ``boto3.session.Session(...)`` sets up its own, for ``swf`` clients.

    Credentials given here take the place of the chain, as boto3's ``aws_access_key_id`` and friends do.
    """
    import botocore.session

    session = botocore.session.Session()
    # boto3 announces itself first and botocore as an extra; keep any extra a user configured.
    botocore_info = f"Botocore/{session.user_agent_version}"
    session.user_agent_extra = f"{session.user_agent_extra} {botocore_info}".strip()
    session.user_agent_name = "Boto3"
    session.user_agent_version = boto3_version()
    if access_key_id or secret_access_key or session_token:
        session.set_credentials(access_key_id, secret_access_key, session_token)
    if region is not None:
        session.set_config_variable("region", region)
    return session


@contextlib.contextmanager
def configuration_errors() -> Iterator[None]:
    """Turn botocore's complaints about the configuration into one-line ConfigurationErrors.

    An unknown ``AWS_PROFILE``, a malformed region or endpoint URL are the user's settings, not
    simpleflow's bugs: each says what was given and where it comes from.
    """
    import botocore.exceptions

    try:
        yield
    except botocore.exceptions.ProfileNotFound as error:
        profile = error.kwargs.get("profile")
        raise ConfigurationError(
            f"AWS profile {profile!r} not found in the AWS config or credentials files"
            + (" (from AWS_PROFILE)" if os.environ.get("AWS_PROFILE") == profile else "")
        ) from error
    except botocore.exceptions.InvalidRegionError as error:
        raise ConfigurationError(
            f"{error.kwargs.get('region_name')!r} is not an AWS region name, e.g. us-east-1 "
            "(from AWS_DEFAULT_REGION, AWS_REGION or the profile's region)"
        ) from error
    except botocore.exceptions.NoRegionError as error:
        raise ConfigurationError("no AWS region: set AWS_DEFAULT_REGION (e.g. us-east-1)") from error
    except ValueError as error:
        if not str(error).startswith("Invalid endpoint"):
            raise
        raise ConfigurationError(_endpoint_problem(str(error).partition(": ")[2])) from error


def _endpoint_problem(url: str) -> str:
    return f"{url!r} is not an SWF endpoint URL; expected http://HOST:PORT or https://HOST"


def check_endpoint_url(url: str | None) -> None:
    """Raise ConfigurationError unless ``url`` (when given) is an http or https URL with a host."""
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(_endpoint_problem(url))


def session_region(session: Any) -> str | None:
    """The region of a boto3 or a botocore session (None when neither argument, env nor profile sets it)."""
    if hasattr(session, "get_config_variable"):
        with configuration_errors():
            region: str | None = session.get_config_variable("region")
        return region
    return getattr(session, "region_name", None)


def configured_retries(session: Any) -> tuple[int | None, str | None]:
    """The total attempts and retry mode botocore's configuration sets: ``AWS_MAX_ATTEMPTS`` and
    ``AWS_RETRY_MODE``, else ``max_attempts`` and ``retry_mode`` in the profile; None where unset."""
    botocore_session = getattr(session, "_session", session)  # a boto3 session wraps a botocore one
    try:
        with configuration_errors():
            attempts = botocore_session.get_config_variable("max_attempts")
            mode = botocore_session.get_config_variable("retry_mode")
    except ValueError as error:  # botocore's int() of the setting
        raise ConfigurationError(f"AWS_MAX_ATTEMPTS (or max_attempts in the profile): {error}") from error
    if attempts is not None and int(attempts) < 1:
        raise ConfigurationError(f"AWS_MAX_ATTEMPTS must be at least 1, not {attempts}")
    return (None if attempts is None else int(attempts)), mode


def create_client(session: Any, service: str, **options: Any) -> Any:
    """``session.client(...)`` for a boto3 session, ``session.create_client(...)`` for a botocore one.

    A bad configuration (profile, region, endpoint URL) raises a one-line ConfigurationError.
    """
    check_endpoint_url(options.get("endpoint_url"))
    with configuration_errors():
        if hasattr(session, "create_client"):
            client = session.create_client(service, **options)
        else:
            client = session.client(service, **options)
    # An endpoint from the environment or the config file (AWS_ENDPOINT_URL_SWF) is checked as well.
    check_endpoint_url(client.meta.endpoint_url)
    return client
