"""Logging set-up for every simpleflow process: the CLI, its supervised pollers and activity children.

The level comes from ``LOG_LEVEL`` (default INFO), the format from ``SIMPLEFLOW_LOG_FORMAT`` (``text``, the
default, or ``json``). :func:`configure_logging` writes both back to the environment, which spawned
processes inherit (a poller, the forkserver, an activity child get it through their environment), and
each of them calls :func:`configure_logging` again at its start: so a child logs with its parent's level
and format, and its lines carry a timestamp, the level and its pid like the parent's.

Logs go to stderr (stdout is kept for results). The handler carries
:class:`~simpleflow.observability.redaction.RedactingFilter`.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from simpleflow.exceptions import ConfigurationError
from simpleflow.observability.json_format import JSONFormatter
from simpleflow.observability.redaction import RedactingFilter

__all__ = [
    "LEVEL_ENV",
    "LOG_FORMATS",
    "LOG_FORMAT_ENV",
    "TEXT_FORMAT",
    "configure_logging",
    "logged_crash",
    "redact_handlers",
]

LEVEL_ENV = "LOG_LEVEL"
LOG_FORMAT_ENV = "SIMPLEFLOW_LOG_FORMAT"
LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Writes to whatever ``sys.stderr`` is when a record comes, not to the one at set-up.

    A test runner (click's CliRunner, pytest's capture) swaps ``sys.stderr`` and closes its stand-in
    afterwards: a handler that kept the stand-in would then fail on every record.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override,unused-ignore]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass  # always the current sys.stderr


def _level(name: str) -> int:
    level = logging.getLevelName(name.upper())
    if not isinstance(level, int):
        raise ConfigurationError(f"{LEVEL_ENV}={name!r} is not a logging level (DEBUG, INFO, WARNING, ERROR)")
    return level


def configure_logging(*, level: str | None = None, log_format: str | None = None) -> None:
    """Log to stderr at ``level`` in ``log_format`` (default: the environment's, else INFO and text).

    A ``level`` or ``log_format`` given is written to the environment, for the processes started from
    here (what the environment already says, they read themselves). Calling it again replaces the
    handler it installed before (and only that one: a test's capture handler stays).
    """
    level_name = (level or os.environ.get(LEVEL_ENV) or "INFO").upper()
    numeric_level = _level(level_name)
    chosen_format = (log_format or os.environ.get(LOG_FORMAT_ENV) or "text").lower()
    if chosen_format not in LOG_FORMATS:
        raise ConfigurationError(
            f"{LOG_FORMAT_ENV}={chosen_format!r}: expected one of {', '.join(LOG_FORMATS)}"
        )
    if level is not None:
        os.environ[LEVEL_ENV] = level_name
    if log_format is not None:
        os.environ[LOG_FORMAT_ENV] = chosen_format

    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "simpleflow_handler", False):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler.simpleflow_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(JSONFormatter() if chosen_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(numeric_level)
    # botocore narrates every client it builds at INFO; only LOG_LEVEL=DEBUG asks for that.
    logging.getLogger("botocore").setLevel(
        numeric_level if numeric_level <= logging.DEBUG else max(numeric_level, logging.WARNING)
    )


def redact_handlers(*loggers: logging.Logger) -> None:
    """Give every handler of ``loggers`` the redacting filter (for set-ups made by ``dictConfig``)."""
    for target in loggers:
        for handler in target.handlers:
            if not any(isinstance(each, RedactingFilter) for each in handler.filters):
                handler.addFilter(RedactingFilter())


@contextmanager
def logged_crash(logger: logging.Logger, what: str) -> Iterator[None]:
    """Log an exception escaping the block (with its traceback, in the process's format), then re-raise.

    Without it, a spawned process's uncaught exception is printed bare by multiprocessing: no time, no
    level, no pid, and never as JSON.
    """
    try:
        yield
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException:
        logger.critical("%s crashed", what, exc_info=True)
        raise SystemExit(1) from None
