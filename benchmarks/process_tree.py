"""CPU time of running process trees, read from Linux's ``/proc`` (psutil is not a dependency).

A process tree's CPU so far is the sum, over its live processes, of each one's own time (``utime`` +
``stime``) and of its reaped children's (``cutime`` + ``cstime``): a child that exited and was waited for
is counted once, in its parent's figures, and a live one once, in its own. Short-lived processes (a
worker's process per activity) are thus counted although no sample ever sees them alive.

:class:`TreeSampler` samples trees while they run, because a tree that is stopped takes its figures with
it; the last sample before it ends is what it cost (minus at most one sampling interval).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcessStat:
    """The figures of one process that the CPU accounting needs, in seconds."""

    pid: int
    ppid: int
    own_seconds: float
    reaped_children_seconds: float


def read_stat(pid: int) -> ProcessStat | None:
    """The figures of ``pid``, or None when it is gone (or was never there)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name, in parentheses, may hold spaces and parentheses: split after the last one.
    fields = text.rsplit(")", 1)[1].split()
    # After the name: state ppid ... utime(12th) stime cutime cstime, counted from the state as 0.
    return ProcessStat(
        pid=pid,
        ppid=int(fields[1]),
        own_seconds=(int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
        reaped_children_seconds=(int(fields[13]) + int(fields[14])) / CLOCK_TICKS,
    )


def all_stats() -> dict[int, ProcessStat]:
    """Every process this user can see, by pid."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := read_stat(int(entry))) is not None:
            stats[stat.pid] = stat
    return stats


def descendants(root: int, stats: dict[int, ProcessStat]) -> list[int]:
    """The pids of ``root``'s live descendants (not ``root`` itself)."""
    children: dict[int, list[int]] = {}
    for stat in stats.values():
        children.setdefault(stat.ppid, []).append(stat.pid)
    found, pending = [], list(children.get(root, ()))
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, ()))
    return found


def tree_seconds(root: int, stats: dict[int, ProcessStat]) -> float:
    """CPU seconds of ``root`` and every descendant, those already reaped included (see module docs)."""
    total = 0.0
    for pid in [root, *descendants(root, stats)]:
        stat = stats.get(pid)
        if stat is not None:
            total += stat.own_seconds + stat.reaped_children_seconds
    return total


def command_line(pid: int) -> list[str]:
    """The arguments ``pid`` was started with (empty when it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


class TreeSampler:
    """Samples, every ``interval`` seconds, the CPU of the trees under ``root``'s children, by role.

    A child of ``root`` whose command line holds one of ``roles`` (e.g. ``"decider.start"``) is that
    role's tree. ``root``'s own CPU (not its children's) is kept as ``own_seconds``. Each figure keeps its
    highest value seen, so a tree that ends keeps the figure of its last sample.
    """

    def __init__(self, root: int, roles: tuple[str, ...], *, interval: float = 0.5) -> None:
        self.root = root
        self.roles = roles
        self.interval = interval
        self.seconds: dict[str, float] = dict.fromkeys(roles, 0.0)
        self.own_seconds = 0.0
        self.role_pids: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        """Take one sample now."""
        stats = all_stats()
        root = stats.get(self.root)
        if root is None:
            return
        self.own_seconds = max(self.own_seconds, root.own_seconds)
        for stat in stats.values():
            if stat.ppid != self.root:
                continue
            arguments = command_line(stat.pid)
            for role in self.roles:
                if role in arguments:
                    self.role_pids[role] = stat.pid
                    self.seconds[role] = max(self.seconds[role], tree_seconds(stat.pid, stats))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)
