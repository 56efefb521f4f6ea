"""simpleflow: durable, futures-based dataflow workflows on Amazon SWF or on an embedded SWF service."""

from simpleflow.exceptions import (
    SimpleflowError,
    TaskCanceled,
    TaskFailed,
    TaskTimedOut,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "SimpleflowError",
    "TaskCanceled",
    "TaskFailed",
    "TaskTimedOut",
    "__version__",
]
