"""The interceptor API: code that runs around each activity execution and around each decision task.

Two hooks, both of the same shape: an interceptor gets the call and a ``proceed`` callable that runs
the rest of the chain (the next interceptors, then the real work) and returns its result. It may look
at the call, do something before and after, change or replace the result, or raise.

- :class:`ActivityInterceptor` ``.intercept_activity(call: ActivityCall, proceed)``: runs in the process
  that executes the activity (a worker's activity child, a ``--local`` thread), around the activity
  function. ``proceed()`` returns the activity's result; whatever escapes the chain fails the task like
  an error of the activity itself.
- :class:`DecisionInterceptor` ``.intercept_decision(call: DecisionCall, proceed)``: runs in the decider,
  around the replay of each decision task. ``proceed()`` returns the replay, whose ``decisions`` are
  what the decider answers; an exception leaves the task unanswered (SWF redelivers it).

The chain, outermost first, is simpleflow's own observers (logging, then tracing; see
:mod:`simpleflow.observability.observers`), then the interceptors registered with
:func:`add_interceptor` or named in ``SIMPLEFLOW_INTERCEPTORS``, then those the caller passes (upstream's
``--middleware-*-execution`` functions are one, ``MiddlewareInterceptor``).

``SIMPLEFLOW_INTERCEPTORS`` is a comma-separated list of dotted paths (``package.module.NAME``) to
interceptor objects, or to classes and functions that make one when called without arguments. Being in
the environment, it reaches the decider's and the worker's processes and their activity children.
An object may implement either method or both.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from simpleflow.exceptions import ConfigurationError

if TYPE_CHECKING:
    from simpleflow.activity import Activity

__all__ = [
    "INTERCEPTORS_ENV",
    "ActivityCall",
    "ActivityInterceptor",
    "DecisionCall",
    "DecisionInterceptor",
    "add_interceptor",
    "remove_interceptor",
    "run_activity",
    "run_decision",
]

INTERCEPTORS_ENV = "SIMPLEFLOW_INTERCEPTORS"


@dataclass(frozen=True)
class ActivityCall:
    """One execution of an activity: the activity, its decoded arguments and its bound context.

    ``context`` is the :class:`simpleflow.activity.ActivityContext` the activity sees (workflow id,
    run id, activity id, attempt, ...).
    """

    activity: Activity
    args: Sequence[Any]
    kwargs: Mapping[str, Any]
    context: Any


@dataclass(frozen=True)
class DecisionCall:
    """One decision task as the decider received it, and what it decides it with.

    ``task`` is the ``PollForDecisionTask`` answer (``events`` holds the whole history);
    ``run_cache`` the decider's cache of live runs, when it has one (its ``stats()`` count hits).
    """

    task: Mapping[str, Any]
    workflow_type: str
    run_cache: Any = None

    @property
    def workflow_id(self) -> str:
        """The execution's workflow id."""
        return str((self.task.get("workflowExecution") or {}).get("workflowId", ""))

    @property
    def run_id(self) -> str:
        """The execution's run id."""
        return str((self.task.get("workflowExecution") or {}).get("runId", ""))

    @property
    def new_events(self) -> list[Mapping[str, Any]]:
        """The events this task brings: those after the previous decision task's start."""
        previous = int(self.task.get("previousStartedEventId") or 0)
        return [event for event in self.task.get("events", ()) if event.get("eventId", 0) > previous]


class ActivityInterceptor(Protocol):
    """Runs around an activity's execution; ``proceed()`` runs the rest and returns the result."""

    def intercept_activity(self, call: ActivityCall, proceed: Callable[[], Any]) -> Any:
        """Return the activity's result (usually ``proceed()``'s), or raise to fail the task."""
        ...


class DecisionInterceptor(Protocol):
    """Runs around the replay of a decision task; ``proceed()`` runs the rest and returns the replay."""

    def intercept_decision(self, call: DecisionCall, proceed: Callable[[], Any]) -> Any:
        """Return the replay (usually ``proceed()``'s), or raise to leave the task unanswered."""
        ...


_registered: list[object] = []
_from_environment: dict[str, tuple[object, ...]] = {}


def add_interceptor(interceptor: object) -> None:
    """Run ``interceptor`` around every activity and/or decision task of this process."""
    _registered.append(interceptor)


def remove_interceptor(interceptor: object) -> None:
    """Undo :func:`add_interceptor` (a ValueError when it was not added)."""
    _registered.remove(interceptor)


def _is_interceptor(target: object) -> bool:
    return hasattr(target, "intercept_activity") or hasattr(target, "intercept_decision")


def _environment_interceptors() -> tuple[object, ...]:
    spec = os.environ.get(INTERCEPTORS_ENV, "").strip()
    if spec not in _from_environment:
        from simpleflow.process.middleware import import_callable

        found: list[object] = []
        for path in filter(None, (part.strip() for part in spec.split(","))):
            target: Any = import_callable(path, option=INTERCEPTORS_ENV)
            if isinstance(target, type) or not _is_interceptor(target):
                target = target()  # a class or a factory
            if not _is_interceptor(target):
                raise ConfigurationError(
                    f"{INTERCEPTORS_ENV} {path!r}: neither intercept_activity nor intercept_decision found"
                )
            found.append(target)
        _from_environment[spec] = tuple(found)
    return _from_environment[spec]


def _chain(method: str, given: Sequence[object]) -> list[Any]:
    from simpleflow.observability.observers import builtin_observers

    everything = [*builtin_observers(), *_registered, *_environment_interceptors(), *given]
    return [each for each in everything if hasattr(each, method)]


def _run(chain: Sequence[Any], method: str, call: Any, work: Callable[[], Any]) -> Any:
    def proceed_from(index: int) -> Any:
        if index == len(chain):
            return work()
        return getattr(chain[index], method)(call, lambda: proceed_from(index + 1))

    return proceed_from(0)


def run_activity(call: ActivityCall, interceptors: Sequence[ActivityInterceptor] = ()) -> Any:
    """Execute ``call.activity`` through the chain (see the module docstring); return its result."""
    return _run(
        _chain("intercept_activity", interceptors),
        "intercept_activity",
        call,
        lambda: call.activity.run(call.args, call.kwargs),
    )


def run_decision(
    call: DecisionCall, replay: Callable[[], Any], interceptors: Sequence[DecisionInterceptor] = ()
) -> Any:
    """Run ``replay()`` (the decision task's replay) through the chain; return the replay."""
    return _run(_chain("intercept_decision", interceptors), "intercept_decision", call, replay)
