"""simpleflow's defaults, each overridable by an environment variable read when this module is imported.

=========================================  ==========================================  ================
Setting                                    Environment variable                        Default
=========================================  ==========================================  ================
``ACTIVITY_DEFAULT_VERSION``               ``SIMPLEFLOW_ACTIVITY_VERSION``             ``"1.0"``
``ACTIVITY_DEFAULT_TASK_LIST``             ``SIMPLEFLOW_ACTIVITY_TASK_LIST``           ``"default"``
``ACTIVITY_START_TO_CLOSE_TIMEOUT``        ``SIMPLEFLOW_ACTIVITY_START_TO_CLOSE``      ``300``
``ACTIVITY_SCHEDULE_TO_START_TIMEOUT``     ``SIMPLEFLOW_ACTIVITY_SCHEDULE_TO_START``   ``3600``
``ACTIVITY_SCHEDULE_TO_CLOSE_TIMEOUT``     ``SIMPLEFLOW_ACTIVITY_SCHEDULE_TO_CLOSE``   ``"NONE"``
``ACTIVITY_HEARTBEAT_TIMEOUT``             ``SIMPLEFLOW_ACTIVITY_HEARTBEAT``           ``"NONE"``
``ACTIVITY_RETRY_DELAY``                   ``SIMPLEFLOW_ACTIVITY_RETRY_DELAY``         ``0``
``PAYLOAD_STORE``                          ``SIMPLEFLOW_PAYLOAD_STORE``                ``None``
``PAYLOAD_CACHE_BYTES``                    ``SIMPLEFLOW_PAYLOAD_CACHE_BYTES``          64 MiB
=========================================  ==========================================  ================

Timeouts are whole seconds or ``"NONE"`` (no limit), as SWF takes them. ``ACTIVITY_RETRY_DELAY`` is the
whole seconds the decider waits (with a timer) before scheduling a failed or timed-out attempt again.
``PAYLOAD_STORE`` is the URL of the out-of-band payload store (``file:///path`` or ``s3://bucket/prefix``,
see :mod:`simpleflow.storage`);
simpleflow 0.x's ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET=bucket[/prefix]`` means
``simpleflow+s3://bucket[/prefix]``: an S3 store writing simpleflow 0.x's jumbo field references.
Without a store, a field over its SWF limit is an error that says so.

An invalid value raises :class:`~simpleflow.exceptions.ConfigurationError` naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from simpleflow.exceptions import ConfigurationError

Timeout = int | str


def read_timeout(variable: str, default: Timeout, *, environ: Mapping[str, str] = os.environ) -> Timeout:
    """A timeout from ``variable``: whole seconds (returned as ``int``) or ``"NONE"``."""
    raw = environ.get(variable)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    if text.upper() == "NONE":
        return "NONE"
    if not text.isdigit():
        raise ConfigurationError(f"{variable}={raw!r}: expected whole seconds (e.g. 300) or NONE")
    return int(text)


def read_int(variable: str, default: int, *, environ: Mapping[str, str] = os.environ) -> int:
    """A non-negative integer from ``variable``."""
    raw = environ.get(variable)
    if raw is None or raw.strip() == "":
        return default
    if not raw.strip().isdigit():
        raise ConfigurationError(f"{variable}={raw!r}: expected a non-negative integer")
    return int(raw.strip())


def read_payload_store(environ: Mapping[str, str] = os.environ) -> str | None:
    """The payload store URL: ``SIMPLEFLOW_PAYLOAD_STORE``, else ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET`` as S3."""
    url = environ.get("SIMPLEFLOW_PAYLOAD_STORE", "").strip()
    if url:
        return url
    bucket = environ.get("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", "").strip().removeprefix("s3://").rstrip("/")
    if bucket:
        # simpleflow 0.x's own reference form, so its deciders and workers can read what ours store.
        return "simpleflow+s3://" + bucket
    return None


ACTIVITY_DEFAULT_VERSION: str = os.environ.get("SIMPLEFLOW_ACTIVITY_VERSION") or "1.0"
ACTIVITY_DEFAULT_TASK_LIST: str = os.environ.get("SIMPLEFLOW_ACTIVITY_TASK_LIST") or "default"
ACTIVITY_START_TO_CLOSE_TIMEOUT: Timeout = read_timeout("SIMPLEFLOW_ACTIVITY_START_TO_CLOSE", 300)
ACTIVITY_SCHEDULE_TO_START_TIMEOUT: Timeout = read_timeout("SIMPLEFLOW_ACTIVITY_SCHEDULE_TO_START", 3600)
ACTIVITY_SCHEDULE_TO_CLOSE_TIMEOUT: Timeout = read_timeout("SIMPLEFLOW_ACTIVITY_SCHEDULE_TO_CLOSE", "NONE")
ACTIVITY_HEARTBEAT_TIMEOUT: Timeout = read_timeout("SIMPLEFLOW_ACTIVITY_HEARTBEAT", "NONE")
ACTIVITY_RETRY_DELAY: int = read_int("SIMPLEFLOW_ACTIVITY_RETRY_DELAY", 0)

PAYLOAD_STORE: str | None = read_payload_store()
PAYLOAD_CACHE_BYTES: int = read_int("SIMPLEFLOW_PAYLOAD_CACHE_BYTES", 64 * 1024 * 1024)
