"""Compositions of tasks submitted as one: ``Group`` (in parallel), ``Chain`` (in sequence), ``FuncGroup``.

::

    group = self.submit(Group((increment, 1), (increment, 2), max_parallel=1))
    chain = self.submit(Chain((increment, 1), double, send_result=True))
    # group.result == [2, 3]; chain.result == [2, 4]

Items are given as upstream simpleflow takes them: ``(func, *args)`` tuples, bare activities and
``Workflow`` classes (called without arguments), tasks (:class:`~simpleflow.task.ActivityTask`,
``ChildWorkflowTask``, ``LambdaTask``), timers, signals, markers and signal waits
(``self.start_timer(...)``, ``self.signal(...)``, ...), and nested canvases. ``append(func, *args,
**kwargs)`` and ``extend(items)`` (or ``+=``) add items after construction.

A timer, signal or marker placed in a canvas happens when the canvas reaches it (in a ``Chain``: once
the items before it finished), not when it is made.

With ``Chain(send_result=True)`` the previous item's result is appended to the next item's arguments;
when the next item is a canvas it reaches every item of a ``Group``, the first item of a ``Chain``
(which then follows its own ``send_result``) and the function of a ``FuncGroup``.

Results and failures, as upstream has them:

- a canvas's future (:class:`GroupFuture`, :class:`ChainFuture`; subclasses choose theirs with
  ``default_future_class``) finishes with the list of its items' results, ``None`` for an item that
  failed; a ``Chain`` broken by a failure lists the items it ran;
- when items failed and ``bubbles_exception_on_failure`` holds (the default, except for a ``Chain``
  given ``raises_on_failure=False``), the future also holds an
  :class:`~simpleflow.exceptions.AggregateError` of the failures, and an enclosing ``Chain`` breaks
  there; reading ``.result`` still gives the list;
- ``raises_on_failure`` set on a canvas applies to every task inside it, nested canvases included (the
  outermost setting wins); unset, each task's own setting applies. A failed task that raises fails the
  run at once, with its own error.

Ids of every item are reserved when the canvas is submitted, even of items that wait for their turn
(``max_parallel``, chain order), so that what ``run()`` submits afterwards keeps stable ids. A
``FuncGroup`` builds its content only once its arguments resolve, so its tasks are numbered in a scope of
their own (``activity-<name>-fg1-<n>``).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from simpleflow.exceptions import AggregateError, AggregateException
from simpleflow.futures import Future, FutureState
from simpleflow.runtime.events.event_future import EventFuture
from simpleflow.runtime.parking import park, reached
from simpleflow.runtime.resolution import resolve_arguments
from simpleflow.task import EventTask, RemoteTask, remote_task_for

__all__ = [
    "AggregateException",
    "Canvas",
    "Chain",
    "ChainFuture",
    "FuncGroup",
    "Group",
    "GroupFuture",
    "Reach",
    "Submitter",
]


class Submitter(Protocol):
    """What a canvas needs of the run it is submitted in (the scheduler, which sits above this module)."""

    @property
    def workflow(self) -> Any:
        """The workflow instance of the run."""

    def submit(self, submittable: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Future:
        """``Workflow.submit``."""

    def reserve_id(self, task: RemoteTask) -> str | None:
        """Take the next id for ``task``."""

    def event(self, task: EventTask, *, in_canvas: bool = False) -> EventFuture:
        """Bind an event task to the run."""

    def submit_task(
        self,
        task: RemoteTask,
        *,
        task_id: str | None = None,
        hold_failure: bool = False,
        reserved: bool = False,
        into: Future | None = None,
    ) -> Future:
        """Resolve one remote task."""

    def allocate_scope(self, prefix: str) -> str:
        """Name a new numbering scope."""

    def in_scope(self, scope: str) -> contextlib.AbstractContextManager[None]:
        """Number the tasks submitted inside the block within ``scope``."""

    def note_raised_failure(self) -> None:
        """A task failure is being raised into ``run()``."""


@dataclass(frozen=True)
class Reach:
    """How a canvas is reached when it is run (:meth:`Canvas.run`).

    ``extra_args`` is what an enclosing ``Chain(send_result=True)`` passes on (the previous result);
    ``raises`` is an enclosing canvas's ``raises_on_failure``, which wins over this one's. ``into`` is the
    future an earlier decision task of a live run returned for this canvas: it takes the canvas's new
    state, so that the future ``run()`` holds stays the one that moves on.
    """

    extra_args: tuple[Any, ...] = ()
    raises: bool | None = None
    into: Future | None = None


#: A canvas submitted by ``run()`` itself, at its first decision task.
DIRECTLY = Reach()


def as_item(submittable: Any, *args: Any, **kwargs: Any) -> Item:
    """The canvas item ``submittable`` called with ``args`` and ``kwargs`` stands for.

    Raises ``ValueError`` when arguments are given with something that already holds its own, and
    ``TypeError`` when ``submittable`` cannot be submitted.
    """
    if isinstance(submittable, RemoteTask | EventTask | EventFuture | Canvas):
        if args or kwargs:
            raise ValueError(f"{submittable!r} already holds its arguments; give it alone, not in a tuple")
        if isinstance(submittable, EventFuture):
            submittable.place_in_canvas()  # happens when the canvas reaches it, not at the end of run()
        return submittable
    task = remote_task_for(submittable, args, kwargs)
    if task is not None:
        return task
    raise TypeError(
        f"canvas items are activities, Workflow classes, (func, *args) tuples, tasks, timers, signals, "
        f"markers or canvases, not {submittable!r}"
    )


class Canvas:
    """Base of the compositions; submit one with ``Workflow.submit(canvas)``."""

    #: The future class :meth:`run` returns (a :class:`GroupFuture` subclass).
    default_future_class: ClassVar[type[GroupFuture]]

    def __init__(
        self,
        items: Iterable[Any],
        *,
        raises_on_failure: bool | None,
        bubbles_exception_on_failure: bool,
    ) -> None:
        self.items: list[Item] = []
        self.raises_on_failure = raises_on_failure
        self.bubbles_exception_on_failure = bubbles_exception_on_failure
        self.extend(items)

    @property
    def activities(self) -> list[Item]:
        """Upstream's name for :attr:`items`."""
        return self.items

    def append(self, submittable: Any, *args: Any, **kwargs: Any) -> None:
        """Add ``submittable`` called with ``args`` and ``kwargs`` (see :func:`as_item`)."""
        self.items.append(as_item(submittable, *args, **kwargs))

    def extend(self, iterable: Iterable[Any]) -> None:
        """Add each item; a tuple is ``(func, *args)``."""
        for item in iterable:
            if isinstance(item, tuple):
                if not item:
                    raise ValueError("an empty tuple is not a canvas item; give (func, *args)")
                self.append(*item)
            else:
                self.append(item)

    def __iadd__(self, iterable: Iterable[Any]) -> Canvas:
        self.extend(iterable)
        return self

    def plan(self, scheduler: Submitter) -> Any:
        """Reserve the ids of every item now; returns what :meth:`run` needs."""
        return [_plan_item(scheduler, item) for item in self.items]

    def run(self, scheduler: Submitter, plan: Any, reach: Reach = DIRECTLY) -> Future:
        """Submit the items whose turn it is and return the canvas's future (see :class:`Reach`)."""
        raise NotImplementedError

    def submit_to(self, scheduler: Submitter) -> Future:
        """Plan and run the canvas in ``scheduler``'s replay (as ``scheduler.submit(canvas)`` does)."""
        return scheduler.submit(self, (), {})

    def _raises(self, outer: bool | None) -> bool | None:
        return outer if outer is not None else self.raises_on_failure


#: What a canvas holds once its items are normalized.
Item = RemoteTask | EventTask | EventFuture | Canvas


def _plan_item(scheduler: Submitter, item: Item) -> Any:
    if isinstance(item, Canvas):
        return item.plan(scheduler)
    if isinstance(item, EventTask):
        return scheduler.event(item, in_canvas=True)
    if isinstance(item, EventFuture):
        return item
    return scheduler.reserve_id(item)


def _submit_item(scheduler: Submitter, item: Item, plan: Any, reach: Reach) -> Future:
    if isinstance(item, Canvas):
        return item.run(scheduler, plan, reach)
    if isinstance(plan, EventFuture):
        return plan.act()
    assert isinstance(item, RemoteTask)
    if reach.extra_args:
        item = copy.copy(item)
        item.args = item.args + reach.extra_args
    future = scheduler.submit_task(item, task_id=plan, hold_failure=True, reserved=True, into=reach.into)
    finished = future._state is FutureState.FINISHED
    raises = reach.raises
    if (raises if raises is not None else item.raises_on_failure) and finished and future._exception:
        scheduler.note_raised_failure()
        raise future._exception
    return future


def _failed(future: Future) -> bool:
    return future._is_done() and future._exception is not None


def _into(future: Future | None, canvas: Canvas) -> GroupFuture:
    """The canvas's future: a live run's earlier one (``into``), or a new one."""
    if isinstance(future, GroupFuture):
        future.rebind(canvas)
        return future
    return canvas.default_future_class(canvas)


class GroupFuture(Future):
    """The future of a submitted :class:`Group`: the list of its items' results once all finished.

    ``futures`` holds the futures of the items submitted so far. Reading :attr:`result` of a finished
    group gives the list even when items failed (``None`` in their place); :attr:`exception` then holds
    the :class:`~simpleflow.exceptions.AggregateError`, unless the canvas does not bubble failures.
    """

    def __init__(self, canvas: Canvas) -> None:
        super().__init__()
        self.canvas = canvas
        self.activities = canvas.items
        self.futures: list[Future] = []

    @property
    def result(self) -> Any:
        """The list of item results, failures included (``None`` in their place); waits until done."""
        reached(self)
        if not self._is_done():
            park(self, self._is_done)
        return self._result

    def rebind(self, canvas: Canvas) -> None:
        """Stand for ``canvas`` (the same canvas, run again at a later decision task of a live run)."""
        self.canvas = canvas
        self.activities = canvas.items

    @property
    def count_finished_activities(self) -> int:
        """How many submitted items finished."""
        return sum(1 for future in self.futures if future.finished)

    def settle(self, futures: Sequence[Future | None], *, complete: bool) -> None:
        """Take the state of the items' ``futures`` (``None``: not submitted); ``complete``: none is left."""
        self.futures = [f for f in futures if f is not None]
        self._result = [None if f is None else f._result for f in futures]
        if not complete:
            if any(f._state is not FutureState.PENDING for f in self.futures):
                self.set_running()
            return
        self._state = FutureState.FINISHED
        failures = [f._exception for f in self.futures if _failed(f) and f._exception is not None]
        if failures and self.canvas.bubbles_exception_on_failure:
            self._exception = AggregateError(failures)


class ChainFuture(GroupFuture):
    """The future of a submitted :class:`Chain`: the results of the items it ran, in order."""


class Group(Canvas):
    """Items run in parallel, at most ``max_parallel`` at once; the result lists theirs in order."""

    default_future_class = GroupFuture

    def __init__(
        self,
        *items: Any,
        max_parallel: int | None = None,
        raises_on_failure: bool | None = None,
        bubbles_exception_on_failure: bool = True,
    ) -> None:
        if max_parallel is not None and max_parallel < 1:
            raise ValueError(f"max_parallel must be at least 1, not {max_parallel}")
        self.max_parallel = max_parallel
        super().__init__(
            items,
            raises_on_failure=raises_on_failure,
            bubbles_exception_on_failure=bubbles_exception_on_failure,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.items)} items, max_parallel={self.max_parallel})"

    def run(self, scheduler: Submitter, plan: Any, reach: Reach = DIRECTLY) -> Future:
        future = _into(reach.into, self)
        raises = self._raises(reach.raises)
        futures: list[Future | None] = []
        in_flight = 0
        for item, item_plan in zip(self.items, plan, strict=True):
            if self.max_parallel is not None and in_flight >= self.max_parallel:
                futures.append(None)  # waits for a slot: submitted by a later replay
                continue
            submitted = _submit_item(scheduler, item, item_plan, Reach(reach.extra_args, raises))
            futures.append(submitted)
            in_flight += 0 if submitted._is_done() else 1
        future.settle(futures, complete=all(f is not None and f._is_done() for f in futures))
        return future


class Chain(Canvas):
    """Items run one after the other; ``send_result`` appends each result to the next item's arguments.

    With ``break_on_failure`` (default) a failure stops the chain; otherwise the next item runs (and
    receives ``None`` as the previous result).
    """

    default_future_class = ChainFuture

    def __init__(
        self,
        *items: Any,
        send_result: bool = False,
        break_on_failure: bool = True,
        raises_on_failure: bool | None = None,
        bubbles_exception_on_failure: bool | None = None,
    ) -> None:
        self.send_result = send_result
        self.break_on_failure = break_on_failure
        if bubbles_exception_on_failure is None:
            # Upstream: a chain told not to raise does not break the chains around it either.
            bubbles_exception_on_failure = raises_on_failure is not False
        super().__init__(
            items,
            raises_on_failure=raises_on_failure,
            bubbles_exception_on_failure=bubbles_exception_on_failure,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.items)} items, send_result={self.send_result})"

    def run(self, scheduler: Submitter, plan: Any, reach: Reach = DIRECTLY) -> Future:
        future = _into(reach.into, self)
        raises = self._raises(reach.raises)
        futures: list[Future | None] = []
        previous: Any = None
        for index, (item, item_plan) in enumerate(zip(self.items, plan, strict=True)):
            if index == 0:
                extra = reach.extra_args  # what an enclosing chain sends goes to the first item
            else:
                extra = (previous,) if self.send_result else ()
            submitted = _submit_item(scheduler, item, item_plan, Reach(extra, raises))
            futures.append(submitted)
            if not submitted._is_done():
                future.settle(futures, complete=False)
                return future
            if _failed(submitted) and self.break_on_failure:
                break
            previous = submitted._result
        future.settle(futures, complete=True)
        return future


class FuncGroup(Canvas):
    """What ``func(*args, **kwargs)`` returns (a canvas or a task), once the futures in its arguments resolve.

    ``raises_on_failure=`` applies to what it returns; with ``_allow_none=True`` the function may return
    ``None`` (an empty group).
    """

    default_future_class = GroupFuture

    def __init__(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.func = func
        raises_on_failure = kwargs.pop("raises_on_failure", None)
        self.allow_none = bool(kwargs.pop("_allow_none", False))
        self.args = list(args)
        self.kwargs = kwargs
        super().__init__((), raises_on_failure=raises_on_failure, bubbles_exception_on_failure=True)
        self._built: dict[str, tuple[Item, Any]] = {}

    def __repr__(self) -> str:
        return f"FuncGroup({getattr(self.func, '__qualname__', self.func)!r})"

    def plan(self, scheduler: Submitter) -> str:
        return scheduler.allocate_scope("fg")

    def run(self, scheduler: Submitter, plan: Any, reach: Reach = DIRECTLY) -> Future:
        built = self._built.get(plan)
        if built is None:
            resolved, blocker = resolve_arguments((tuple(self.args) + tuple(reach.extra_args), self.kwargs))
            if blocker is not None:
                future = reach.into if reach.into is not None else self.default_future_class(self)
                if blocker._is_done() and blocker._exception is not None:
                    future.set_exception(blocker._exception)
                return future
            args, kwargs = resolved
            made = self.func(*args, **kwargs)
            if made is None and self.allow_none:
                made = Group()
            try:
                item = as_item(made)
            except TypeError:
                raise TypeError(
                    f"{self!r}: the function must return a Group, a Chain or a task, not {made!r}"
                ) from None
            with scheduler.in_scope(plan):
                built = (item, _plan_item(scheduler, item))
            # Built once: a live run's later decision tasks run the same content under the same ids.
            self._built[plan] = built
        item, item_plan = built
        with scheduler.in_scope(plan):
            return _submit_item(scheduler, item, item_plan, Reach((), self._raises(reach.raises), reach.into))
