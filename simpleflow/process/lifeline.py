"""Child commands that cannot outlive their parent, however it ends (even ``kill -9``).

``standalone`` starts ``decider.start`` and ``worker.start`` as commands in sessions of their own (so a
Ctrl-C meant for the run is the run's to handle). A session of its own also means nothing takes them
down if ``standalone`` dies without its clean-up: a ``kill -9``, an OOM kill, a CI runner's SIGKILL.
Two links tie each of them to its parent, so that none is left polling forever:

- the *parent-death signal* (Linux's ``prctl(PR_SET_PDEATHSIG)``): the kernel sends the child SIGKILL
  the moment its parent exits. It is set by the child itself once it runs (:func:`bind_to_parent`),
  then the parent's pid is checked again, which closes the window in which the parent died first;
- a *lifeline* pipe (portable): the parent holds its only write end, the child watches the read end in
  a thread, and its end of file means the parent is gone. The child then kills what it started and
  exits.

The supervisor's pollers and the activities below them are tied to their own parents the same way
(:func:`die_with_parent`), so one dead ``standalone`` takes its whole tree with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, MutableMapping, Sequence

from simpleflow.children import ChildProcesses
from simpleflow.process.tree import kill_tree

logger = logging.getLogger(__name__)

#: The environment of a tied child: the pid it must outlive not, and the lifeline's read end.
PARENT_PID_ENV = "SIMPLEFLOW_PARENT_PID"
LIFELINE_FD_ENV = "SIMPLEFLOW_LIFELINE_FD"
# Linux's prctl(PR_SET_PDEATHSIG, sig).
PR_SET_PDEATHSIG = 1
#: Exit status of a child whose parent is gone: 128 + SIGHUP, the signal of a lost controlling parent.
ORPHANED_EXIT = 128 + signal.SIGHUP


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent exits; False where unsupported.

    Only Linux has it. The signal follows the parent *thread*: call it in a process whose parent
    started it from its main thread (a thread that ends would trigger it).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        logger.debug("cannot ask to die with the parent", exc_info=True)
        return False


def bind_to_parent(environ: MutableMapping[str, str] | None = None) -> bool:
    """In a child command: tie this process to the parent named in its environment; False when none is.

    The variables are removed from the environment, so the processes this one starts do not inherit
    a stale lifeline. Exits at once (:data:`ORPHANED_EXIT`) when the parent is already gone.
    """
    variables: MutableMapping[str, str] = os.environ if environ is None else environ
    parent = variables.pop(PARENT_PID_ENV, None)
    lifeline = variables.pop(LIFELINE_FD_ENV, None)
    if parent is None:
        return False
    try:
        parent_pid = int(parent)
    except ValueError:
        logger.warning("ignoring %s=%r: not a pid", PARENT_PID_ENV, parent)
        return False
    die_with_parent()
    if os.getppid() != parent_pid:
        # The parent died before the death signal was asked for: nobody is left to stop us.
        os._exit(ORPHANED_EXIT)
    if lifeline is not None:
        try:
            fd = int(lifeline)
            os.fstat(fd)
        except (ValueError, OSError):
            logger.warning("ignoring %s=%r: not an open file descriptor", LIFELINE_FD_ENV, lifeline)
        else:
            threading.Thread(target=_watch_lifeline, args=(fd,), name="lifeline", daemon=True).start()
    return True


def watch_parent_sentinel() -> bool:
    """In a ``multiprocessing`` child: end this process tree when the parent process is gone.

    The portable twin of :func:`die_with_parent` for the supervisor's pollers: their parent's sentinel
    becomes ready when it exits. False when this process has no ``multiprocessing`` parent.
    """
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is None:
        return False
    watcher = threading.Thread(target=_watch_sentinel, args=(parent.sentinel,), daemon=True)
    watcher.start()
    return True


def _watch_sentinel(sentinel: int) -> None:
    from multiprocessing.connection import wait

    wait([sentinel])
    _end_orphaned_tree()


def _end_orphaned_tree() -> None:
    logger.warning("the parent process is gone; stopping this process and everything it started")
    kill_tree(os.getpid(), include_root=False)
    os._exit(ORPHANED_EXIT)


def _watch_lifeline(fd: int) -> None:
    """Block until the lifeline reaches end of file (the parent is gone), then end this process tree."""
    while True:
        try:
            data = os.read(fd, 64)
        except InterruptedError:
            continue
        except OSError:
            break
        if not data:
            break
    _end_orphaned_tree()


class TiedChildProcesses(ChildProcesses):
    """:class:`~simpleflow.children.ChildProcesses` whose children cannot outlive this process.

    Each child gets this process's pid and the read end of one shared lifeline in its environment,
    for :func:`bind_to_parent`. The write end stays here, never inherited, until :meth:`stop`.
    """

    def __init__(self, *, grace: float | None = None) -> None:
        """``grace``: the seconds :meth:`stop` gives the children to exit after SIGTERM (by default
        :data:`~simpleflow.children.DEFAULT_GRACE_SECONDS`)."""
        super().__init__()
        self.grace = grace
        self._lifeline_read, lifeline_write = os.pipe()
        self._lifeline_fds: tuple[int, ...] = (self._lifeline_read, lifeline_write)

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        stdout: int | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` as child ``name`` in a new session, tied to this process."""
        if name in self.children:
            raise ValueError(f"a child named {name!r} was already started")
        environment = dict(os.environ if env is None else env)
        environment[PARENT_PID_ENV] = str(os.getpid())
        environment[LIFELINE_FD_ENV] = str(self._lifeline_read)
        process = subprocess.Popen(
            list(argv),
            env=environment,
            cwd=cwd,
            stdout=stdout,
            start_new_session=True,
            pass_fds=(self._lifeline_read,),
        )
        self.children[name] = process
        return process

    def stop(self, *, grace: float | None = None) -> None:
        """Stop every child as :meth:`ChildProcesses.stop` does, then cut the lifeline."""
        grace = self.grace if grace is None else grace
        try:
            if grace is None:
                super().stop()
            else:
                super().stop(grace=grace)
        finally:
            fds, self._lifeline_fds = self._lifeline_fds, ()
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
