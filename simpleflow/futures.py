"""Futures of the replay: what ``Workflow.submit`` returns.

A :class:`Future` mimics :mod:`concurrent.futures`. A future is resolved from the execution's history
when it is created (the executor knows at once whether its task completed, failed or is still running).
Reading the result of a future that is not done, or waiting on it, *parks* the run
(:func:`simpleflow.runtime.parking.park`): a live run's thread waits there until a later decision task
brings the result, and the decisions gathered so far are sent meanwhile. Outside a live run the same read
raises :class:`~simpleflow.exceptions.ExecutionBlocked`, which stops a plain replay.

Waiting, as simpleflow 0.36 has it: ``x, y = futures.wait(a, b)`` gives the results, in order. The
``concurrent.futures`` conditions (``FIRST_COMPLETED``, ``FIRST_EXCEPTION``) live in :func:`wait_for`,
which returns the futures themselves (``WaitResult(done, not_done)``).

Failures: a task whose ``raises_on_failure`` is false gives ``None`` as its result and holds its error
in ``exception`` (as upstream does); other failed futures raise their error when their result is read.

States (a ``(str, Enum)``):

- ``PENDING``: not scheduled yet (its arguments wait on other futures, or a limit deferred it);
- ``RUNNING``: scheduled (or being scheduled by this replay) and not closed;
- ``FINISHED``: closed with a result or with an exception;
- ``CANCELLED``: canceled before it could finish.

Types: ``Future[T]`` is generic over its result, so ``self.submit(increment, 1).result`` is an ``int`` to
a type checker when ``increment`` returns one. The type parameter exists for checkers only: at run time a
future holds whatever the history gives.

This module does no I/O and knows nothing of SWF.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any, Generic, NamedTuple, TypeVar

from simpleflow.exceptions import TaskCanceled
from simpleflow.runtime.parking import observe, park, reached

__all__ = [
    "ALL_COMPLETED",
    "CANCELLED",
    "FINISHED",
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "PENDING",
    "RUNNING",
    "Future",
    "FutureState",
    "WaitResult",
    "as_completed",
    "get_result_or_raise",
    "wait",
    "wait_for",
]


class FutureState(str, Enum):
    """The life cycle of a :class:`Future`."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"
    CANCELLED = "CANCELLED"


PENDING = FutureState.PENDING
RUNNING = FutureState.RUNNING
FINISHED = FutureState.FINISHED
CANCELLED = FutureState.CANCELLED
_DONE = (FINISHED, CANCELLED)

# simpleflow 0.36 spells a cancelled future's state both ways; a replay never tells them apart.
#: The result type of a :class:`Future`. Covariant: a ``Future[bool]`` is a ``Future[int]``, as a task's
#: result can only be read.
T_co = TypeVar("T_co", covariant=True)
T = TypeVar("T")

CANCELLED_AND_NOTIFIED = FutureState.CANCELLED

# The ``return_when`` values of :func:`wait_for`, spelled as in concurrent.futures.
FIRST_COMPLETED = "FIRST_COMPLETED"
FIRST_EXCEPTION = "FIRST_EXCEPTION"
ALL_COMPLETED = "ALL_COMPLETED"


class Future(Generic[T_co]):
    """The eventual outcome of a task, a timer, a signal or a canvas.

    ``task_id`` names what the future stands for (``None`` for futures that have no id yet, such as
    an idempotent task whose arguments are not resolved). ``raises_on_failure`` says whether reading
    the result of a failed future raises its error (true) or gives ``None`` (the result of a task
    declared ``raises_on_failure=False``). The ``set_*`` methods are the executor's: user code reads
    futures, it does not resolve them.
    """

    def __init__(self, *, task_id: str | None = None, raises_on_failure: bool = True) -> None:
        self.task_id = task_id
        self.raises_on_failure = raises_on_failure
        self._state = PENDING
        self._result: Any = None
        self._exception: BaseException | None = None
        self._canceller: Callable[[], bool] | None = None

    def __repr__(self) -> str:
        name = f" {self.task_id}" if self.task_id else ""
        return f"<Future{name} {self._state.value}>"

    # -- reading ---------------------------------------------------------------------------------

    def _seen(self) -> FutureState:
        # What run() reads: a state that may still change is remembered by a live run (see
        # simpleflow.runtime.parking), which may only resume while none of them changed.
        state = self._state
        if state is not FINISHED and state is not CANCELLED:
            observe(self, state)
        return state

    @property
    def state(self) -> FutureState:
        """The current :class:`FutureState`."""
        return self._seen()

    @property
    def pending(self) -> bool:
        """True when the task is not scheduled yet."""
        return self._seen() is PENDING

    @property
    def running(self) -> bool:
        """True when the task is scheduled and not closed."""
        return self._seen() is RUNNING

    @property
    def finished(self) -> bool:
        """True when the task closed with a result or an exception."""
        return self._seen() is FINISHED

    @property
    def cancelled(self) -> bool:
        """True when the task was canceled."""
        return self._seen() is CANCELLED

    @property
    def done(self) -> bool:
        """True when the future will not change any more (finished or cancelled)."""
        return self._seen() in _DONE

    def _is_done(self) -> bool:
        # The library's own test of doneness: not an observation of run()'s.
        return self._state in _DONE

    @property
    def result(self) -> T_co:
        """The task's result.

        When the task failed: ``None`` if the future does not raise on failure (see the class), else
        raises the task's exception. Raises :class:`TaskCanceled` when it was canceled. When it is not
        done yet, the run waits for it: a live run parks here, a plain replay stops with
        :class:`~simpleflow.exceptions.ExecutionBlocked`.
        """
        done = self._state in _DONE  # first: an event future acts on this read, which gives it its id
        reached(self)
        if not done:
            park(self, self._is_done)
        if self._state is FINISHED:
            if self._exception is not None and self.raises_on_failure:
                raise self._exception
            return self._result
        raise self._exception or TaskCanceled(task_id=self.task_id)

    @property
    def exception(self) -> BaseException | None:
        """The task's exception, ``None`` when it succeeded; waits (as :attr:`result`) when not done."""
        done = self._state in _DONE  # first, as in result
        reached(self)
        if not done:
            park(self, self._is_done)
        return self._exception

    # -- acting ----------------------------------------------------------------------------------------

    def cancel(self) -> bool:
        """Ask for the task to be canceled; return False when it is already done.

        A pending future becomes ``CANCELLED`` at once. A running one asks the executor to send the
        matching cancel decision (cancel the activity, the timer, the child workflow); the future turns
        ``CANCELLED`` when the history records the cancellation.
        """
        if self.done:
            return False
        if self._canceller is not None:
            return self._canceller()
        if self._state is PENDING:
            self.set_cancelled()
            return True
        return False

    # -- resolving (the executor's side) ---------------------------------------------------------------

    def set_running(self) -> None:
        """Mark the future as scheduled and not closed."""
        self._state = RUNNING

    def set_result(self, value: Any) -> None:
        """Finish the future with a result."""
        self._state = FINISHED
        self._result = value
        self._exception = None

    def set_finished(self, value: Any) -> None:
        """Finish the future with a result (simpleflow 0.36's name for :meth:`set_result`)."""
        self.set_result(value)

    def set_exception(self, exception: BaseException | None, *, result: Any = None) -> None:
        """Finish the future with an exception; ``result`` is what reading it gives when it does not raise.

        ``None`` as the exception finishes it without one (a failure a workflow chose to ignore).
        """
        self._state = FINISHED
        self._exception = exception
        self._result = result

    def set_cancelled(self, exception: BaseException | None = None) -> None:
        """Mark the future as cancelled; ``exception`` is what reading its result raises."""
        self._state = CANCELLED
        self._exception = exception or TaskCanceled(task_id=self.task_id)

    def adopt(self, other: Future[Any]) -> None:
        """Take ``other``'s state and outcome (the future ``on_task_failure`` handed back instead)."""
        self._state = other._state
        self._result = other._result
        self._exception = other._exception
        self.raises_on_failure = other.raises_on_failure

    def set_canceller(self, canceller: Callable[[], bool] | None) -> None:
        """Install what :meth:`cancel` calls while the future is not done."""
        self._canceller = canceller


class WaitResult(NamedTuple):
    """What :func:`wait_for` returns: the futures done and not done, each in the order they were given."""

    done: list[Future[Any]]
    not_done: list[Future[Any]]


def _has_failed(future: Future[Any]) -> bool:
    # Reads the private slot: going through .exception would be fine here (the future is done), but
    # this keeps the check obviously free of replay-blocking side effects.
    return future._is_done() and future._exception is not None


def _check_futures(function: str, futures: tuple[Any, ...]) -> None:
    for future in futures:
        if not isinstance(future, Future):
            raise TypeError(
                f"futures.{function}() takes futures as positional arguments, not {future!r}; "
                f"unpack a list with futures.{function}(*futures)"
            )


def wait(*futures: Future[Any], **options: Any) -> list[Any]:
    """The results of ``futures``, in order, once all are done: ``x, y = futures.wait(a, b)``.

    Blocks the replay (:class:`ExecutionBlocked`) while any future is not done. As in simpleflow 0.36,
    a failed or cancelled future gives ``None`` here (its error is in ``future.exception``): a task
    declared ``raises_on_failure=True`` raised its error into ``run()`` when it was submitted. For
    ``FIRST_COMPLETED`` or ``FIRST_EXCEPTION``, use :func:`wait_for`.

    Typed as ``list[Any]``: a list cannot carry one type per position, and typing it ``list[T]`` would
    make a checker join mixed results (``int`` and ``str`` into ``object``). Read ``future.result`` for
    a typed value once ``wait`` returned.
    """
    if options:
        raise TypeError(
            f"futures.wait() takes futures only, not {', '.join(sorted(options))}=; "
            "use futures.wait_for(*futures, return_when=...) for FIRST_COMPLETED or FIRST_EXCEPTION"
        )
    _check_futures("wait", futures)
    for future in futures:
        done = future._is_done()  # first: an event future acts on this read, which gives it its id
        reached(future)
        if not done:
            park(future, future._is_done)
    return [future._result if future._exception is not None else future.result for future in futures]


def get_result_or_raise(future: Future[T]) -> T:
    """``future.result`` (simpleflow 0.36 kept this function for old code)."""
    return future.result


def wait_for(*futures: Future[Any], return_when: str = ALL_COMPLETED) -> WaitResult:
    """Wait on ``futures`` like :func:`concurrent.futures.wait`, the replay way.

    When the condition holds, return ``WaitResult(done, not_done)`` (the futures, not their results).
    Otherwise raise :class:`ExecutionBlocked`: the replay stops and resumes when the history has moved on.

    - ``ALL_COMPLETED`` (default): every future is done;
    - ``FIRST_COMPLETED``: at least one future is done (or none was given);
    - ``FIRST_EXCEPTION``: one future finished with an exception, or all of them are done.
    """
    if return_when not in (ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION):
        raise ValueError(f"unknown return_when: {return_when!r}")
    _check_futures("wait_for", futures)
    for future in futures:
        future._is_done()  # an event future acts (and gets its id) before it is reached
        reached(future)

    def outcome() -> WaitResult | None:
        done = [future for future in futures if future._is_done()]
        not_done = [future for future in futures if not future._is_done()]
        if not not_done:
            return WaitResult(done, not_done)
        if return_when == FIRST_COMPLETED and done:
            return WaitResult(done, not_done)
        if return_when == FIRST_EXCEPTION and any(_has_failed(future) for future in done):
            return WaitResult(done, not_done)
        return None

    result = outcome()
    while result is None:
        park(next(f for f in futures if not f._is_done()), lambda: outcome() is not None)
        result = outcome()
    for future in result.not_done:
        future._seen()  # run() learns these are not done yet
    return result


def as_completed(*futures: Future[T]) -> Iterator[Future[T]]:
    """Yield the futures that are done, in the order given, then block the replay if any is not.

    A replay cannot observe arrival order between decision tasks, so "completed" order is the order of
    the arguments among those already done; the rest are yielded by a later replay.
    """
    for future in futures:
        future._is_done()  # an event future acts (and gets its id) before it is reached
        reached(future)
    yielded: set[int] = set()
    while True:
        for future in futures:
            if id(future) not in yielded and future._is_done():
                yielded.add(id(future))
                yield future
        pending = [future for future in futures if id(future) not in yielded]
        if not pending:
            return
        for future in pending:
            future._seen()  # the order of what was yielded depends on these not being done
        park(pending[0], pending[0]._is_done)
