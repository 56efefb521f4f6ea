"""Activity overrides: a test environment runs a fake in place of an activity, wherever activities run.

``WorkflowEnvironment(activities={increment: fake})`` (or ``{"examples.basic.increment": fake}``, by the
activity's name) makes the workers of that environment call ``fake(*args, **kwargs)`` with the arguments
the workflow submitted, with the activity's context bound (``activity.context()`` works in the fake).
The decider and the history do not change: the task is scheduled, started and completed (or failed, when
the fake raises) under the real activity's name. Nothing else in the process is affected, not even
another environment open at the same time, because an override applies only on its environment's
activity task list.

How the fake reaches the code that runs the activity:

- in threads, the environment registers the callable itself in this process: any callable works,
  lambdas and closures included;
- in processes (``processes=True``), each activity runs in a child process, which imports the fake by
  its dotted path (``package.module.function``): the fake must be a module-level function, class or
  object of an importable module (or that dotted path, given as a string). A lambda, a nested function
  or a method of an instance cannot be sent, and is refused with :class:`ActivityOverrideError` before
  anything starts. The paths travel in the environment variable :data:`OVERRIDES_ENV`, which workers pass
  to their activity children, and :data:`INTERCEPTORS_ENV` names :func:`process_interceptor` there.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from simpleflow.activity import Activity
from simpleflow.exceptions import ConfigurationError, WorkflowImportError
from simpleflow.observability.interceptors import (
    INTERCEPTORS_ENV,
    ActivityCall,
    add_interceptor,
    remove_interceptor,
)

__all__ = [
    "OVERRIDES",
    "OVERRIDES_ENV",
    "ActivityOverrideError",
    "ActivityOverrides",
    "OverrideInterceptor",
    "process_interceptor",
]

#: JSON ``{activity task list: {activity name: dotted path of the fake}}``, for activity child processes.
OVERRIDES_ENV = "SIMPLEFLOW_TESTING_ACTIVITY_OVERRIDES"
#: What :data:`INTERCEPTORS_ENV` names: :func:`process_interceptor`, which gives :data:`OVERRIDES`.
INTERCEPTOR_PATH = "simpleflow.testing.overrides.process_interceptor"


class ActivityOverrideError(ConfigurationError):
    """Raised when an activity override cannot be used: its key names no activity, its fake is not
    callable, or (in processes) the fake cannot be imported by a child process.

    ``key`` is the override's key as given; ``problem`` says what is wrong with it.
    """

    def __init__(self, key: object, problem: str) -> None:
        super().__init__(f"activity override {describe_key(key)}: {problem}")
        self.key = key
        self.problem = problem


def describe_key(key: object) -> str:
    """How an override's key is named in an error."""
    if isinstance(key, Activity):
        return repr(key.name)
    return repr(key)


@dataclass(frozen=True)
class ActivityOverrides:
    """The fakes of one environment, by activity name; ``paths`` their dotted paths (for processes)."""

    fakes: Mapping[str, Callable[..., Any]]
    paths: Mapping[str, str]

    @classmethod
    def parse(cls, given: Mapping[Any, Any] | None, *, processes: bool) -> ActivityOverrides:
        """Check ``{activity or name: callable or dotted path}``; raises ActivityOverrideError.

        With ``processes``, every fake must be importable by the dotted path it is known by.
        """
        fakes: dict[str, Callable[..., Any]] = {}
        paths: dict[str, str] = {}
        for key, value in (given or {}).items():
            name = _activity_name(key)
            fake, path = _fake_of(key, value)
            if processes and path is None:
                raise ActivityOverrideError(
                    key,
                    f"{value!r} cannot reach an activity process: give a module-level function of an "
                    "importable module, or its dotted path ('package.module.function'), "
                    "or run the environment in threads",
                )
            fakes[name] = fake
            if path is not None:
                paths[name] = path
        return cls(fakes, paths)

    def __bool__(self) -> bool:
        return bool(self.fakes)

    @contextlib.contextmanager
    def installed(self, task_list: str, *, processes: bool) -> Iterator[None]:
        """Apply the fakes to the activities run on ``task_list`` while the block runs."""
        if not self:
            yield
            return
        with contextlib.ExitStack() as stack:
            stack.enter_context(OVERRIDES.applied(task_list, self.fakes))
            if processes:
                stack.enter_context(_exported_paths(task_list, self.paths))
            yield


def _activity_name(key: object) -> str:
    """The SWF name of the activity ``key`` stands for; raises ActivityOverrideError when none."""
    if isinstance(key, Activity):
        return key.name
    if not isinstance(key, str):
        raise ActivityOverrideError(key, "expected an activity or an activity's name as the key")
    from simpleflow.process.dispatch import resolve_activity

    try:
        return resolve_activity(key).name
    except WorkflowImportError as error:
        raise ActivityOverrideError(key, f"no such activity ({error.problem})") from error


def _fake_of(key: object, value: object) -> tuple[Callable[..., Any], str | None]:
    """The fake and the dotted path it can be imported by (None when it cannot be)."""
    from simpleflow.process.middleware import import_callable

    if isinstance(value, str):
        try:
            return import_callable(value, option="the fake"), value
        except ConfigurationError as error:
            raise ActivityOverrideError(key, str(error)) from error
    if not callable(value):
        raise ActivityOverrideError(key, f"the fake must be callable, not {value!r}")
    return value, _importable_path(value)


def _importable_path(value: Callable[..., Any]) -> str | None:
    """``module.qualname`` of ``value`` when importing it gives ``value`` back, else None."""
    import importlib

    module_name = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not module_name or not qualname or "<" in qualname or module_name == "__main__":
        return None
    try:
        target: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError):
        return None
    return f"{module_name}.{qualname}" if target is value else None


@contextlib.contextmanager
def _exported_paths(task_list: str, paths: Mapping[str, str]) -> Iterator[None]:
    """Name the fakes of ``task_list`` in the environment that activity children get, while the block runs.

    Other environments' entries are kept, and the variables are set back as they were at the end.
    """
    previous = {name: os.environ.get(name) for name in (OVERRIDES_ENV, INTERCEPTORS_ENV)}
    table = json.loads(previous[OVERRIDES_ENV] or "{}")
    table[task_list] = dict(paths)
    interceptors = [part for part in (previous[INTERCEPTORS_ENV] or "").split(",") if part.strip()]
    if INTERCEPTOR_PATH not in interceptors:
        interceptors.append(INTERCEPTOR_PATH)
    os.environ[OVERRIDES_ENV] = json.dumps(table)
    os.environ[INTERCEPTORS_ENV] = ",".join(interceptors)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class OverrideInterceptor:
    """Runs the fake of an overridden activity instead of the activity (see the module docs).

    One per process (:data:`OVERRIDES`): environments in threads apply their fakes to it; in an activity
    child process it finds the fakes of its task list in :data:`OVERRIDES_ENV`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_task_list: dict[str, Mapping[str, Callable[..., Any]]] = {}
        self._imported: dict[str, Callable[..., Any]] = {}

    @contextlib.contextmanager
    def applied(self, task_list: str, fakes: Mapping[str, Callable[..., Any]]) -> Iterator[None]:
        """Run ``fakes`` for the activities of ``task_list`` in this process while the block runs."""
        with self._lock:
            first = not self._by_task_list
            self._by_task_list[task_list] = dict(fakes)
        if first:
            add_interceptor(self)
        try:
            yield
        finally:
            with self._lock:
                self._by_task_list.pop(task_list, None)
                last = not self._by_task_list
            if last:
                remove_interceptor(self)

    def intercept_activity(self, call: ActivityCall, proceed: Callable[[], Any]) -> Any:
        """The fake's result for an overridden activity, else the activity's own."""
        fake = self._fake_for(getattr(call.context, "task_list", ""), call.activity.name)
        if fake is None:
            return proceed()
        if isinstance(fake, Activity):
            return fake.run(call.args, call.kwargs)
        return fake(*call.args, **call.kwargs)

    def _fake_for(self, task_list: str, name: str) -> Callable[..., Any] | None:
        with self._lock:
            fakes = self._by_task_list.get(task_list)
        if fakes is not None:
            return fakes.get(name)
        path = json.loads(os.environ.get(OVERRIDES_ENV) or "{}").get(task_list, {}).get(name)
        if path is None:
            return None
        if path not in self._imported:
            from simpleflow.process.middleware import import_callable

            self._imported[path] = import_callable(path, option=OVERRIDES_ENV)
        return self._imported[path]


#: The process's override interceptor.
OVERRIDES = OverrideInterceptor()


def process_interceptor() -> OverrideInterceptor:
    """:data:`OVERRIDES`, for :data:`INTERCEPTORS_ENV` (which names factories, or classes, by path)."""
    return OVERRIDES
