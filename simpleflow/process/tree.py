"""Process trees: find a process's descendants, kill a whole tree, and say how a process ended.

Linux is the target: descendants are read from ``/proc``. Elsewhere ``ps`` gives the same table.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections import defaultdict

CLEANUP_ENV = "SIMPLEFLOW_CLEANUP_PROCESSES"


def is_cleanup_enabled() -> bool:
    """Whether ``SIMPLEFLOW_CLEANUP_PROCESSES`` asks to kill leftover child processes (tests set "yes")."""
    return os.environ.get(CLEANUP_ENV, "").strip().lower() in ("1", "yes", "true", "on")


def _parent_table() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    if os.path.isdir("/proc"):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
                    fields = stat.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            children[int(fields[1])].append(int(entry))
        return children
    listing = subprocess.run(["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True, check=False)
    for line in listing.stdout.splitlines():
        pid, ppid = line.split()
        children[int(ppid)].append(int(pid))
    return children


def descendants(pid: int) -> list[int]:
    """Every living descendant of ``pid``, parents before their children."""
    table = _parent_table()
    found: list[int] = []
    pending = list(table.get(pid, []))
    while pending:
        child = pending.pop(0)
        found.append(child)
        pending.extend(table.get(child, []))
    return found


def kill_tree(pid: int, *, sig: int = signal.SIGKILL, include_root: bool = True) -> list[int]:
    """Send ``sig`` to ``pid``'s descendants (and ``pid``); returns the pids signaled.

    The tree is read before any signal is sent, so an orphan re-parented to init is still reached.
    """
    targets = descendants(pid)
    if include_root:
        targets.insert(0, pid)
    signaled = []
    for target in targets:
        try:
            os.kill(target, sig)
        except (ProcessLookupError, PermissionError):
            continue
        signaled.append(target)
    return signaled


def describe_exit(exitcode: int | None) -> str:
    """How a process ended, for a human: ``killed by signal SIGKILL`` or ``exited with code 3``."""
    if exitcode is None:
        return "is still running"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"was killed by signal {name}"
    return f"exited with code {exitcode}"
