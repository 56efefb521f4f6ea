"""Keeping stdout for a command's result while code it runs prints: the prints go to stderr.

Under ``workflow.start --local`` the workflow's and the activities' ``print`` run in this process (or in
its children, with ``--processes``). Both levels are redirected while they run: ``sys.stdout`` for
Python code in any thread, and file descriptor 1 for child processes and C code, so that
``simpleflow workflow.start --local ... > result.json`` holds the JSON result alone.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


def _descriptor(stream: object) -> int | None:
    try:
        return stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):  # not a real file, as under click's CliRunner
        return None


@contextlib.contextmanager
def prints_to_stderr() -> Iterator[None]:
    """While inside, whatever is written to stdout goes to stderr; stdout is restored on exit."""
    out, err = _descriptor(sys.stdout), _descriptor(sys.stderr)
    saved = None
    if out is not None and err is not None and out != err:
        sys.stdout.flush()
        saved = os.dup(out)
        os.dup2(err, out)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        if saved is not None and out is not None:
            sys.stdout.flush()
            os.dup2(saved, out)
            os.close(saved)
