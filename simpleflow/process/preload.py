"""Activity modules the forkserver imports once, so that later children inherit them instead of importing.

A child that runs an activity of a module its forkserver lacks imports that module itself, as before. It
also checks that the import left the process as it found it: no new thread and no new open file
descriptor (a socket, a database connection, a log file). Only then does it report the module to its
worker as :class:`ModuleImported`, with the CPU the import cost. An import that starts a thread or opens a
file keeps being done in each child: a forkserver must stay single-threaded, and children must not share
a connection.

Replacing the forkserver costs about what starting one does (a Python process importing simpleflow), so
the worker does it, between two tasks (see :mod:`simpleflow.process.isolation`), once its children have
spent as much CPU importing the modules it lacks (:attr:`PreloadPlan.replace_after_seconds`): rent until
the rent paid would have bought it. A worker that runs a handful of tasks never pays for a second
forkserver; a busy one pays once per new module, and its later children start with the module.

What a child sees is unchanged: it starts with the module as its import left it (a fresh copy, whatever
the previous task did to it). What changes is when the module's code is read: once per forkserver, so an
activity module edited on disk is picked up when the worker restarts, not at the next task.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import TypeVar

logger = logging.getLogger(__name__)

#: Where the worker passes the modules to preload to the forkserver it starts (comma-separated).
PRELOAD_ENV = "SIMPLEFLOW_FORKSERVER_ACTIVITY_MODULES"
#: A worker restarts its forkserver once per new module: past this many, it stops adding modules.
MAX_PRELOADED_MODULES = 64
#: About the CPU a new forkserver costs (0.15-0.35 s measured, on a 2-core machine): children's imports
#: of the modules it lacks must add up to this before it is replaced.
REPLACE_AFTER_SECONDS = 0.25

T = TypeVar("T")


@dataclass(frozen=True)
class ModuleImported:
    """Sent by a child that imported ``module`` for its activity, and found the import clean."""

    module: str
    #: The CPU the import cost the child (what each child pays while the forkserver lacks the module).
    cpu_seconds: float = 0.0


def _open_descriptors() -> frozenset[str] | None:
    """This process's open file descriptors, or None where they cannot be listed."""
    for directory in ("/proc/self/fd", "/dev/fd"):
        try:
            return frozenset(os.listdir(directory))
        except OSError:
            continue
    return None


def import_watched(activity_name: str, resolve: Callable[[str], T]) -> tuple[T, ModuleImported | None]:
    """``resolve(activity_name)``, and the report of the module that call imported if its import was clean.

    The module is the longest dotted prefix of the name that the call imported (the activity's own
    module, whose import pulls in the rest).
    """
    parts = activity_name.split(".")
    if ".".join(parts[:-1]) in sys.modules:  # its module is here already (preloaded): nothing to watch
        return resolve(activity_name), None
    modules_before = set(sys.modules)
    threads_before = threading.active_count()
    descriptors_before = _open_descriptors()
    cpu_before = time.process_time()
    resolved = resolve(activity_name)
    cpu_seconds = time.process_time() - cpu_before
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
    return resolved, ModuleImported(imported, cpu_seconds)


class PreloadPlan:
    """The modules children reported (thread-safe), against those the running forkserver imported."""

    def __init__(
        self, *, limit: int = MAX_PRELOADED_MODULES, replace_after_seconds: float = REPLACE_AFTER_SECONDS
    ) -> None:
        self._lock = threading.Lock()
        self._wanted: list[str] = []
        self._loaded: frozenset[str] = frozenset()
        self._spent: dict[str, float] = {}
        self._limit = limit
        #: Children's import CPU on missing modules that makes the forkserver worth replacing.
        self.replace_after_seconds = replace_after_seconds

    def add(self, report: ModuleImported) -> None:
        """Preload the reported module in the next forkserver (beyond the limit, the report is dropped)."""
        with self._lock:
            if report.module not in self._wanted:
                if len(self._wanted) >= self._limit:
                    return
                self._wanted.append(report.module)
            self._spent[report.module] = self._spent.get(report.module, 0.0) + report.cpu_seconds

    @property
    def modules(self) -> tuple[str, ...]:
        """The modules reported so far, first reported first."""
        with self._lock:
            return tuple(self._wanted)

    @property
    def is_stale(self) -> bool:
        """Whether children spent enough CPU importing modules the running forkserver lacks to replace it."""
        with self._lock:
            missing = [module for module in self._wanted if module not in self._loaded]
            spent = sum(self._spent[module] for module in missing)
            return bool(missing) and spent >= self.replace_after_seconds

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
