"""SIGINT and SIGTERM as a clean exit with the shell's status for them: 128 + the signal's number.

A command that runs a whole job in the foreground (``standalone``) must clean up when it is stopped,
and say how it ended the way shells and CI runners expect: 130 after Ctrl-C (SIGINT), 143 after
SIGTERM (as ``timeout`` or a CI runner sends it), never 1, which means "the run failed". Python's
default SIGTERM kills the process with no clean-up at all, and click reports a Ctrl-C as exit 1.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

#: The signals :func:`exit_on_signals` handles by default.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def exit_code_of(signum: int) -> int:
    """The exit status a shell gives a process stopped by ``signum`` (128 + its number)."""
    return 128 + int(signum)


class StoppedBySignal(SystemExit):
    """Raised in the main thread when SIGINT or SIGTERM arrives; its ``code`` is 128 + the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(exit_code_of(signum))
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        #: What the interrupted command closed on its way out, for its last line (e.g. "the execution").
        self.closed: list[str] = []


@contextmanager
def exit_on_signals(signals: tuple[int, ...] = STOP_SIGNALS) -> Iterator[None]:
    """In this block, each of ``signals`` raises :class:`StoppedBySignal`, so ``finally`` blocks run.

    A second signal raises again, cutting a slow clean-up short. Outside the main thread (where Python
    cannot handle signals) the block runs with the handlers unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise StoppedBySignal(signum)

    previous = {signum: signal.signal(signum, on_signal) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
