"""Activity modules the forkserver imports once, so that later children inherit them instead of importing.

The first child that runs an activity of a module imports that module itself, as before. It also checks
that the import left the process as it found it: no new thread and no new open file descriptor (a socket,
a database connection, a log file). Only then does it report the module to its worker as
:class:`ModuleImported`, and the worker's next forkserver (see :mod:`simpleflow.process.isolation`)
imports it before forking children, which then start with it. An import that starts a thread or opens a
file keeps being done in each child: a forkserver must stay single-threaded, and children must not share
a connection.

What a child sees is unchanged: it starts with the module as its import left it (a fresh copy, whatever
the previous task did to it). What changes is when the module's code is read: once per forkserver, so an
activity module edited on disk is picked up when the worker restarts, not at the next task.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import TypeVar

logger = logging.getLogger(__name__)

#: Where the worker passes the modules to preload to the forkserver it starts (comma-separated).
PRELOAD_ENV = "SIMPLEFLOW_FORKSERVER_ACTIVITY_MODULES"
#: A worker restarts its forkserver once per new module: past this many, it stops adding modules.
MAX_PRELOADED_MODULES = 64

T = TypeVar("T")


@dataclass(frozen=True)
class ModuleImported:
    """Sent by a child that imported ``module`` for its activity, and found the import clean."""

    module: str


def _open_descriptors() -> frozenset[str] | None:
    """This process's open file descriptors, or None where they cannot be listed."""
    for directory in ("/proc/self/fd", "/dev/fd"):
        try:
            return frozenset(os.listdir(directory))
        except OSError:
            continue
    return None


def import_watched(activity_name: str, resolve: Callable[[str], T]) -> tuple[T, str | None]:
    """``resolve(activity_name)``, and the module that call imported if its import was clean, else None.

    The module is the longest dotted prefix of the name that the call imported (the activity's own
    module, whose import pulls in the rest).
    """
    parts = activity_name.split(".")
    if ".".join(parts[:-1]) in sys.modules:  # its module is here already (preloaded): nothing to watch
        return resolve(activity_name), None
    modules_before = set(sys.modules)
    threads_before = threading.active_count()
    descriptors_before = _open_descriptors()
    resolved = resolve(activity_name)
    imported = next(
        (
            prefix
            for prefix in (".".join(parts[:end]) for end in range(len(parts) - 1, 0, -1))
            if prefix in sys.modules and prefix not in modules_before
        ),
        None,
    )
    if imported is None or imported.split(".")[0] == "__main__":
        return resolved, None
    # Each listing sees the descriptor it reads through, under the same (lowest free) number both times.
    descriptors_after = _open_descriptors()
    clean = (
        threading.active_count() == threads_before
        and descriptors_before is not None
        and descriptors_after == descriptors_before
    )
    if not clean:
        logger.debug("importing %s started a thread or opened a file: not preloaded", imported)
        return resolved, None
    return resolved, imported


class PreloadPlan:
    """The modules children reported (thread-safe), against those the running forkserver imported."""

    def __init__(self, *, limit: int = MAX_PRELOADED_MODULES) -> None:
        self._lock = threading.Lock()
        self._wanted: list[str] = []
        self._loaded: frozenset[str] = frozenset()
        self._limit = limit

    def add(self, module: str) -> None:
        """Preload ``module`` in the next forkserver (beyond the limit, the report is dropped)."""
        with self._lock:
            if module not in self._wanted and len(self._wanted) < self._limit:
                self._wanted.append(module)

    @property
    def modules(self) -> tuple[str, ...]:
        """The modules reported so far, first reported first."""
        with self._lock:
            return tuple(self._wanted)

    @property
    def is_stale(self) -> bool:
        """Whether a module was reported that the running forkserver did not import."""
        with self._lock:
            return not self._loaded.issuperset(self._wanted)

    def environment(self) -> dict[str, str]:
        """The variable to give the next forkserver; records its modules as the loaded ones."""
        with self._lock:
            self._loaded = frozenset(self._wanted)
            return {PRELOAD_ENV: ",".join(self._wanted)} if self._wanted else {}


def import_preloaded(environ: MutableMapping[str, str] | None = None) -> tuple[str, ...]:
    """In the forkserver: import the modules :data:`PRELOAD_ENV` names; returns those imported.

    The variable is taken out of ``environ`` (by default this process's), so children do not see it. A
    module that fails to import here is logged and skipped: its children import it themselves, as they
    would without preloading, and report the error on their task.
    """
    environ = os.environ if environ is None else environ
    names: Iterable[str] = filter(None, environ.pop(PRELOAD_ENV, "").split(","))
    imported = []
    for name in names:
        try:
            __import__(name)
        except Exception:
            logger.warning("the forkserver could not preload %s; its children import it", name, exc_info=True)
            continue
        imported.append(name)
    if threading.active_count() > 1:  # its import was clean in a child: it behaved otherwise here
        logger.warning("a preloaded activity module started a thread in the forkserver: %s", imported)
    return tuple(imported)
