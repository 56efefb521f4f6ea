"""``--log-format json``: one object per line, with simpleflow's fields and the traceback."""

from __future__ import annotations

import json
import logging
import sys

from simpleflow.observability.json_format import JSONFormatter


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("simpleflow.activity", logging.INFO, __file__, 7, message, args, None)
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_a_line_is_one_json_object_with_the_standard_fields():
    line = JSONFormatter().format(record("activity %s done", "a-1"))
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "activity a-1 done"
    assert parsed["level"] == "INFO"
    assert parsed["logger"] == "simpleflow.activity"
    assert parsed["pid"] > 0
    assert parsed["time"].endswith("Z")


def test_extra_fields_are_written_out_and_odd_values_do_not_break_the_line():
    line = JSONFormatter().format(record("x", workflow_id="w", attempt=2, duration_ms=1.5, odd=object()))
    parsed = json.loads(line)
    assert (parsed["workflow_id"], parsed["attempt"], parsed["duration_ms"]) == ("w", 2, 1.5)
    assert parsed["odd"].startswith("<object object")


def test_a_traceback_stays_inside_the_line():
    made = record("failed")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        made.exc_info = sys.exc_info()
    line = JSONFormatter().format(made)
    assert "\n" not in line
    assert "RuntimeError: boom" in json.loads(line)["traceback"]
