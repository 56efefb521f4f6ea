"""Child commands started and stopped as whole process trees, so that nothing is left behind.

``standalone``, the demo and the integration tests start ``simpleflow decider.start`` and ``worker.start``
as child processes. Each child gets its own session (process group): stopping it signals the group, which
reaches the per-activity processes a worker forks too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from types import TracebackType

from simpleflow.exceptions import SimpleflowError

DEFAULT_GRACE_SECONDS = 10.0


class ChildExited(SimpleflowError):
    """Raised when a child command that should keep running exited on its own."""

    def __init__(self, name: str, returncode: int) -> None:
        how = f"killed by signal {-returncode}" if returncode < 0 else f"exit code {returncode}"
        super().__init__(f"{name} exited unexpectedly ({how}); its error is in the log above")
        self.name = name
        self.returncode = returncode


def simpleflow_command(*arguments: str) -> list[str]:
    """``python -m simpleflow ARGUMENTS`` with this very interpreter, whatever ``PATH`` holds."""
    return [sys.executable, "-m", "simpleflow", *arguments]


class ChildProcesses:
    """A set of child commands, each the leader of its own process group.

    Use it as a context manager: leaving the block stops every child still running.
    """

    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        stdout: int | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` as child ``name`` (a unique label used in messages) in a new session."""
        if name in self.children:
            raise ValueError(f"a child named {name!r} was already started")
        process = subprocess.Popen(
            list(argv),
            env=None if env is None else dict(env),
            cwd=cwd,
            stdout=stdout,
            start_new_session=True,
        )
        self.children[name] = process
        return process

    def check(self) -> None:
        """Raise ChildExited for the first child that is no longer running."""
        for name, process in self.children.items():
            returncode = process.poll()
            if returncode is not None:
                raise ChildExited(name, returncode)

    def signal_all(self, signum: int) -> None:
        """Send ``signum`` to the process group of every child (already-gone groups are skipped)."""
        for process in self.children.values():
            try:
                os.killpg(process.pid, signum)
            except (ProcessLookupError, PermissionError):
                pass

    def stop(self, *, grace: float = DEFAULT_GRACE_SECONDS) -> None:
        """SIGTERM every group, wait up to ``grace`` seconds for the leaders, then SIGKILL the groups.

        The final SIGKILL is sent to every group even when its leader exited in time: a leader that
        exits does not take the rest of its group (e.g. a forked activity process) with it.
        """
        self.signal_all(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.children.values():
            remaining = max(0.0, deadline - time.monotonic())
            try:
                process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                pass
        self.signal_all(signal.SIGKILL)
        for process in self.children.values():
            process.wait()
            if process.stdout is not None:
                process.stdout.close()

    def __enter__(self) -> ChildProcesses:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
