"""Logging as simpleflow 0.x sets it up: its formatters, colours and :func:`setup_logging`.

The processes of this project configure logging themselves (``LOG_LEVEL``, stderr); this module is for
code that uses 0.x's pieces: ``simpleflow.log.SimpleflowFormatter`` in a ``dictConfig``,
``setup_logging()`` with ``settings.LOGGING`` and ``SIMPLEFLOW_SYSLOG_TARGET=host:port``, or
``from simpleflow import logger`` (the ``simpleflow`` logger).
"""

from __future__ import annotations

import copy
import logging
import logging.config
import sys
from datetime import datetime
from typing import Any

from simpleflow import settings

__all__ = [
    "BLUE",
    "END",
    "GREEN",
    "ORANGE",
    "RED",
    "YELLOW",
    "ColorModes",
    "SimpleflowFormatter",
    "SyslogFormatter",
    "colorize",
    "logger",
    "setup_logging",
    "setup_syslog_logging",
]

RED = "\033[91m"
GREEN = "\033[92m"
YELLOW = "\033[93m"
BLUE = "\033[94m"
ORANGE = "\033[38;5;214m"
END = "\033[0m"

#: The ``simpleflow`` logger, which ``from simpleflow import logger`` gives.
logger = logging.getLogger("simpleflow")


class ColorModes:
    """The values :data:`color_mode` takes."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


#: Whether :func:`colorize` colours: ``auto`` does when stdout is a terminal.
color_mode = ColorModes.AUTO

_COLORS = {
    "CRITICAL": RED,
    "ERROR": RED,
    "WARNING": YELLOW,
    "INFO": GREEN,
    "DEBUG": BLUE,
    "NOTSET": END,
    "RED": RED,
    "GREEN": GREEN,
    "YELLOW": YELLOW,
    "BLUE": BLUE,
}


def colorize(level: str, message: str) -> str:
    """``message`` in the colour of ``level`` (a level name or a colour name), per :data:`color_mode`."""
    if color_mode == ColorModes.NEVER or (color_mode == ColorModes.AUTO and not sys.stdout.isatty()):
        return message
    return f"{_COLORS.get(level, END)}{message}{END}"


class SimpleflowFormatter(logging.Formatter):
    """``2024-01-02T03:04:05 INFO [process=MainProcess, pid=12]: message``, then the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).replace(microsecond=0).isoformat()
        record.message = record.getMessage()
        level = colorize(record.levelname, record.levelname)
        text = f"{when} {level} [process={record.processName}, pid={record.process}]: {record.message}"
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text = f"{text}\n{record.exc_text}"
        return text


class SyslogFormatter(logging.Formatter):
    """``<workflow id>: <activity id> LEVEL pid=N message`` (the workflow part only inside an activity)."""

    def format(self, record: logging.LogRecord) -> str:
        from simpleflow.activity import get_context

        parts = []
        context = get_context()
        if context is not None:
            parts += [context.workflow_id[:64] + ":", f"activity#{context.activity_id}"]
        parts += [record.levelname, f"pid={record.process}", record.getMessage()]
        return " ".join(parts)


def setup_syslog_logging(config: dict[str, Any], host: str, port: int) -> dict[str, Any]:
    """``config`` (a ``dictConfig``) with the ``simpleflow`` logger also sent to syslog at ``host:port``."""
    config["loggers"]["simpleflow"]["handlers"].append("syslog")
    config["handlers"]["syslog"] = {
        "class": "logging.handlers.SysLogHandler",
        "address": (host, port),
        "level": "DEBUG",
        "formatter": "syslog_formatter",
    }
    config["formatters"]["syslog_formatter"] = {
        "()": "simpleflow.log.SyslogFormatter",
        "format": "%(message)s",
    }
    return config


def setup_logging() -> None:
    """Apply ``settings.LOGGING`` (plus syslog when ``SIMPLEFLOW_SYSLOG_TARGET`` is ``host:port``).

    Its handlers mask session tokens and signatures, as every handler simpleflow installs does.
    """
    config = copy.deepcopy(settings.LOGGING)
    target = settings.SIMPLEFLOW_SYSLOG_TARGET
    if target:
        host, port = target.rsplit(":", 1)
        config = setup_syslog_logging(config, host, int(port))
    logging.config.dictConfig(config)
    from simpleflow.observability.process_logging import redact_handlers

    redact_handlers(logging.getLogger(), logging.getLogger("simpleflow"))
