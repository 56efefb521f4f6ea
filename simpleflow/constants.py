"""simpleflow 0.x's constants: durations for SWF timeouts, SWF's field limits, cache locations.

The limits are the ones this project enforces (:data:`simpleflow.payload.FIELD_LIMITS`); reading them here
gives the same numbers as 0.x.
"""

from __future__ import annotations

import os

from simpleflow import payload
from simpleflow.payload import FIELD_LIMITS

__all__ = [
    "CACHE_DIR",
    "DAY",
    "HOUR",
    "JUMBO_FIELDS_MAX_SIZE",
    "JUMBO_FIELDS_PREFIX",
    "MAX_CONTROL_LENGTH",
    "MAX_DETAILS_LENGTH",
    "MAX_EXECUTION_CONTEXT_LENGTH",
    "MAX_HEARTBEAT_DETAILS_LENGTH",
    "MAX_IDENTITY_LENGTH",
    "MAX_INPUT_LENGTH",
    "MAX_LOG_FIELD",
    "MAX_REASON_LENGTH",
    "MAX_RESULT_LENGTH",
    "MINUTE",
    "SIMPLEFLOW_ENV",
]

#: ``SIMPLEFLOW_ENV`` (``production`` unless set).
SIMPLEFLOW_ENV = os.getenv("SIMPLEFLOW_ENV", "production")

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

MAX_REASON_LENGTH = FIELD_LIMITS["reason"]
MAX_DETAILS_LENGTH = FIELD_LIMITS["details"]
MAX_EXECUTION_CONTEXT_LENGTH = 32768
MAX_HEARTBEAT_DETAILS_LENGTH = FIELD_LIMITS["heartbeat_details"]
MAX_IDENTITY_LENGTH = 256
MAX_INPUT_LENGTH = FIELD_LIMITS["input"]
MAX_RESULT_LENGTH = FIELD_LIMITS["result"]
MAX_CONTROL_LENGTH = FIELD_LIMITS["control"]

#: How much of a field 0.x writes to a log line.
MAX_LOG_FIELD = 500 * 1024

#: How a jumbo field starts in SWF (``simpleflow+s3://bucket/key size``), as 0.x writes and reads it.
JUMBO_FIELDS_PREFIX: str = payload.JUMBO_PREFIX
#: The largest jumbo field 0.x accepts (5 MiB).
JUMBO_FIELDS_MAX_SIZE = payload.JUMBO_FIELDS_MAX_SIZE

#: Where 0.x cached downloaded files.
CACHE_DIR = "/tmp/simpleflow-cache"
