"""Upstream simpleflow's activity middlewares: functions called before and after each activity.

``--middleware-pre-execution PATH`` and ``--middleware-post-execution PATH`` (repeatable, on
``workflow.start --local``, ``worker.start`` and ``standalone``) name functions by dotted path
(``package.module.function``). Around each activity, wherever it runs:

- each pre-execution function is called as ``func(context)``, in the order given, before the activity;
- the activity runs;
- when it returned, each post-execution function is called as ``func(context, result=result)``, in the
  order given. They are not called when the activity raised.

``context`` is the activity context the activity itself sees (:func:`simpleflow.activity.get_context`).
A middleware that raises fails the task with its error, as upstream does. A path that cannot be
imported is refused by the command before anything starts (:meth:`Middlewares.load`).

:class:`Middlewares` holds the paths: it is picklable and hashable, so it travels to worker processes
and activity children, which import the functions themselves (once per process).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simpleflow.exceptions import ConfigurationError
from simpleflow.process.interception import ActivityCall, ActivityInterceptor

__all__ = ["POST_OPTION", "PRE_OPTION", "MiddlewareInterceptor", "Middlewares", "import_callable"]

PRE_OPTION = "--middleware-pre-execution"
POST_OPTION = "--middleware-post-execution"


@dataclass(frozen=True)
class Middlewares:
    """The dotted paths of the pre- and post-execution functions, in the order they are called."""

    pre: tuple[str, ...] = ()
    post: tuple[str, ...] = ()

    @classmethod
    def of(cls, pre: Sequence[str] = (), post: Sequence[str] = ()) -> Middlewares:
        """From the options' values (click gives tuples; None means none)."""
        return cls(tuple(pre or ()), tuple(post or ()))

    def __bool__(self) -> bool:
        return bool(self.pre or self.post)

    def load(self) -> MiddlewareInterceptor:
        """Import every function; raises ConfigurationError naming the option and the path that fails."""
        return _load(self)

    def interceptors(self) -> tuple[ActivityInterceptor, ...]:
        """The interceptors to run activities with: none when no middleware is given."""
        return (self.load(),) if self else ()

    def options(self) -> list[str]:
        """The command-line options that give these middlewares to another simpleflow command."""
        arguments: list[str] = []
        for path in self.pre:
            arguments += [PRE_OPTION, path]
        for path in self.post:
            arguments += [POST_OPTION, path]
        return arguments


class MiddlewareInterceptor:
    """Calls the pre-execution functions, the activity, then the post-execution functions."""

    def __init__(self, pre: Sequence[Callable[..., Any]], post: Sequence[Callable[..., Any]]) -> None:
        self.pre = tuple(pre)
        self.post = tuple(post)

    def intercept_activity(self, call: ActivityCall, proceed: Callable[[], Any]) -> Any:
        """Upstream's order: every pre function, the activity, every post function with the result."""
        for function in self.pre:
            function(call.context)
        result = proceed()
        for function in self.post:
            function(call.context, result=result)
        return result


@functools.lru_cache(maxsize=16)
def _load(middlewares: Middlewares) -> MiddlewareInterceptor:
    pre = [import_callable(path, option=PRE_OPTION) for path in middlewares.pre]
    post = [import_callable(path, option=POST_OPTION) for path in middlewares.post]
    return MiddlewareInterceptor(pre, post)


def import_callable(path: str, *, option: str) -> Callable[..., Any]:
    """The callable at dotted ``path``; raises ConfigurationError saying why it cannot be had."""
    module_name, _, attribute = path.rpartition(".")
    if not module_name or not attribute:
        raise ConfigurationError(f"{option} {path!r}: expected a dotted path like 'package.module.function'")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise ConfigurationError(f"{option} {path!r}: no module named {error.name!r}") from error
    except Exception as error:
        raise ConfigurationError(
            f"{option} {path!r}: importing {module_name} failed: {type(error).__name__}: {error}"
        ) from error
    target = getattr(module, attribute, None)
    if target is None:
        raise ConfigurationError(f"{option} {path!r}: module {module_name!r} has no attribute {attribute!r}")
    if not callable(target):
        raise ConfigurationError(f"{option} {path!r}: {target!r} is not callable")
    return target
