"""Compositions of tasks submitted as one: ``Group`` (in parallel), ``Chain`` (in sequence), ``FuncGroup``.

::

    group = self.submit(Group(ActivityTask(increment, 1), ActivityTask(increment, 2), max_parallel=1))
    chain = self.submit(Chain(ActivityTask(increment, 1), ActivityTask(double), send_result=True))
    # group.result == [2, 3]; chain.result == [2, 4]

Items are tasks (:class:`~simpleflow.task.ActivityTask`, ``ChildWorkflowTask``, ``LambdaTask``) or
nested canvases. With ``Chain(send_result=True)`` the previous item's result is appended to the next
item's arguments; when the next item is a canvas it reaches every item of a ``Group``, the first item of
a ``Chain`` (which then follows its own ``send_result``) and the function of a ``FuncGroup`` (as its
last positional argument).

A canvas's future finishes with the list of its items' results; when items failed it finishes with
:class:`~simpleflow.exceptions.AggregateError` holding each failure, which is raised in ``run()`` when
``raises_on_failure`` says so (``None``: when a failed item's own setting says so).

Ids of every item are reserved when the canvas is submitted, even of items that wait for their turn
(``max_parallel``, chain order), so that what ``run()`` submits afterwards keeps stable ids. A
``FuncGroup`` builds its canvas only once its arguments resolve, so its tasks are numbered in a scope of
their own (``activity-<name>-fg1-<n>``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from simpleflow.exceptions import AggregateError
from simpleflow.futures import Future
from simpleflow.task import RemoteTask

if TYPE_CHECKING:
    from simpleflow.scheduler import Scheduler

__all__ = ["Canvas", "Chain", "FuncGroup", "Group"]


class Canvas:
    """Base of the compositions; submit one with ``Workflow.submit(canvas)``."""

    raises_on_failure: bool | None = None

    def plan(self, scheduler: Scheduler) -> Any:
        """Reserve the ids of every item now; returns what :meth:`run` needs."""
        raise NotImplementedError

    def run(self, scheduler: Scheduler, plan: Any, extra_args: tuple[Any, ...] = ()) -> Future:
        """Submit the items whose turn it is and return the canvas's future.

        ``extra_args`` is what an enclosing ``Chain(send_result=True)`` passes on (the previous result).
        """
        raise NotImplementedError

    def submit_to(self, scheduler: Scheduler) -> Future:
        """Plan and run the canvas in ``scheduler``'s replay."""
        return self.run(scheduler, self.plan(scheduler))


def _check_items(items: Sequence[Any]) -> tuple[Any, ...]:
    for item in items:
        if not isinstance(item, (RemoteTask, Canvas)):
            raise TypeError(f"canvas items are tasks (ActivityTask(...), ...) or canvases, not {item!r}")
    return tuple(items)


def _plan_item(scheduler: Scheduler, item: RemoteTask | Canvas) -> Any:
    return item.plan(scheduler) if isinstance(item, Canvas) else scheduler.reserve_id(item)


def _submit_item(
    scheduler: Scheduler, item: RemoteTask | Canvas, plan: Any, extra_args: tuple[Any, ...] = ()
) -> Future:
    if isinstance(item, Canvas):
        return item.run(scheduler, plan, extra_args)
    if extra_args:
        item = copy.copy(item)
        item.args = item.args + extra_args
    return scheduler.submit_task(item, task_id=plan, hold_failure=True)


def _finish(
    scheduler: Scheduler,
    future: Future,
    items: Sequence[RemoteTask | Canvas],
    futures: Sequence[Future],
    raises_on_failure: bool | None,
) -> None:
    # A chain broken by a failure has fewer futures than items, hence strict=False.
    failed = [
        (item, f) for item, f in zip(items, futures, strict=False) if f.done and f._exception is not None
    ]
    if not failed:
        future.set_result([f.result for f in futures])
        return
    error = AggregateError([f._exception for _, f in failed if f._exception is not None])
    future.set_exception(error)
    if raises_on_failure is None:
        raises_on_failure = any(bool(item.raises_on_failure) for item, _ in failed)
    if raises_on_failure:
        scheduler.raised_failure = True
        raise error


def _unfinished(future: Future, futures: Sequence[Future | None]) -> Future:
    if any(f is not None and (f.running or f.done) for f in futures):
        future.set_running()
    return future


class Group(Canvas):
    """Items run in parallel, at most ``max_parallel`` at once; the result lists theirs in order."""

    def __init__(
        self,
        *items: RemoteTask | Canvas,
        max_parallel: int | None = None,
        raises_on_failure: bool | None = None,
    ) -> None:
        if max_parallel is not None and max_parallel < 1:
            raise ValueError(f"max_parallel must be at least 1, not {max_parallel}")
        self.items = _check_items(items)
        self.max_parallel = max_parallel
        self.raises_on_failure = raises_on_failure

    def __repr__(self) -> str:
        return f"Group({len(self.items)} items, max_parallel={self.max_parallel})"

    def plan(self, scheduler: Scheduler) -> list[Any]:
        return [_plan_item(scheduler, item) for item in self.items]

    def run(self, scheduler: Scheduler, plan: Any, extra_args: tuple[Any, ...] = ()) -> Future:
        future = Future()
        futures: list[Future | None] = []
        in_flight = 0
        for item, item_plan in zip(self.items, plan, strict=True):
            if self.max_parallel is not None and in_flight >= self.max_parallel:
                futures.append(None)  # waits for a slot: submitted by a later replay
                continue
            submitted = _submit_item(scheduler, item, item_plan, extra_args)
            futures.append(submitted)
            in_flight += 0 if submitted.done else 1
        if any(f is None or not f.done for f in futures):
            return _unfinished(future, futures)
        _finish(scheduler, future, self.items, [f for f in futures if f is not None], self.raises_on_failure)
        return future


class Chain(Canvas):
    """Items run one after the other; ``send_result`` appends each result to the next item's arguments.

    With ``break_on_failure`` (default) a failure stops the chain; otherwise the next item runs (and
    receives ``None`` as the previous result).
    """

    def __init__(
        self,
        *items: RemoteTask | Canvas,
        send_result: bool = False,
        break_on_failure: bool = True,
        raises_on_failure: bool | None = None,
    ) -> None:
        self.items = _check_items(items)
        self.send_result = send_result
        self.break_on_failure = break_on_failure
        self.raises_on_failure = raises_on_failure

    def __repr__(self) -> str:
        return f"Chain({len(self.items)} items, send_result={self.send_result})"

    def plan(self, scheduler: Scheduler) -> list[Any]:
        return [_plan_item(scheduler, item) for item in self.items]

    def run(self, scheduler: Scheduler, plan: Any, extra_args: tuple[Any, ...] = ()) -> Future:
        future = Future()
        futures: list[Future] = []
        previous: Any = None
        for index, (item, item_plan) in enumerate(zip(self.items, plan, strict=True)):
            if index == 0:
                extra = extra_args  # what an enclosing chain sends goes to the first item
            else:
                extra = (previous,) if self.send_result else ()
            submitted = _submit_item(scheduler, item, item_plan, extra)
            futures.append(submitted)
            if not submitted.done:
                return _unfinished(future, futures)
            if submitted._exception is not None and self.break_on_failure:
                break
            previous = None if submitted._exception is not None else submitted.result
        _finish(scheduler, future, self.items, futures, self.raises_on_failure)
        return future


class FuncGroup(Canvas):
    """A canvas built by ``func(*args, **kwargs)`` once the futures among its arguments resolve."""

    def __init__(self, func: Callable[..., Canvas], *args: Any, **kwargs: Any) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        return f"FuncGroup({getattr(self.func, '__qualname__', self.func)!r})"

    def plan(self, scheduler: Scheduler) -> str:
        return scheduler.allocate_scope("fg")

    def run(self, scheduler: Scheduler, plan: Any, extra_args: tuple[Any, ...] = ()) -> Future:
        from simpleflow.scheduler import resolve_arguments

        future = Future()
        resolved, blocker = resolve_arguments((self.args + tuple(extra_args), self.kwargs))
        if blocker is not None:
            if blocker.done and blocker._exception is not None:
                future.set_exception(blocker._exception)
            return future
        args, kwargs = resolved
        canvas = self.func(*args, **kwargs)
        if not isinstance(canvas, Canvas):
            raise TypeError(f"{self!r}: the function must return a Group or a Chain, not {canvas!r}")
        with scheduler.in_scope(plan):
            return canvas.submit_to(scheduler)
