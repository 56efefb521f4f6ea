"""Activities: plain functions (or classes) a workflow submits and a worker executes.

Decorate a function with :func:`with_attributes` to make it an :class:`Activity`. It stays callable like
the original, gains its SWF attributes (name, version, task list, timeouts, retries, ...) and is entered in
:data:`registry` under its name, by which workers find it again (:func:`find_activity`)::

    from simpleflow import activity

    @activity.with_attributes(task_list="quickstart", version="example")
    def increment(x):
        return x + 1

A class works too: it is instantiated with the task's arguments, then its ``execute()`` gives the result.

While a worker runs an activity it binds an :class:`ActivityContext` (:func:`bind_context`), which the
activity reads with :func:`context` (which raises outside a worker) or :func:`get_context` (``None``
there); long activities call :func:`heartbeat` to tell SWF they are alive.

Types: ``Activity[P, R]`` keeps the decorated function's parameters and result, so calling the activity
type-checks as the function does, and ``Workflow.submit(increment, "wrong")`` is a type error when
``increment`` takes an ``int``. A class activity is ``Activity[P, MyTask]`` (``P``: its ``__init__``'s
parameters); what a workflow gets from it is ``execute()``'s result (see ``Workflow.submit``).
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
import functools
import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, Protocol, TypeVar, overload

from simpleflow import settings
from simpleflow.decisions import validate_identifier
from simpleflow.exceptions import ConfigurationError, NotInActivityError, WorkflowImportError
from simpleflow.retry_policy import RetryPolicy
from simpleflow.serializer import Serializer

__all__ = [
    "DEFAULT",
    "PRIORITY_NOT_SET",
    "Activity",
    "ActivityContext",
    "Executable",
    "bind_context",
    "context",
    "find_activity",
    "get_context",
    "heartbeat",
    "registry",
    "with_attributes",
]


class _Default(enum.Enum):
    """The type of :data:`DEFAULT`, so that ``None`` can stay a meaningful value."""

    DEFAULT = "DEFAULT"

    def __repr__(self) -> str:
        return "DEFAULT"


#: Use the value from :mod:`simpleflow.settings` (read when the activity is decorated).
DEFAULT = _Default.DEFAULT

Timeout = int | str


class _PriorityNotSet:
    """The type of :data:`PRIORITY_NOT_SET`."""

    def __repr__(self) -> str:
        return "<Priority Not Set>"


#: simpleflow 0.x's "no task priority given" (the same as ``task_priority=None`` here).
PRIORITY_NOT_SET = _PriorityNotSet()

#: The parameters of an activity's function (or of its class's ``__init__``).
P = ParamSpec("P")
#: What calling an activity's function gives (for a class activity: the instance).
R_co = TypeVar("R_co", covariant=True)
R = TypeVar("R")
#: What a class activity's ``execute()`` gives.
Result_co = TypeVar("Result_co", covariant=True)


class Executable(Protocol[Result_co]):
    """The shape of a class activity's instance, for type checkers: ``execute()`` gives the task's result.

    ``Workflow.submit`` reads it to type what a class activity's future holds.
    """

    def execute(self) -> Result_co:
        """Run the task (the worker calls it once the instance is made with the task's arguments)."""
        ...


#: Every activity defined in this process, by name.
registry: dict[str, Activity[..., Any]] = {}


class Activity(Generic[P, R_co]):
    """A function or class with the SWF attributes it is scheduled with.

    Calling the activity calls the original (so it stays unit-testable); :meth:`run` executes it as a
    worker does. Attributes: ``name``, ``version``, ``task_list``, ``task_priority``, ``retry``,
    ``retry_delay`` (seconds between attempts), ``raises_on_failure``, the four timeouts (seconds or
    ``"NONE"``), ``idempotent``, ``meta`` (free-form dict) and ``serializer`` (``None`` for JSON, or a
    serializer or registered name, see :mod:`simpleflow.serializer`: the decider encodes the input and
    the worker the result with it).

    Made directly, as simpleflow 0.x code does (``Activity(MyTask, task_list="x")``), the attributes left
    out take :func:`with_attributes`'s defaults and the activity is registered under its name, so that
    workers find it.

    Generic over the wrapped callable's parameters ``P`` and result ``R_co`` (see the module's "Types").
    """

    def __init__(
        self,
        wrapped: Callable[P, R_co],
        *,
        name: str | None = None,
        version: str | None = None,
        task_list: str | None = None,
        task_priority: int | _PriorityNotSet | None = None,
        retry: int = 0,
        retry_delay: int = 0,
        raises_on_failure: bool = False,
        start_to_close_timeout: Timeout | None = None,
        schedule_to_close_timeout: Timeout | None = None,
        schedule_to_start_timeout: Timeout | None = None,
        heartbeat_timeout: Timeout | None = None,
        idempotent: bool | None = None,
        meta: Mapping[str, Any] | None = None,
        serializer: Serializer | str | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        # None is "not given" for the attributes 0.x code may leave out; with_attributes always gives them.
        directly = name is None or version is None or task_list is None
        name = _origin(wrapped) if name is None else name
        version = settings.ACTIVITY_DEFAULT_VERSION if version is None else version
        task_list = settings.ACTIVITY_DEFAULT_TASK_LIST if task_list is None else task_list
        if isinstance(task_priority, _PriorityNotSet):
            task_priority = None
        if start_to_close_timeout is None:
            start_to_close_timeout = settings.ACTIVITY_START_TO_CLOSE_TIMEOUT
        if schedule_to_close_timeout is None:
            schedule_to_close_timeout = settings.ACTIVITY_SCHEDULE_TO_CLOSE_TIMEOUT
        if schedule_to_start_timeout is None:
            schedule_to_start_timeout = settings.ACTIVITY_SCHEDULE_TO_START_TIMEOUT
        if heartbeat_timeout is None:
            heartbeat_timeout = settings.ACTIVITY_HEARTBEAT_TIMEOUT
        validate_identifier(name, field="activity name")
        validate_identifier(version, field=f"activity {name} version", max_length=64)
        validate_identifier(task_list, field=f"activity {name} task_list")
        if not isinstance(retry, int) or retry < 0:
            raise ConfigurationError(f"activity {name}: retry must be a non-negative integer, not {retry!r}")
        if not isinstance(retry_delay, int) or isinstance(retry_delay, bool) or retry_delay < 0:
            raise ConfigurationError(
                f"activity {name}: retry_delay must be whole seconds (a non-negative integer), "
                f"not {retry_delay!r}"
            )
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise ConfigurationError(
                f"activity {name}: retry_policy must be a simpleflow.RetryPolicy, not {retry_policy!r}"
            )
        if retry_policy is not None and retry:
            raise ConfigurationError(
                f"activity {name}: give retry= or retry_policy=, not both "
                "(retry=N is a policy of N + 1 attempts)"
            )
        self.retry_policy = retry_policy
        self.wrapped = wrapped
        self.name = name
        self.version = version
        self.task_list = task_list
        self.task_priority = task_priority
        self.retry = retry
        self.retry_delay = retry_delay
        self.raises_on_failure = raises_on_failure
        self.start_to_close_timeout = start_to_close_timeout
        self.schedule_to_close_timeout = schedule_to_close_timeout
        self.schedule_to_start_timeout = schedule_to_start_timeout
        self.heartbeat_timeout = heartbeat_timeout
        self.idempotent = idempotent
        self.meta: dict[str, Any] = dict(meta or {})
        self.serializer = serializer
        # A class's __dict__ holds its methods and descriptors: copying those onto the wrapper would break it.
        updated = () if isinstance(wrapped, type) else functools.WRAPPER_UPDATES
        functools.update_wrapper(self, wrapped, updated=updated)
        if directly:
            _register(self)

    @property
    def is_class(self) -> bool:
        """Whether the activity is a class (instantiated with the arguments, then ``execute()``)."""
        return isinstance(self.wrapped, type)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co:
        return self.wrapped(*args, **kwargs)

    @property
    def context(self) -> ActivityContext | None:
        """The context of this activity's task running in this thread (upstream's ``my_activity.context``).

        ``None`` outside a worker (:func:`context` raises there instead). Bound per thread, so concurrent
        tasks each see their own.
        """
        return get_context()

    def run(self, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None) -> Any:
        """Execute the activity with these arguments and return its result, as a worker does.

        A class activity's instance gets the context as ``self.context`` before ``execute()``, and its
        ``post_execute()`` runs after it, as upstream does; a callable marked ``add_context_in_kwargs``
        gets it as the ``context`` keyword.
        """
        kwargs = dict(kwargs or {})
        if getattr(self.wrapped, "add_context_in_kwargs", False):
            kwargs["context"] = get_context()
        if not self.is_class:
            return self.wrapped(*args, **kwargs)
        instance: Any = self.wrapped(*args, **kwargs)
        instance.context = get_context()
        result = instance.execute()
        post_execute = getattr(instance, "post_execute", None)
        if callable(post_execute):
            post_execute()
        return result

    def __repr__(self) -> str:
        return f"<Activity {self.name} version={self.version} task_list={self.task_list}>"


def _register(activity: Activity[..., Any]) -> None:
    existing = registry.get(activity.name)
    if existing is not None and _origin(existing.wrapped) != _origin(activity.wrapped):
        raise ConfigurationError(
            f"two activities are named {activity.name!r}: {_origin(existing.wrapped)} and "
            f"{_origin(activity.wrapped)}; give one of them another name="
        )
    # The same definition seen again (a module reloaded, imported under __main__ and by name) replaces it.
    registry[activity.name] = activity


def _origin(wrapped: Callable[..., Any]) -> str:
    return f"{wrapped.__module__}.{wrapped.__qualname__}"


def _pick(value: Any, default: Any) -> Any:
    return default if value is DEFAULT else value


@overload
def with_attributes(name: Callable[P, R]) -> Activity[P, R]: ...


@overload
def with_attributes(
    name: str | None = None,
    *,
    version: str | _Default = DEFAULT,
    task_list: str | _Default = DEFAULT,
    task_priority: int | _PriorityNotSet | None = None,
    retry: int = 0,
    retry_delay: int | _Default = DEFAULT,
    raises_on_failure: bool = False,
    start_to_close_timeout: Timeout | _Default = DEFAULT,
    schedule_to_close_timeout: Timeout | _Default = DEFAULT,
    schedule_to_start_timeout: Timeout | _Default = DEFAULT,
    heartbeat_timeout: Timeout | _Default = DEFAULT,
    idempotent: bool | None = None,
    meta: Mapping[str, Any] | None = None,
    serializer: Serializer | str | None = None,
    retry_policy: RetryPolicy | None = None,
) -> Callable[[Callable[P, R]], Activity[P, R]]: ...


def with_attributes(
    name: str | Callable[..., Any] | None = None,
    *,
    version: str | _Default = DEFAULT,
    task_list: str | _Default = DEFAULT,
    task_priority: int | _PriorityNotSet | None = None,
    retry: int = 0,
    retry_delay: int | _Default = DEFAULT,
    raises_on_failure: bool = False,
    start_to_close_timeout: Timeout | _Default = DEFAULT,
    schedule_to_close_timeout: Timeout | _Default = DEFAULT,
    schedule_to_start_timeout: Timeout | _Default = DEFAULT,
    heartbeat_timeout: Timeout | _Default = DEFAULT,
    idempotent: bool | None = None,
    meta: Mapping[str, Any] | None = None,
    serializer: Serializer | str | None = None,
    retry_policy: RetryPolicy | None = None,
) -> Activity[..., Any] | Callable[[Callable[..., Any]], Activity[..., Any]]:
    """Make a function or class an :class:`Activity` and register it; usable with or without arguments.

    ``name`` defaults to ``module.qualname`` (``examples.basic.increment``). Arguments left at
    :data:`DEFAULT` take their value from :mod:`simpleflow.settings`: version ``"1.0"``, task list
    ``"default"``, start-to-close 300 s, schedule-to-start 3600 s, schedule-to-close and heartbeat
    ``"NONE"``. ``retry`` is how many times a failed or timed-out attempt is scheduled again;
    ``retry_delay`` is how many seconds the decider waits (with a timer) before scheduling that attempt
    (default 0, or ``SIMPLEFLOW_ACTIVITY_RETRY_DELAY``); ``raises_on_failure`` makes a failure raise in
    the workflow's ``run()`` instead of being held by the future; ``idempotent`` lets the executor derive
    the task id from the arguments; ``serializer`` chooses how the input and the result are encoded
    (default JSON; see :mod:`simpleflow.serializer`); ``retry_policy`` (a
    :class:`~simpleflow.retry_policy.RetryPolicy`) replaces ``retry`` and ``retry_delay`` with attempt
    budgets, exponential delays and non-retryable failures.
    """

    def decorate(wrapped: Callable[..., Any]) -> Activity[..., Any]:
        if not callable(wrapped):
            raise TypeError(f"with_attributes decorates functions and classes, not {wrapped!r}")
        if isinstance(wrapped, type) and not callable(getattr(wrapped, "execute", None)):
            raise TypeError(f"class activity {wrapped.__qualname__} needs an execute() method")
        activity = Activity(
            wrapped,
            name=name if isinstance(name, str) else _origin(wrapped),
            version=_pick(version, settings.ACTIVITY_DEFAULT_VERSION),
            task_list=_pick(task_list, settings.ACTIVITY_DEFAULT_TASK_LIST),
            task_priority=task_priority,
            retry=retry,
            retry_delay=_pick(retry_delay, settings.ACTIVITY_RETRY_DELAY),
            raises_on_failure=raises_on_failure,
            start_to_close_timeout=_pick(start_to_close_timeout, settings.ACTIVITY_START_TO_CLOSE_TIMEOUT),
            schedule_to_close_timeout=_pick(
                schedule_to_close_timeout, settings.ACTIVITY_SCHEDULE_TO_CLOSE_TIMEOUT
            ),
            schedule_to_start_timeout=_pick(
                schedule_to_start_timeout, settings.ACTIVITY_SCHEDULE_TO_START_TIMEOUT
            ),
            heartbeat_timeout=_pick(heartbeat_timeout, settings.ACTIVITY_HEARTBEAT_TIMEOUT),
            idempotent=idempotent,
            meta=meta,
            serializer=serializer,
            retry_policy=retry_policy,
        )
        _register(activity)
        return activity

    if name is not None and not isinstance(name, str):
        return decorate(name)  # used bare: @activity.with_attributes
    return decorate


# -- finding activities by name ---------------------------------------------------------------------------


def find_activity(name: str) -> Activity[..., Any]:
    """The activity registered as ``name``, importing its module by dotted path if needed.

    Raises :class:`WorkflowImportError` saying whether the module is missing, failed to import, lacks the
    attribute, or holds something that is not an activity.
    """
    if name in registry:
        return registry[name]
    parts = name.split(".")
    if len(parts) < 2 or not all(parts):
        raise WorkflowImportError(
            name, "no activity registered under this name, and it is not a dotted path like 'module.function'"
        )
    # The longest importable module prefix wins, so that 'pkg.mod.Class.method' paths resolve too.
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and (module_name == error.name or module_name.startswith(error.name + ".")):
                continue
            raise WorkflowImportError(name, f"importing {module_name} failed: {error}") from error
        except Exception as error:
            raise WorkflowImportError(
                name, f"importing {module_name} failed: {type(error).__name__}: {error}"
            ) from error
        if name in registry:
            return registry[name]
        target: Any = module
        for attribute in parts[split:]:
            if not hasattr(target, attribute):
                raise WorkflowImportError(
                    name, f"{module_name!r} has no attribute {'.'.join(parts[split:])!r}"
                )
            target = getattr(target, attribute)
        if not isinstance(target, Activity):
            raise WorkflowImportError(
                name, f"{target!r} is not an activity; decorate it with @activity.with_attributes(...)"
            )
        return target
    raise WorkflowImportError(name, f"no activity registered under this name, and no module {parts[0]!r}")


# -- the worker-side context ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityContext(Mapping[str, Any]):
    """Where the running activity comes from: its workflow execution, its task id and its attempt.

    Read it as attributes, or as upstream's dict (``my_activity.context["workflow_id"]``) with its keys
    ``name``, ``version``, ``workflow_id``, ``run_id``, ``activity_id``, ``input`` (the task's input
    text) and ``domain_name``, plus ``domain``, ``task_list``, ``attempt`` and ``last_heartbeat_details``.
    """

    workflow_id: str
    run_id: str
    activity_id: str
    domain: str
    task_list: str
    attempt: int = 1
    activity_name: str | None = None
    activity_version: str | None = None
    #: The task's input as SWF holds it (JSON text, or an out-of-band reference).
    input: str | None = None
    #: The last heartbeat details of the previous attempts (``None`` on a first attempt, or when none of
    #: them heartbeated): where a retry resumes. See :doc:`/howto/heartbeat-resumption`.
    last_heartbeat_details: Any = None

    def _as_dict(self) -> dict[str, Any]:
        return {
            "name": self.activity_name,
            "version": self.activity_version,
            "workflow_id": self.workflow_id,
            "run_id": self.run_id,
            "activity_id": self.activity_id,
            "input": self.input,
            "domain_name": self.domain,
            "domain": self.domain,
            "task_list": self.task_list,
            "attempt": self.attempt,
            "last_heartbeat_details": self.last_heartbeat_details,
        }

    def __getitem__(self, key: str) -> Any:
        return self._as_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._as_dict())

    def __len__(self) -> int:
        return len(self._as_dict())


#: Called by :func:`heartbeat` with the details; returns whether SWF asked to cancel the task.
HeartbeatCallback = Callable[[Any], "bool | None"]

_bound: contextvars.ContextVar[tuple[ActivityContext, HeartbeatCallback | None] | None] = (
    contextvars.ContextVar("simpleflow_activity_context", default=None)
)


@contextlib.contextmanager
def bind_context(
    context: ActivityContext, heartbeat_callback: HeartbeatCallback | None = None
) -> Iterator[ActivityContext]:
    """Make ``context`` (and the worker's heartbeat callback) current while the activity runs.

    For workers: ``with bind_context(ctx, send_heartbeat): result = activity.run(args, kwargs)``. The
    binding is a context variable, so it follows the thread (or asyncio task) that runs the activity; threads
    an activity starts itself do not inherit it.
    """
    token = _bound.set((context, heartbeat_callback))
    try:
        yield context
    finally:
        _bound.reset(token)


def get_context() -> ActivityContext | None:
    """The context of the activity running in this thread, or ``None`` outside a worker."""
    bound = _bound.get()
    return bound[0] if bound else None


def context() -> ActivityContext:
    """The context of the activity running in this thread: ``activity.context().workflow_id``.

    The form to use inside an activity: it is never ``None``, so a type checker needs no test. Raises
    :class:`~simpleflow.exceptions.NotInActivityError` outside an activity run by a worker (a unit test
    calling the function directly, a workflow's ``run()``); :func:`get_context` gives ``None`` there.
    """
    bound = _bound.get()
    if bound is None:
        raise NotInActivityError("activity.context()")
    return bound[0]


def heartbeat(details: Any = None) -> bool:
    """Tell SWF the running activity is alive, with optional JSON-able ``details`` (progress, ...).

    Returns ``True`` when SWF asked to cancel the task: the activity should then stop. The worker encodes
    the details (SWF keeps at most 2,048 characters; larger ones go to the payload store). A heartbeat
    without details sends the last ones again, so that a retry still resumes from them (see
    :doc:`/howto/heartbeat-resumption`). Raises :class:`NotInActivityError` (a
    :class:`ConfigurationError`) outside a worker.
    """
    bound = _bound.get()
    if bound is None:
        raise NotInActivityError("activity.heartbeat()")
    callback = bound[1]
    if callback is None:
        return False
    return bool(callback(details))
