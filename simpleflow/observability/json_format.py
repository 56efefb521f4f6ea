"""``--log-format json``: one JSON object per log line, for log collectors.

Each object has ``time`` (ISO 8601, UTC, milliseconds), ``level``, ``logger``, ``pid``, ``process``
(the process's name), ``message``, ``traceback`` when there is one, and every field given through
``extra=`` (simpleflow's own lines give ``workflow_id``, ``run_id``, ``activity_id``, ``attempt``,
``duration_ms``, ...).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

__all__ = ["JSONFormatter"]

# What every LogRecord has: anything else on a record came through ``extra=`` and is written out.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JSONFormatter(logging.Formatter):
    """Formats a record as one line of JSON (see the module docstring for its fields)."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, tz=timezone.utc)
        line: dict[str, Any] = {
            "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "process": record.processName,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["traceback"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # default=str: an extra field of any type still gives a line rather than an error.
        return json.dumps(line, default=str, ensure_ascii=False)
