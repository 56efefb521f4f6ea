"""The live run's thread: ``run()`` executes in a thread of its own and parks where it needs a result.

A :class:`RunThread` runs one callable (the workflow's ``run()``, wrapped by the live run) in a
dedicated thread, in strict alternation with its driver (the decider): the driver calls :meth:`step`
and waits; the run thread executes until it *parks* (reads a future that is not done) or ends, then
hands control back. Only one of the two threads ever runs, so the run's state needs no locks.

Why a thread and not a generator or a greenlet: ``run()`` is ordinary user code that reads
``future.result`` anywhere, deep in helper functions, so only a separate stack can suspend it there.
greenlet would do it cheaper (no OS thread per cached run) but is a compiled dependency the runtime
does not otherwise need; a parked thread costs one OS thread and its stack, and a hand-off about
10 to 20 µs (``benchmarks/bench_run_thread.py`` measures both).

Parking is requested through :func:`park`, which :mod:`simpleflow.futures` calls when a future is read
before it is done. Outside a run thread (a plain replay, a test calling ``run()`` directly) there is
no thread to park: :func:`park` raises :class:`~simpleflow.exceptions.ExecutionBlocked`, the replay
model's stop.

Observations: a run thread remembers every future whose state it read while the future was not done
(:func:`observe`). A later decision task may resume the parked run only if none of those states
changed; otherwise the run would have taken another path on a fresh replay, and the live run is
dropped (see :mod:`simpleflow.runtime.live_run`).

Unwinding: :meth:`RunThread.abandon` wakes a parked run with :class:`RunAbandoned`, a ``BaseException``
so that ``except Exception`` in user code does not swallow it; any later park raises it again, so even
a bare ``except:`` cannot keep an abandoned run alive for long.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from typing import Any

from simpleflow.exceptions import ExecutionBlocked

__all__ = ["RunAbandoned", "RunThread", "current", "observe", "park", "reached", "replaying"]

_local = threading.local()
logger = logging.getLogger(__name__)


class RunAbandoned(BaseException):
    """Unwinds a parked ``run()`` whose live run is dropped (evicted, diverged, or closed)."""


class RunThread:
    """One ``run()`` in its own thread, stepped by a driver until it parks or ends.

    ``target`` is called in the thread with no arguments; whatever it returns or raises is kept in
    :attr:`outcome` (``("returned", value)`` or ``("raised", exception)``) once :attr:`ended` is true.
    """

    def __init__(self, target: Callable[[], Any], *, name: str, quiet_until: str | None = None) -> None:
        self._target = target
        self._name = name
        self._thread: threading.Thread | None = None
        # Two plain locks, each held until the other side hands over: cheaper than a Semaphore (a
        # Condition in Python) for a strict alternation.
        self._go = threading.Lock()
        self._back = threading.Lock()
        self._go.acquire()
        self._back.acquire()
        self._abandoned = False
        #: While parked: the future waited on, and the test that tells when the run may go on.
        self.waiting_on: Any = None
        self._ready: Callable[[], bool] | None = None
        #: Futures read while not done, with the state then seen: ``id(future) -> (future, state)``.
        self.observed: dict[int, tuple[Any, Any]] = {}
        #: Set when ``run()`` read something of the history no future stands for (markers, the history).
        self.read_history = False
        self.ended = False
        self.outcome: tuple[str, Any] = ("returned", None)
        #: While set, ``run()`` goes again through what an earlier decision task already ran (a fresh
        #: run after a miss): the id of the future that task parked on, where the new part begins.
        #: The workflow's logger stays quiet until then (:func:`replaying`).
        self.quiet_until = quiet_until

    # -- the driver's side ----------------------------------------------------------------------------

    @property
    def parked(self) -> bool:
        """Whether the run waits in a park (started, not ended)."""
        return self._thread is not None and not self.ended

    def ready(self) -> bool:
        """Whether the future the run waits on allows it to go on."""
        return self._ready is not None and self._ready()

    def step(self) -> None:
        """Start the run, or resume it from its park; return once it parks again or ends."""
        if self.ended:
            raise RuntimeError("the run has ended; it cannot be stepped again")
        if self._thread is None:
            context = contextvars.copy_context()  # the run sees the driver's context variables
            self._thread = threading.Thread(
                target=context.run, args=(self._main,), name=self._name, daemon=True
            )
            self._thread.start()
        else:
            self._go.release()
        self._back.acquire()

    def abandon(self, *, timeout: float = 5.0) -> bool:
        """Unwind a parked run and wait for its thread to end; True when it ended within ``timeout``."""
        if self._thread is None or self.ended:
            return True
        self._abandoned = True
        self._go.release()
        self._back.acquire(timeout=timeout)
        self._thread.join(timeout)
        if self._thread.is_alive():
            # run() caught RunAbandoned, or blocks on something else: the thread (and what it holds) stays.
            logger.warning(
                "%s did not unwind within %s s of being abandoned; its thread is left", self._name, timeout
            )
            return False
        return True

    # -- the run's side ---------------------------------------------------------------------------------

    def _main(self) -> None:
        _local.run = self
        try:
            self.outcome = ("returned", self._target())
        except RunAbandoned:
            self.outcome = ("abandoned", None)
        except BaseException as error:
            self.outcome = ("raised", error)
        finally:
            _local.run = None
            self.ended = True
            self.waiting_on, self._ready = None, None
            self._back.release()

    def park(self, future: Any, ready: Callable[[], bool]) -> None:
        """In the run thread: hand control back until ``ready()`` holds (or the run is abandoned)."""
        self.quiet_until = None  # a park is always at the frontier: what follows is new
        while not ready():
            if self._abandoned:
                raise RunAbandoned()
            self.waiting_on, self._ready = future, ready
            self._back.release()
            self._go.acquire()
            self.waiting_on, self._ready = None, None
            if self._abandoned:
                raise RunAbandoned()


def current() -> RunThread | None:
    """The :class:`RunThread` executing the caller, or ``None`` outside a run thread."""
    return getattr(_local, "run", None)


def park(future: Any, ready: Callable[[], bool]) -> None:
    """Wait for ``ready()`` in a run thread; outside one, stop the replay with ``ExecutionBlocked``."""
    run = getattr(_local, "run", None)
    if run is None:
        raise ExecutionBlocked(future)
    run.park(future, ready)


def reached(future: Any) -> None:
    """``run()`` reads ``future``: past it, a fresh run is no longer going over old ground."""
    run = getattr(_local, "run", None)
    if run is not None and run.quiet_until is not None and future.task_id == run.quiet_until:
        run.quiet_until = None


def replaying() -> bool:
    """Whether the calling ``run()`` is going again over what an earlier decision task already ran."""
    run = getattr(_local, "run", None)
    return run is not None and run.quiet_until is not None


def observe(future: Any, state: Any) -> None:
    """Note that the running ``run()`` read ``future`` in ``state`` (not done); no-op outside a run thread."""
    run = getattr(_local, "run", None)
    if run is not None and id(future) not in run.observed:
        run.observed[id(future)] = (future, state)


def observe_history() -> None:
    """Note that the running ``run()`` read the history directly (markers, events, the history object)."""
    run = getattr(_local, "run", None)
    if run is not None:
        run.read_history = True
