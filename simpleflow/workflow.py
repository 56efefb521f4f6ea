"""``Workflow``: the class users subclass, whose ``run()`` the decider runs (once per live run).

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

Types: :meth:`Workflow.submit` checks an activity's arguments against its function and types the future
with its result (``self.submit(increment, 1).result`` is an ``int``); child workflows, canvases, tasks,
timers and signals give ``Future[Any]``.

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
import logging
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, ParamSpec, TypeAlias, TypeVar, overload

from simpleflow import payload
from simpleflow.activity import Activity, Executable, _PriorityNotSet
from simpleflow.exceptions import ConfigurationError, WorkflowFailed, WorkflowImportError
from simpleflow.futures import Future
from simpleflow.history import History
from simpleflow.retry_policy import RetryPolicy
from simpleflow.run_context import INHERIT_TAG_LIST, ExecutorView, RunContext, event_details
from simpleflow.runtime.events.event_future import EventFuture
from simpleflow.runtime.events.patches import PATCH_MARKER_NAME
from simpleflow.runtime.events.replay_events import Marker
from simpleflow.runtime.parking import observe_history, replaying
from simpleflow.runtime.scheduling.scheduler import Scheduler
from simpleflow.serializer import Serializer
from simpleflow.task import RemoteTask, WorkflowDefinition, input_digest
from simpleflow.task_failure import TaskFailureContext

if TYPE_CHECKING:
    from simpleflow.runtime.canvas import Canvas
    from simpleflow.task import EventTask, LambdaFunction

__all__ = [
    "CONTINUE_AS_NEW_SUGGESTED_EVENTS",
    "INHERIT_TAG_LIST",
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

#: A run whose history holds this many events is suggested to continue as new (SWF's best practice;
#: SWF fails an execution at 25,000): :meth:`Workflow.is_continue_as_new_suggested`, and the decider's
#: warning.
CONTINUE_AS_NEW_SUGGESTED_EVENTS = 10_000
#: The patch change id (with ``-<n>``, the n-th call) that records a suggestion once made.
CONTINUE_AS_NEW_SUGGESTED_PATCH = "simpleflow.continue-as-new-suggested"

Method = TypeVar("Method", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")
Item = TypeVar("Item")

#: What ``submit`` takes besides activities; their futures are typed ``Future[Any]``.
OtherSubmittable: TypeAlias = (
    "type[WorkflowDefinition] | RemoteTask | LambdaFunction | Canvas | EventTask | EventFuture"
)
#: ``submit(..., __priority=...)``: an integer (or its text), ``None`` for none, False to fall back.
Priority: TypeAlias = "int | str | bool | _PriorityNotSet | None"


class ContinueAsNew(BaseException):
    """Ends ``run()`` so that the execution continues as a new run with these arguments.

    Raised by :meth:`Workflow.continue_as_new`. It derives from ``BaseException`` so that a user's
    ``except Exception`` in ``run()`` does not swallow it.
    """

    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__("continue as new")
        self.args_ = args
        self.kwargs = kwargs


class Workflow(WorkflowDefinition):
    """Base class of workflows: subclass it, set the class attributes, implement :meth:`run`."""

    name: ClassVar[str]
    version: ClassVar[str] = "1.0"
    task_list: ClassVar[str | None] = None
    task_priority: ClassVar[int | None] = None
    #: As a child: how many times a failed or timed-out execution is started again.
    retry: ClassVar[int] = 0
    #: As a child: seconds to wait (with a timer) before starting a failed or timed-out execution again.
    retry_delay: ClassVar[int] = 0
    #: As a child: a :class:`~simpleflow.retry_policy.RetryPolicy` used instead of ``retry``/``retry_delay``.
    retry_policy: ClassVar[RetryPolicy | None] = None
    #: As a child: whether its final failure raises in the parent's ``run()``.
    raises_on_failure: ClassVar[bool] = False
    #: As a child: whether its workflow id derives from its input (equal calls share one child).
    idempotent: ClassVar[bool] = False
    #: The tags it starts with, or :data:`INHERIT_TAG_LIST` for a child to take its parent's.
    tag_list: ClassVar[list[str] | str | None] = None
    #: Execution start-to-close timeout, in seconds (``None``: the type's default).
    execution_timeout: ClassVar[int | str | None] = None
    #: Decision task start-to-close timeout, in seconds (``None``: the type's default).
    decision_tasks_timeout: ClassVar[int | str | None] = None
    #: SWF's child policy of its executions: what SWF does to their open children when they are terminated
    #: or time out (``TERMINATE``, ``REQUEST_CANCEL``, ``ABANDON``; ``None``: the type's default).
    child_policy: ClassVar[str | None] = None
    #: As a child: what its parent's decider does to it when the parent closes by a decision while it runs
    #: (``REQUEST_CANCEL`` or ``ABANDON``; ``None``: as SWF, left running). See
    #: :mod:`simpleflow.child_options`.
    parent_close_policy: ClassVar[str | None] = None
    #: The IAM role its executions invoke Lambda functions with (``None``: the type's default).
    lambda_role: ClassVar[str | None] = None
    #: The most activities this workflow keeps open at once (SWF's own limit is 1,000).
    max_open_activity_count: ClassVar[int] = 1000
    #: How the fields this workflow sends are encoded: its result, failure details, continue-as-new and
    #: child input, signal input and marker details (``None``: JSON; see :mod:`simpleflow.serializer`).
    serializer: ClassVar[Serializer | str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = f"{cls.__module__}.{cls.__qualname__}"
        policy = cls.__dict__.get("retry_policy")
        if policy is not None and not isinstance(policy, RetryPolicy):
            raise ConfigurationError(
                f"workflow {cls.name}: retry_policy must be a simpleflow.RetryPolicy, not {policy!r}"
            )
        if policy is not None and cls.retry:
            raise ConfigurationError(
                f"workflow {cls.name}: give retry or retry_policy, not both "
                "(retry=N is a policy of N + 1 attempts)"
            )
        registry[cls.name] = cls
        for alias, hook in (("before_run", "before_replay"), ("after_run", "after_closed")):
            if alias in cls.__dict__:
                # As upstream: the executor only calls the new names, so an override of the old one is dead.
                warnings.warn(
                    f"{cls.__qualname__}.{alias}() is never called by the executor (nor upstream's): "
                    f"override {hook}() instead",
                    DeprecationWarning,
                    stacklevel=2,
                )

    #: Set as a child's ``tag_list`` (or returned by ``get_tag_list``): the child gets its parent's tags.
    INHERIT_TAG_LIST: ClassVar[str] = INHERIT_TAG_LIST

    # Class hooks, looked up on subclasses (upstream's names), all called with the workflow's input:
    # ``get_workflow_id(cls, *args, **kwargs)``, ``get_tag_list(...)`` and ``get_task_list(...)`` choose the
    # workflow id, the tags and the decision task list when the workflow is started or started as a child.

    def __init__(self, executor: ExecutorView | None = None) -> None:
        """``executor`` is what :attr:`executor` gives (the executor passes it; subclasses may take it)."""
        self._executor = executor
        self._scheduler: Scheduler | None = None

    def bind(self, scheduler: Scheduler, *, executor: ExecutorView | None = None) -> None:
        """Attach the replay this instance runs in (the executor's call)."""
        self._scheduler = scheduler
        if executor is not None:
            self._executor = executor

    @property
    def executor(self) -> ExecutorView:
        """The replay running this instance, with upstream's names (``history``, ``workflow_id``, ...)."""
        executor = getattr(self, "_executor", None)
        if executor is None:
            raise ConfigurationError(f"{type(self).__name__} is not being replayed; run it with an Executor")
        return executor

    @property
    def scheduler(self) -> Scheduler:
        """The replay this instance runs in; only set while the executor replays it."""
        if self._scheduler is None:
            raise ConfigurationError(f"{type(self).__name__} is not being replayed; run it with an Executor")
        return self._scheduler

    @functools.cached_property
    def logger(self) -> logging.LoggerAdapter[logging.Logger]:
        """A logger for ``run()`` (``simpleflow.workflows.<name>``) that logs each thing once.

        It stays quiet while a fresh run goes over what an earlier decision task already ran (after a
        decider restart or a cache miss), so a line logged before a blocking point is not logged again.
        A subclass may set its own ``logger``.
        """
        return RunLogger(logging.getLogger(f"simpleflow.workflows.{self.name}"), {})

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """The workflow's logic; its return value (JSON) is the execution's result."""
        raise NotImplementedError(f"{type(self).__name__}.run()")

    # -- tasks --

    # The overloads are for type checkers (run time goes to the last definition): an activity's arguments
    # are checked against its function, and its future holds what the function returns. A class activity
    # gives what its execute() returns, hence the ``Callable[P, Executable[R]]`` forms first; they also
    # cover a class decorated with @activity.with_attributes, which stays its class to a type checker
    # (class decorators do not change types). ``__priority=`` cannot sit beside a ParamSpec's keywords,
    # so it has its own overloads (first: they need the keyword), which check the result type only.

    @overload
    def submit(
        self, submittable: Callable[..., Executable[R]], /, *args: Any, __priority: Priority, **kwargs: Any
    ) -> Future[R]: ...

    @overload
    def submit(
        self, submittable: Activity[..., R], /, *args: Any, __priority: Priority, **kwargs: Any
    ) -> Future[R]: ...

    @overload
    def submit(
        self, submittable: Callable[P, Executable[R]], /, *args: P.args, **kwargs: P.kwargs
    ) -> Future[R]: ...

    @overload
    def submit(self, submittable: Activity[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]: ...

    @overload
    def submit(self, submittable: OtherSubmittable, /, *args: Any, **kwargs: Any) -> Future[Any]: ...

    def submit(self, submittable: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Submit an activity, a child ``Workflow`` class, a ``LambdaFunction``, a task or a canvas.

        Extra keyword ``__priority=`` sets the task priority of this submission (see
        :mod:`simpleflow.submit_options`), ``__retry_policy=`` its retry policy, and a child workflow
        takes the options of :mod:`simpleflow.child_options` (``__workflow_id=``, ``__task_list=``,
        ``__execution_timeout=``, ``__parent_close_policy=``, ...); none reaches the function.
        """
        return self.scheduler.submit(submittable, args, kwargs)

    @overload
    def map(
        self, submittable: Callable[[Item], Executable[R]], iterable: Iterable[Item]
    ) -> list[Future[R]]: ...

    @overload
    def map(self, submittable: Activity[[Item], R], iterable: Iterable[Item]) -> list[Future[R]]: ...

    @overload
    def map(self, submittable: OtherSubmittable, iterable: Iterable[Any]) -> list[Future[Any]]: ...

    def map(self, submittable: Any, iterable: Iterable[Any]) -> list[Future[Any]]:
        """``submit(submittable, item)`` for each item."""
        return [self.submit(submittable, item) for item in iterable]

    @overload
    def starmap(
        self, submittable: Callable[..., Executable[R]], iterable: Iterable[Iterable[Any]]
    ) -> list[Future[R]]: ...

    @overload
    def starmap(
        self, submittable: Activity[..., R], iterable: Iterable[Iterable[Any]]
    ) -> list[Future[R]]: ...

    @overload
    def starmap(
        self, submittable: OtherSubmittable, iterable: Iterable[Iterable[Any]]
    ) -> list[Future[Any]]: ...

    def starmap(self, submittable: Any, iterable: Iterable[Iterable[Any]]) -> list[Future[Any]]:
        """``submit(submittable, *args)`` for each args (argument types are not checked: they come packed)."""
        return [self.submit(submittable, *args) for args in iterable]

    def get_task_id(self, task: RemoteTask, *, default: str) -> str:
        """Override to choose task ids (must be stable across replays); ``default`` is simpleflow's."""
        return default

    # -- ending the run --

    def fail(self, reason: str, details: Any = None) -> NoReturn:
        """End the execution as failed with ``reason`` and ``details`` (even if the raise is caught)."""
        error = WorkflowFailed(reason, details)
        self.scheduler.request_failure(error)
        raise error

    def continue_as_new(self, *args: Any, **kwargs: Any) -> NoReturn:
        """End this run and start a new run of the same execution with these arguments."""
        raise ContinueAsNew(args, kwargs)

    # -- timers, signals, markers, side effects --

    def start_timer(self, timer_id: str, timeout: int, control: str | None = None) -> EventFuture:
        """A timer firing ``timeout`` seconds after it starts: read it as a future, or submit it.

        It starts when first read or submitted, or when a canvas holding it reaches it (see
        :class:`~simpleflow.runtime.events.event_future.EventFuture`).
        """
        return self.scheduler.events.start_timer(timer_id, timeout, control=control)

    def cancel_timer(self, timer_id: str) -> EventFuture:
        """Cancel timer ``timer_id``; as a bool, whether there was a running timer to cancel."""
        return self.scheduler.events.cancel_timer(timer_id)

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
        return self.scheduler.events.signal(
            name, args, kwargs, workflow_id=workflow_id, run_id=run_id, propagate=propagate
        )

    def wait_signal(self, name: str) -> EventFuture:
        """A future finished with the signal's input once signal ``name`` arrives (before or after this call).

        The n-th ``wait_signal(name)`` of ``run()`` takes the n-th signal of that name.
        """
        return self.scheduler.events.wait_signal(name)

    def record_marker(self, name: str, details: Any = None) -> EventFuture:
        """Record a marker once per execution; the future finishes with ``details`` once recorded."""
        return self.scheduler.events.record_marker(name, details)

    def patched(self, change_id: str) -> bool:
        """Whether this execution takes the new branch of the code change ``change_id``.

        True in an execution that reaches this point with the new code (a ``simpleflow.patch`` marker
        is recorded, not listed by :meth:`list_markers`), False when replaying a history the old code
        took past this point. See ``docs/howto/versioning.md``.
        """
        return self.scheduler.patches.patched(change_id)

    def deprecate_patch(self, change_id: str) -> None:
        """Retire ``patched(change_id)`` once no execution runs the old branch: accepts its marker.

        Raises :class:`~simpleflow.exceptions.PatchRemoved` when replaying a history of the old branch.
        """
        self.scheduler.patches.deprecate(change_id)

    def is_continue_as_new_suggested(self) -> bool:
        """Whether this run's history is long enough (:data:`CONTINUE_AS_NEW_SUGGESTED_EVENTS`, 10,000
        events) that it should continue as new (``self.continue_as_new(...)``) at the next good point.

        The answer depends on the history, never on time, and replays to the same value: the call that
        first answers True records it (a hidden ``simpleflow.patch`` marker naming the call's rank in
        ``run()``), and from that call on the answer stays True. A call a replay goes over again (old
        ground) answers what it answered then.
        """
        asked = int(self.__dict__.get("_continue_as_new_asks", 0)) + 1
        self.__dict__["_continue_as_new_asks"] = asked
        scheduler = self.scheduler
        history = scheduler.turn.history
        ranks = set()
        for marker in history.markers(PATCH_MARKER_NAME):
            change_id = payload.decode(marker.details) if marker.details else None
            prefix = CONTINUE_AS_NEW_SUGGESTED_PATCH + "-"
            if (
                isinstance(change_id, str)
                and change_id.startswith(prefix)
                and change_id[len(prefix) :].isdigit()
            ):
                ranks.add(int(change_id[len(prefix) :]))
        change_id = f"{CONTINUE_AS_NEW_SUGGESTED_PATCH}-{asked}"
        if asked in ranks:
            return scheduler.patches.patched(change_id)  # asked again, as the replay must
        if any(rank < asked for rank in ranks):
            return True
        if replaying() or len(history) < CONTINUE_AS_NEW_SUGGESTED_EVENTS:
            return False
        # New ground in a long history: record the suggestion (at the frontier; else not yet).
        return scheduler.patches.patched(change_id)

    def list_markers(self, all: bool = False) -> list[Marker]:
        """The markers of the history: the latest recorded of each name, or with ``all`` every one."""
        return self.scheduler.events.list_markers(all)

    def side_effect(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` run once per execution; later replays read its recorded JSON result."""
        name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
        return self.scheduler.events.side_effect(name, fn, args, kwargs)

    def get_run_context(self) -> RunContext:
        """Ids, type, task list, tags and parent of this run: attributes, or upstream's dict keys."""
        return self.executor.run_context

    def get_execution_context(self) -> RunContext:
        """Upstream's deprecated name of :meth:`get_run_context`."""
        warnings.warn(
            "get_execution_context() is deprecated: use get_run_context()", DeprecationWarning, stacklevel=2
        )
        return self.get_run_context()

    def get_event_details(self, event_type: str, event_name: str) -> dict[str, Any] | None:
        """The latest ``"signal"``, ``"marker"`` or ``"timer"`` named ``event_name`` in the history.

        Signals give ``name``, ``input``, ``event_id``, ``external_workflow_id``, ``external_run_id``;
        markers ``name``, ``details``, ``event_id``; timers ``id``, ``state``, ``start_to_fire_timeout``,
        ``control``. ``None`` when there is none; ValueError for another event type.
        """
        store = self._scheduler.payload_store if self._scheduler is not None else None
        observe_history()
        return event_details(self.executor._native_history, event_type, event_name, store=store)

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

    def after_closed(self, history: History) -> None:
        """Called once the closing decision (complete, fail or cancel) is made, after ``on_*``."""

    def before_run(self, history: History) -> None:
        """Upstream's deprecated name of :meth:`before_replay` (the executor calls ``before_replay``)."""
        warnings.warn("before_run() is deprecated: use before_replay()", DeprecationWarning, stacklevel=2)
        self.before_replay(history)

    def after_run(self, history: History) -> None:
        """Upstream's deprecated name of :meth:`after_closed` (the executor calls ``after_closed``)."""
        warnings.warn("after_run() is deprecated: use after_closed()", DeprecationWarning, stacklevel=2)
        self.after_closed(history)

    def should_cancel(self, history: History) -> bool:
        """Whether to honour a cancel request (default: yes)."""
        return True

    def on_task_failure(self, failure_context: TaskFailureContext) -> TaskFailureContext | None:
        """Called each time a task failed or timed out; may decide to retry, abort or ignore it.

        Override it as simpleflow 0.36 does: ``failure_context`` is a
        :class:`~simpleflow.task_failure.TaskFailureContext`; return it after ``decide_retry(...)``,
        ``decide_abort()``, ``decide_ignore()`` (...), or ``None`` for the default handling (``retry``,
        then ``raises_on_failure``). The earlier form ``on_task_failure(self, task_id, error)`` (two
        arguments, detected by signature) is still called, once a task failed for good. Both run on every
        replay that meets the failure, so they must be deterministic.
        """
        return None


class RunLogger(logging.LoggerAdapter):  # type: ignore[type-arg,unused-ignore]
    """A logger that says nothing while ``run()`` goes over old ground (see :attr:`Workflow.logger`)."""

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - logging's name
        return not replaying() and self.logger.isEnabledFor(level)


def _qualname(method: Callable[..., Any]) -> str:
    return f"{method.__module__}.{method.__qualname__}"


def nondeterministic(method: Method) -> Method:
    """Decorate a workflow method whose calls must each run once per execution (clocks, random, I/O).

    The n-th call of the method in ``run()`` is recorded as a side effect and read back on replays.
    """

    @functools.wraps(method)
    def wrapper(self: Workflow, *args: Any, **kwargs: Any) -> Any:
        return self.scheduler.events.side_effect(
            _qualname(method), functools.partial(method, self), args, kwargs
        )

    return wrapper  # type: ignore[return-value]


def cached(method: Method) -> Method:
    """Decorate a workflow method that runs once per execution *per arguments*; repeated calls reuse it."""

    @functools.wraps(method)
    def wrapper(self: Workflow, *args: Any, **kwargs: Any) -> Any:
        name = _qualname(method)
        key = f"{name}({input_digest(payload.encode_input(args, kwargs))})"
        return self.scheduler.events.side_effect(
            name, functools.partial(method, self), args, kwargs, cache_key=key
        )

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
