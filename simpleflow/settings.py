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

simpleflow 0.x's settings are here too, read from the environment variable of the same name (as 0.x
does), then from the module named by ``SIMPLEFLOW_SETTINGS_MODULE``: ``WORKFLOW_DEFAULT_*``,
``ACTIVITY_DEFAULT_TIMEOUT``, ``SIMPLEFLOW_S3_HOST``, ``SIMPLEFLOW_S3_SSE``, ``STEP_BUCKET``,
``METROLOGY_BUCKET``, ``METROLOGY_PATH_PREFIX``, ``SIMPLEFLOW_BINARIES_DIRECTORY``,
``SIMPLEFLOW_ENABLE_DISK_CACHE``, ``SIMPLEFLOW_SYSLOG_TARGET``, ``ACTIVITY_SIGTERM_WAIT_SEC`` and
``LOGGING``. The ``ACTIVITY_*`` settings above also accept 0.x's variable names
(``ACTIVITY_DEFAULT_TASK_LIST=...``) when the ``SIMPLEFLOW_*`` one is not set. :func:`put_setting`,
:func:`configure` and :func:`print_settings` work as in 0.x.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping
from pprint import pformat
from typing import Any

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


def _either(variable: str, upstream_variable: str) -> str:
    """The variable to read: ours when set, else simpleflow 0.x's name for the same setting."""
    return (
        variable
        if os.environ.get(variable, "").strip() or upstream_variable not in os.environ
        else upstream_variable
    )


ACTIVITY_DEFAULT_VERSION: str = (
    os.environ.get("SIMPLEFLOW_ACTIVITY_VERSION") or os.environ.get("ACTIVITY_DEFAULT_VERSION") or "1.0"
)
ACTIVITY_DEFAULT_TASK_LIST: str = (
    os.environ.get("SIMPLEFLOW_ACTIVITY_TASK_LIST")
    or os.environ.get("ACTIVITY_DEFAULT_TASK_LIST")
    or "default"
)
ACTIVITY_START_TO_CLOSE_TIMEOUT: Timeout = read_timeout(
    _either("SIMPLEFLOW_ACTIVITY_START_TO_CLOSE", "ACTIVITY_START_TO_CLOSE_TIMEOUT"), 300
)
ACTIVITY_SCHEDULE_TO_START_TIMEOUT: Timeout = read_timeout(
    _either("SIMPLEFLOW_ACTIVITY_SCHEDULE_TO_START", "ACTIVITY_SCHEDULE_TO_START_TIMEOUT"), 3600
)
ACTIVITY_SCHEDULE_TO_CLOSE_TIMEOUT: Timeout = read_timeout(
    _either("SIMPLEFLOW_ACTIVITY_SCHEDULE_TO_CLOSE", "ACTIVITY_SCHEDULE_TO_CLOSE_TIMEOUT"), "NONE"
)
ACTIVITY_HEARTBEAT_TIMEOUT: Timeout = read_timeout(
    _either("SIMPLEFLOW_ACTIVITY_HEARTBEAT", "ACTIVITY_HEARTBEAT_TIMEOUT"), "NONE"
)
ACTIVITY_RETRY_DELAY: int = read_int("SIMPLEFLOW_ACTIVITY_RETRY_DELAY", 0)

PAYLOAD_STORE: str | None = read_payload_store()
PAYLOAD_CACHE_BYTES: int = read_int("SIMPLEFLOW_PAYLOAD_CACHE_BYTES", 64 * 1024 * 1024)


# -- simpleflow 0.x's settings ----------------------------------------------------------------------------


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _text_or_none(value: Any) -> str | None:
    return str(value) if value else None


def _logging(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        import json

        parsed = json.loads(value)
        if not isinstance(parsed, dict):
            raise ConfigurationError(f"LOGGING={value!r}: expected a JSON object (a logging dictConfig)")
        return parsed
    return dict(value)


# The default logging configuration of 0.x (``logging.config.dictConfig`` form), at ``LOG_LEVEL``.
_DEFAULT_LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {
        "simpleflow": {
            "level": os.environ.get("LOG_LEVEL", "INFO").upper(),
            "handlers": ["console"],
            "propagate": False,
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "level": "DEBUG",
            "stream": "ext://sys.stderr",
            "formatter": "simpleflow_formatter",
        }
    },
    "formatters": {
        "simpleflow_formatter": {
            "()": "simpleflow.log.SimpleflowFormatter",
            "format": "%(asctime)s %(message)s",
        }
    },
}

# Name -> (default, how a text from the environment or a settings module becomes the value).
_UPSTREAM: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "WORKFLOW_DEFAULT_TASK_LIST": ("default", str),
    "WORKFLOW_DEFAULT_VERSION": ("default", str),
    "WORKFLOW_DEFAULT_EXECUTION_TIME": (str(60 * 60), str),
    "WORKFLOW_DEFAULT_DECISION_TASK_TIMEOUT": (str(5 * 60), str),
    "ACTIVITY_DEFAULT_TIMEOUT": (str(5 * 60), str),
    "SIMPLEFLOW_S3_HOST": ("s3.amazonaws.com", str),
    "SIMPLEFLOW_S3_SSE": (False, _flag),
    "STEP_BUCKET": ("step_bucket", str),
    "METROLOGY_BUCKET": ("metrology_bucket", str),
    "METROLOGY_PATH_PREFIX": (None, _text_or_none),
    "SIMPLEFLOW_ENABLE_DISK_CACHE": (False, _flag),
    "SIMPLEFLOW_BINARIES_DIRECTORY": ("/tmp/simpleflow-binaries", str),
    "SIMPLEFLOW_SYSLOG_TARGET": (None, _text_or_none),
    "ACTIVITY_SIGTERM_WAIT_SEC": (0.0, float),
    "LOGGING": (_DEFAULT_LOGGING, _logging),
}

#: The names of the settings this module holds (0.x's ``_keys``), for :func:`print_settings`.
_keys: set[str] = {name for name in globals() if name.isupper() and not name.startswith("_")}


def put_setting(key: str, value: Any) -> None:
    """Set the setting ``key`` to ``value`` for this process (code reading ``settings.KEY`` sees it)."""
    setattr(sys.modules[__name__], key, value)
    _keys.add(key)


def configure(values: Mapping[str, Any]) -> None:
    """:func:`put_setting` for every item of ``values``."""
    for key, value in values.items():
        put_setting(key, value)


def print_settings() -> None:
    """Print every setting as ``NAME=value``, sorted by name."""
    module = sys.modules[__name__]
    for key in sorted(_keys):
        print(f"{key}={pformat(getattr(module, key))}")


def _load_upstream(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    module_name = environ.get("SIMPLEFLOW_SETTINGS_MODULE")
    module = importlib.import_module(module_name) if module_name else None
    loaded = {}
    for name, (default, convert) in _UPSTREAM.items():
        if name in environ:
            value = environ[name]
        elif module is not None and hasattr(module, name):
            value = getattr(module, name)
        else:
            value = default
        try:
            loaded[name] = convert(value)
        except (TypeError, ValueError) as error:
            raise ConfigurationError(f"{name}={value!r}: {error}") from error
    return loaded


WORKFLOW_DEFAULT_TASK_LIST: str
WORKFLOW_DEFAULT_VERSION: str
WORKFLOW_DEFAULT_EXECUTION_TIME: str
WORKFLOW_DEFAULT_DECISION_TASK_TIMEOUT: str
ACTIVITY_DEFAULT_TIMEOUT: str
SIMPLEFLOW_S3_HOST: str
SIMPLEFLOW_S3_SSE: bool
STEP_BUCKET: str
METROLOGY_BUCKET: str
METROLOGY_PATH_PREFIX: str | None
SIMPLEFLOW_ENABLE_DISK_CACHE: bool
SIMPLEFLOW_BINARIES_DIRECTORY: str
SIMPLEFLOW_SYSLOG_TARGET: str | None
ACTIVITY_SIGTERM_WAIT_SEC: float
LOGGING: dict[str, Any]
configure(_load_upstream())
