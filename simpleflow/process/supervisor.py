"""The supervisor: keep N poller processes alive, restart one that died, stop them gracefully.

:class:`Supervisor` starts each poller with ``target(argument)`` in a fresh interpreter (the
``spawn`` start method: no inherited threads, locks or sockets). Each poller leads its own process
group, so a Ctrl-C in a terminal reaches only the supervisor, which then decides what the pollers get:

- first SIGTERM/SIGINT: SIGTERM to each poller (they stop polling and finish the task in hand), then
  up to ``grace_period`` seconds for them to exit, then SIGKILL to whatever is left;
- second signal: SIGKILL to every poller and everything it started, at once.

A poller that exits with status 0 on its own (e.g. ``--one-task``) is done and not restarted; the
supervisor returns when none is left. One that dies otherwise is restarted, with a growing delay when
it keeps dying right after its start. With ``SIMPLEFLOW_CLEANUP_PROCESSES`` set, every process left in
the pollers' trees and process groups is killed when the supervisor returns.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from types import FrameType
from typing import Any

from simpleflow.observability.metrics import forget_process
from simpleflow.process.lifeline import die_with_parent, watch_parent_sentinel
from simpleflow.process.tree import describe_exit, is_cleanup_enabled, kill_tree

logger = logging.getLogger(__name__)

RESTART_DELAY = (0.5, 30.0)
# A poller that dies sooner than this after its start is crash-looping: back off before the restart.
MIN_HEALTHY_UPTIME = 5.0


def _poller_main(target: Callable[[Any], Any], argument: Any) -> None:
    os.setpgid(0, 0)
    from simpleflow.observability.process_logging import configure_logging, logged_crash

    configure_logging()  # a spawned process starts with no logging: the parent's, from the environment
    # A supervisor that dies without stopping its pollers (kill -9) must not leave them polling.
    die_with_parent()
    watch_parent_sentinel()
    with logged_crash(logger, f"poller {multiprocessing.current_process().name}"):
        target(argument)


class Supervisor:
    """Keeps ``processes`` copies of ``target(argument)`` running until stopped (see module docs)."""

    def __init__(
        self,
        target: Callable[[Any], Any],
        argument: Any,
        *,
        processes: int = 1,
        grace_period: float = 60.0,
        name: str = "poller",
    ) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, not {processes}")
        self.target = target
        self.argument = argument
        self.processes = processes
        self.grace_period = grace_period
        self.name = name
        self._context = multiprocessing.get_context("spawn")
        self._running: dict[int, tuple[Any, float]] = {}  # slot -> (process, started at)
        self._restart_at: dict[int, float] = {}
        self._delays: dict[int, float] = {}
        self._started_pids: list[int] = []
        self._signals = 0
        self._wake_reader, self._wake_writer = os.pipe()
        os.set_blocking(self._wake_writer, False)
        self.restarts = 0

    # -- control ----------------------------------------------------------------------------------------

    def request_stop(self) -> None:
        """Ask for a graceful stop (what the first SIGTERM does); safe from any thread."""
        self._signals += 1
        with contextlib.suppress(OSError):
            os.write(self._wake_writer, b"x")

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        logger.info("%s: received %s", self.name, signal.Signals(signum).name)
        self.request_stop()

    @property
    def pids(self) -> list[int]:
        """The pids of the pollers running now."""
        return [process.pid for process, _ in self._running.values()]

    # -- processes --------------------------------------------------------------------------------------

    def _start(self, slot: int) -> None:
        process = self._context.Process(
            target=_poller_main, args=(self.target, self.argument), name=f"{self.name}-{slot}", daemon=False
        )
        process.start()
        assert process.pid is not None
        self._started_pids.append(process.pid)
        self._running[slot] = (process, time.monotonic())
        logger.info("%s: started process %d (slot %d)", self.name, process.pid, slot)

    def _reap(self, *, stopping: bool) -> None:
        for slot, (process, started) in list(self._running.items()):
            if process.exitcode is None:
                continue
            process.join()
            forget_process(process.pid)  # its live gauges leave the metrics endpoint
            del self._running[slot]
            if stopping:
                continue
            if process.exitcode == 0:
                logger.info("%s: process %d finished", self.name, process.pid)
                continue
            uptime = time.monotonic() - started
            delay = self._delays.get(slot, RESTART_DELAY[0])
            delay = min(delay * 2, RESTART_DELAY[1]) if uptime < MIN_HEALTHY_UPTIME else RESTART_DELAY[0]
            self._delays[slot] = delay
            self._restart_at[slot] = time.monotonic() + (delay if uptime < MIN_HEALTHY_UPTIME else 0.0)
            logger.warning(
                "%s: process %d %s; restarting it", self.name, process.pid, describe_exit(process.exitcode)
            )

    def _kill_all(self) -> None:
        for process, _ in self._running.values():
            if process.pid is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                kill_tree(process.pid)

    def _wait(self, timeout: float | None) -> None:
        sentinels = [process.sentinel for process, _ in self._running.values()]
        ready = wait([*sentinels, self._wake_reader], timeout=timeout)
        if self._wake_reader in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(self._wake_reader, 64)

    # -- the loop ---------------------------------------------------------------------------------------

    def run(self) -> int:
        """Run until stopped (or every poller finished); returns 0, or 1 when pollers had to be killed."""
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = {}
        if in_main_thread:
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, self._on_signal)
        try:
            return self._loop()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self._kill_all()
            if is_cleanup_enabled():
                self._cleanup()
            os.close(self._wake_reader)
            os.close(self._wake_writer)

    def _loop(self) -> int:
        for slot in range(self.processes):
            self._start(slot)
        deadline: float | None = None
        while True:
            if self._signals >= 2:
                logger.warning("%s: second signal, killing every process now", self.name)
                self._kill_all()
                return 1
            if self._signals == 1 and deadline is None:
                logger.info("%s: stopping, %.0f s grace period", self.name, self.grace_period)
                deadline = time.monotonic() + self.grace_period
                self._restart_at.clear()
                for process, _ in self._running.values():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(process.pid, signal.SIGTERM)
            self._reap(stopping=deadline is not None)
            if deadline is not None:
                if not self._running:
                    return 0
                if time.monotonic() >= deadline:
                    logger.warning("%s: grace period over, killing %s", self.name, self.pids)
                    self._kill_all()
                    return 1
            now = time.monotonic()
            for slot, when in list(self._restart_at.items()):
                if when <= now:
                    del self._restart_at[slot]
                    self.restarts += 1
                    self._start(slot)
            if not self._running and not self._restart_at:
                return 0
            wakeups = [when - now for when in self._restart_at.values()]
            if deadline is not None:
                wakeups.append(deadline - now)
            self._wait(max(0.0, min(wakeups)) if wakeups else None)

    def _cleanup(self) -> None:
        for pid in self._started_pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
