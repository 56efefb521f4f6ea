"""``Workflow``: the class users subclass, whose ``run()`` the replay executor re-runs on every decision.

::

    class BasicWorkflow(Workflow):
        name = "basic"
        version = "example"
        task_list = "example"

        def run(self, x, t=30):
            y = self.submit(increment, x)
            yy = self.submit(delay, t, y)
            z = self.submit(double, y)
            futures.wait(yy, z)
            return z.result

``run()`` must be deterministic: given the same history it must submit the same tasks in the same
order (use :meth:`Workflow.side_effect`, :func:`nondeterministic` or :func:`cached` for clocks, random
numbers and database reads). Submitting a ``Workflow`` subclass starts a child workflow.

Every subclass is registered under its ``name`` (default ``module.QualName``), which
:func:`find_workflow` looks up. Class attributes configure the SWF workflow type and how the parent
treats it as a child: ``retry`` and ``raises_on_failure`` behave as for activities.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, TypeVar

from simpleflow import payload
from simpleflow.exceptions import ConfigurationError, TaskError, WorkflowFailed, WorkflowImportError
from simpleflow.futures import Future
from simpleflow.history import History
from simpleflow.replay_events import EventFuture, Marker
from simpleflow.serializer import Serializer
from simpleflow.task import RemoteTask, input_digest

if TYPE_CHECKING:
    from simpleflow.scheduler import Scheduler

__all__ = [
    "ContinueAsNew",
    "RunContext",
    "Workflow",
    "cached",
    "find_workflow",
    "nondeterministic",
    "registry",
]

#: Every Workflow subclass defined in this process, by workflow type name.
registry: dict[str, type[Workflow]] = {}

Method = TypeVar("Method", bound=Callable[..., Any])


class ContinueAsNew(BaseException):
    """Ends ``run()`` so that the execution continues as a new run with these arguments.

    Raised by :meth:`Workflow.continue_as_new`. It derives from ``BaseException`` so that a user's
    ``except Exception`` in ``run()`` does not swallow it.
    """

    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__("continue as new")
        self.args_ = args
        self.kwargs = kwargs


@dataclass(frozen=True)
class RunContext:
    """What a run knows about itself (:meth:`Workflow.get_run_context`)."""

    workflow_id: str
    run_id: str
    workflow_name: str
    workflow_version: str
    task_list: str | None
    tag_list: tuple[str, ...]
    input: Any
    parent_workflow_id: str | None = None
    parent_run_id: str | None = None
    continued_execution_run_id: str | None = None
    child_policy: str | None = None
    execution_start_to_close_timeout: str | None = None
    task_start_to_close_timeout: str | None = None


class Workflow:
    """Base class of workflows: subclass it, set the class attributes, implement :meth:`run`."""

    name: ClassVar[str]
    version: ClassVar[str] = "1.0"
    task_list: ClassVar[str | None] = None
    task_priority: ClassVar[int | None] = None
    #: As a child: how many times a failed or timed-out execution is started again.
    retry: ClassVar[int] = 0
    #: As a child: seconds to wait (with a timer) before starting a failed or timed-out execution again.
    retry_delay: ClassVar[int] = 0
    #: As a child: whether its final failure raises in the parent's ``run()``.
    raises_on_failure: ClassVar[bool] = False
    #: As a child: whether its workflow id derives from its input (equal calls share one child).
    idempotent: ClassVar[bool] = False
    tag_list: ClassVar[list[str] | None] = None
    #: Execution start-to-close timeout, in seconds (``None``: the type's default).
    execution_timeout: ClassVar[int | str | None] = None
    #: Decision task start-to-close timeout, in seconds (``None``: the type's default).
    decision_tasks_timeout: ClassVar[int | str | None] = None
    child_policy: ClassVar[str | None] = None
    #: The most activities this workflow keeps open at once (SWF's own limit is 1,000).
    max_open_activity_count: ClassVar[int] = 1000
    #: How the fields this workflow sends are encoded: its result, failure details, continue-as-new and
    #: child input, signal input and marker details (``None``: JSON; see :mod:`simpleflow.serializer`).
    serializer: ClassVar[Serializer | str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = f"{cls.__module__}.{cls.__qualname__}"
        registry[cls.name] = cls

    def __init__(self) -> None:
        self._scheduler: Scheduler | None = None

    def bind(self, scheduler: Scheduler) -> None:
        """Attach the replay this instance runs in (the executor's call)."""
        self._scheduler = scheduler

    @property
    def scheduler(self) -> Scheduler:
        """The replay this instance runs in; only set while the executor replays it."""
        if self._scheduler is None:
            raise ConfigurationError(f"{type(self).__name__} is not being replayed; run it with an Executor")
        return self._scheduler

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """The workflow's logic; its return value (JSON) is the execution's result."""
        raise NotImplementedError(f"{type(self).__name__}.run()")

    # -- tasks --

    def submit(self, submittable: Any, *args: Any, **kwargs: Any) -> Future:
        """Submit an activity, a child ``Workflow`` class, a ``LambdaFunction``, a task or a canvas."""
        return self.scheduler.submit(submittable, args, kwargs)

    def map(self, submittable: Any, iterable: Iterable[Any]) -> list[Future]:
        """``submit(submittable, item)`` for each item."""
        return [self.submit(submittable, item) for item in iterable]

    def starmap(self, submittable: Any, iterable: Iterable[Iterable[Any]]) -> list[Future]:
        """``submit(submittable, *args)`` for each args."""
        return [self.submit(submittable, *args) for args in iterable]

    def get_task_id(self, task: RemoteTask, *, default: str) -> str:
        """Override to choose task ids (must be stable across replays); ``default`` is simpleflow's."""
        return default

    # -- ending the run --

    def fail(self, reason: str, details: Any = None) -> NoReturn:
        """End the execution as failed with ``reason`` and ``details`` (even if the raise is caught)."""
        error = WorkflowFailed(reason, details)
        self.scheduler.fail_request = error
        raise error

    def continue_as_new(self, *args: Any, **kwargs: Any) -> NoReturn:
        """End this run and start a new run of the same execution with these arguments."""
        raise ContinueAsNew(args, kwargs)

    # -- timers, signals, markers, side effects --

    def start_timer(self, timer_id: str, timeout: int, control: str | None = None) -> EventFuture:
        """A timer firing ``timeout`` seconds after it starts: read it as a future, or submit it.

        It starts when first read or submitted, or when a canvas holding it reaches it (see
        :class:`~simpleflow.replay_events.EventFuture`).
        """
        return self.scheduler.start_timer(timer_id, timeout, control=control)

    def cancel_timer(self, timer_id: str) -> EventFuture:
        """Cancel timer ``timer_id``; as a bool, whether there was a running timer to cancel."""
        return self.scheduler.cancel_timer(timer_id)

    def signal(
        self,
        name: str,
        *args: Any,
        workflow_id: str | None = None,
        run_id: str | None = None,
        propagate: bool = True,
        **kwargs: Any,
    ) -> EventFuture:
        """Signal this execution (or ``workflow_id``); with ``propagate`` it spreads to parent and children.

        Receivers get ``{"args": [...], "kwargs": {...}}`` from :meth:`wait_signal`. The future finishes
        when the signal was delivered.
        """
        return self.scheduler.signal(
            name, args, kwargs, workflow_id=workflow_id, run_id=run_id, propagate=propagate
        )

    def wait_signal(self, name: str) -> EventFuture:
        """A future finished with the signal's input once signal ``name`` arrives (before or after this call).

        The n-th ``wait_signal(name)`` of ``run()`` takes the n-th signal of that name.
        """
        return self.scheduler.wait_signal(name)

    def record_marker(self, name: str, details: Any = None) -> EventFuture:
        """Record a marker once per execution; the future finishes with ``details`` once recorded."""
        return self.scheduler.record_marker(name, details)

    def list_markers(self, all: bool = False) -> list[Marker]:
        """The markers of the history: the latest recorded of each name, or with ``all`` every one."""
        return self.scheduler.list_markers(all)

    def side_effect(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` run once per execution; later replays read its recorded JSON result."""
        name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
        return self.scheduler.side_effect(name, fn, args, kwargs)

    def get_run_context(self) -> RunContext:
        """Ids, type, task list, tags and parent of this run."""
        scheduler = self.scheduler
        start = scheduler.history.start
        assert start is not None  # the executor refuses histories without WorkflowExecutionStarted
        return RunContext(
            workflow_id=scheduler.workflow_id,
            run_id=scheduler.run_id,
            workflow_name=start.workflow_name,
            workflow_version=start.workflow_version,
            task_list=start.task_list,
            tag_list=start.tag_list,
            input=payload.decode(start.input, field="workflow input", store=scheduler.payload_store),
            parent_workflow_id=start.parent_workflow_id,
            parent_run_id=start.parent_run_id,
            continued_execution_run_id=start.continued_execution_run_id,
            child_policy=start.child_policy,
            execution_start_to_close_timeout=start.execution_start_to_close_timeout,
            task_start_to_close_timeout=start.task_start_to_close_timeout,
        )

    # -- hooks (override as needed; every replay calls them, so they must be deterministic too) --------------

    def before_replay(self, history: History) -> None:
        """Called before ``run()`` on every replay."""

    def after_replay(self, history: History) -> None:
        """Called after ``run()`` returned, raised or blocked, on every replay."""

    def on_completed(self, history: History) -> None:
        """Called when ``run()`` returned and the execution is about to complete."""

    def on_failure(self, history: History, reason: str, details: Any = None) -> None:
        """Called when the execution is about to fail with ``reason`` and ``details``."""

    def on_canceled(self, history: History) -> None:
        """Called when the execution is about to be canceled."""

    def should_cancel(self, history: History) -> bool:
        """Whether to honour a cancel request (default: yes)."""
        return True

    def on_task_failure(self, task_id: str, error: TaskError) -> None:
        """Called when a task failed for good (retries exhausted), before its future gets the error."""


def _qualname(method: Callable[..., Any]) -> str:
    return f"{method.__module__}.{method.__qualname__}"


def nondeterministic(method: Method) -> Method:
    """Decorate a workflow method whose calls must each run once per execution (clocks, random, I/O).

    The n-th call of the method in ``run()`` is recorded as a side effect and read back on replays.
    """

    @functools.wraps(method)
    def wrapper(self: Workflow, *args: Any, **kwargs: Any) -> Any:
        return self.scheduler.side_effect(_qualname(method), functools.partial(method, self), args, kwargs)

    return wrapper  # type: ignore[return-value]


def cached(method: Method) -> Method:
    """Decorate a workflow method that runs once per execution *per arguments*; repeated calls reuse it."""

    @functools.wraps(method)
    def wrapper(self: Workflow, *args: Any, **kwargs: Any) -> Any:
        name = _qualname(method)
        key = f"{name}({input_digest(payload.encode_input(args, kwargs))})"
        return self.scheduler.side_effect(name, functools.partial(method, self), args, kwargs, cache_key=key)

    return wrapper  # type: ignore[return-value]


def find_workflow(name: str) -> type[Workflow]:
    """The Workflow subclass registered as ``name``, importing ``module.Class`` paths if needed."""
    if name in registry:
        return registry[name]
    module_name, _, attribute = name.rpartition(".")
    if module_name:
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise WorkflowImportError(name, f"no workflow registered under this name ({error})") from error
        if name in registry:
            return registry[name]
        candidate = getattr(module, attribute, None)
        if isinstance(candidate, type) and issubclass(candidate, Workflow):
            return candidate
    raise WorkflowImportError(name, "no workflow registered under this name")
