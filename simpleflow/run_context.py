"""What a run knows about itself, in the shapes upstream simpleflow's workflows read it.

- :class:`RunContext` (``self.get_run_context()``): attributes, and a read-only mapping with upstream's
  keys (``name``, ``version``, ``domain_name``, ``workflow_id``, ``run_id``, ``tag_list``,
  ``continued_execution_run_id``, ``parent_workflow_id``, ``parent_run_id``) plus this project's own
  (``task_list``, ``input``, ``child_policy``, the timeouts).
- :class:`ExecutorView` (``self.executor``): what upstream workflows read from their executor
  (``history``, ``workflow_id``, ``run_id``, ``domain``, ``task_list``, ``get_run_context()``, ...),
  over the one replay that runs them.
- :func:`call_class_hook`: calls the class hooks ``get_workflow_id``, ``get_tag_list`` and
  ``get_task_list`` with the workflow's input, and :func:`start_choices` picks, for a start, the workflow
  id, the tags and the decision task list from the arguments given, then those hooks, then the class.
- :func:`event_details`: ``get_event_details("signal" | "marker" | "timer", name)`` as upstream's SWF
  executor answers it.

The decider binds the domain it polls with :func:`bound_domain` so that a replay can report it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from simpleflow import payload
from simpleflow.history import History
from simpleflow.history.upstream_view import UpstreamHistory
from simpleflow.runtime.parking import observe_history

__all__ = [
    "INHERIT_TAG_LIST",
    "DomainName",
    "ExecutorView",
    "RunContext",
    "bound_domain",
    "call_class_hook",
    "current_run_context",
    "event_details",
    "start_choices",
]

#: A child workflow's ``tag_list`` (or ``get_tag_list()`` result) that means "my parent's tags".
INHERIT_TAG_LIST = "INHERIT_TAG_LIST"

# Upstream's key -> the attribute that holds it, where the two names differ.
_UPSTREAM_KEYS = {"name": "workflow_name", "version": "workflow_version"}


@dataclass(frozen=True)
class RunContext(Mapping[str, Any]):
    """What a run knows about itself (:meth:`Workflow.get_run_context`).

    Read it as attributes (``ctx.workflow_id``) or as upstream's dict (``ctx["workflow_id"]``,
    ``ctx.get("tag_list")``, ``"run_id" in ctx``); as a dict, ``tag_list`` is a list.
    """

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
    domain_name: str | None = None

    def _as_dict(self) -> dict[str, Any]:
        values = {spec.name: getattr(self, spec.name) for spec in fields(self)}
        values["tag_list"] = list(self.tag_list)
        for key, attribute in _UPSTREAM_KEYS.items():
            values[key] = values[attribute]
        return values

    def __getitem__(self, key: str) -> Any:
        return self._as_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._as_dict())

    def __len__(self) -> int:
        return len(self._as_dict())


class DomainName(str):
    """The domain's name, which also answers ``.name`` as upstream's ``Domain`` model does."""

    @property
    def name(self) -> str:
        """The domain's name (upstream workflows read ``self.executor.domain.name``)."""
        return str(self)


_domain: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "simpleflow_decider_domain", default=None
)
_current: contextvars.ContextVar[ExecutorView | None] = contextvars.ContextVar(
    "simpleflow_replay_view", default=None
)


@contextlib.contextmanager
def bound_domain(domain: str) -> Iterator[None]:
    """Tell the replays made in the block which domain their decision tasks come from."""
    token = _domain.set(domain)
    try:
        yield
    finally:
        _domain.reset(token)


def decider_domain() -> str | None:
    """The domain bound by :func:`bound_domain`, if any."""
    return _domain.get()


def current_run_context() -> RunContext | None:
    """The run context of the replay running in this thread (``None`` outside a replay)."""
    view = _current.get()
    return None if view is None else view.run_context


class ExecutorView:
    """``self.executor`` of a workflow: the replay that runs it, with upstream's attribute names.

    Workflows are typed loosely here: this module sits below :mod:`simpleflow.workflow`.
    """

    def __init__(
        self,
        workflow_cls: type,
        history: History,
        run_context: RunContext,
        *,
        activity_task_list: str | None = None,
        payload_store: payload.PayloadStore | None = None,
    ) -> None:
        self.workflow_class = workflow_cls
        self._native_history = history
        self.run_context = run_context
        self.domain = DomainName(run_context.domain_name or "")
        #: The task list activities are sent to when the run forces one (``standalone``, ``--local``).
        self.task_list = activity_task_list
        self.payload_store = payload_store
        #: The workflow instance this view is the executor of (:meth:`attach`).
        self.workflow: Any = None

    def attach(self, workflow: Any) -> None:
        """Be the executor of ``workflow`` (made with this view, so known only once it exists)."""
        self.workflow = workflow

    @functools.cached_property
    def history(self) -> UpstreamHistory:
        """This run's history with upstream's attributes (``activities``, ``signals``, ...) and ours.

        Built on first read only: most replays never look.
        """
        observe_history()
        return UpstreamHistory(self._native_history)

    def set_history(self, history: History) -> None:
        """The history moved on (a live run's next decision task)."""
        self._native_history = history
        self.__dict__.pop("history", None)

    # Upstream's private names, which its users' workflows read too.
    @property
    def _history(self) -> UpstreamHistory:
        return self.history

    @property
    def workflow_id(self) -> str:
        """This run's workflow id."""
        return self.run_context.workflow_id

    @property
    def run_id(self) -> str:
        """This run's run id."""
        return self.run_context.run_id

    _workflow_id = workflow_id
    _run_id = run_id

    @property
    def _workflow(self) -> Any:
        return self.workflow

    def get_run_context(self) -> RunContext:
        """The same as the workflow's :meth:`~simpleflow.workflow.Workflow.get_run_context`."""
        return self.run_context

    def get_event_details(self, event_type: str, event_name: str) -> dict[str, Any] | None:
        """The same as the workflow's :meth:`~simpleflow.workflow.Workflow.get_event_details`."""
        observe_history()
        return event_details(self._native_history, event_type, event_name, store=self.payload_store)

    def __getattr__(self, name: str) -> Any:
        # submit, map, signal, record_marker, ... called on the executor work as on the workflow.
        workflow = self.__dict__.get("workflow")
        if workflow is None or name.startswith("_") or not callable(getattr(workflow, name, None)):
            raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")
        return getattr(workflow, name)

    @contextlib.contextmanager
    def current(self) -> Iterator[None]:
        """Make this the replay :func:`current_run_context` answers for, during the block."""
        token = _current.set(self)
        try:
            yield
        finally:
            _current.reset(token)


def build_run_context(
    history: History,
    *,
    workflow_id: str,
    run_id: str,
    store: payload.PayloadStore | None = None,
    domain: str | None = None,
) -> RunContext:
    """The :class:`RunContext` of the run whose history is ``history``."""
    start = history.start
    assert start is not None  # the executor refuses histories without WorkflowExecutionStarted
    return RunContext(
        workflow_id=workflow_id,
        run_id=run_id,
        workflow_name=start.workflow_name,
        workflow_version=start.workflow_version,
        task_list=start.task_list,
        tag_list=start.tag_list,
        input=payload.decode(start.input, field="workflow input", store=store),
        parent_workflow_id=start.parent_workflow_id,
        parent_run_id=start.parent_run_id,
        continued_execution_run_id=start.continued_execution_run_id,
        child_policy=start.child_policy,
        execution_start_to_close_timeout=start.execution_start_to_close_timeout,
        task_start_to_close_timeout=start.task_start_to_close_timeout,
        domain_name=domain if domain is not None else decider_domain(),
    )


# -- class hooks ------------------------------------------------------------------------------------------


def call_class_hook(cls: type, name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """``cls.<name>(*args, **kwargs)`` when the class defines that hook, else ``None``.

    A classmethod or staticmethod gets the input only; a plain function defined on the class gets the
    class first, as upstream calls it (``get_tag_list(cls, *args, **kwargs)``).
    """
    for klass in cls.__mro__:
        if name in klass.__dict__:
            raw = klass.__dict__[name]
            break
    else:
        return None
    if raw is None:
        return None
    if isinstance(raw, classmethod | staticmethod):
        return getattr(cls, name)(*args, **kwargs)
    return raw(cls, *args, **kwargs)


def resolve_tags(tags: Any, *, parent: Sequence[str] | None) -> list[str] | None:
    """A tag list as SWF takes it: ``INHERIT_TAG_LIST`` becomes ``parent`` (none at the top level)."""
    if tags == INHERIT_TAG_LIST:
        return list(parent) if parent else None
    if tags is None:
        return None
    if isinstance(tags, str):
        return [tags]
    return [str(tag) for tag in tags]


def class_tags(cls: type, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """``get_tag_list(...)`` when the class defines it, else its ``tag_list`` attribute."""
    if _has_hook(cls, "get_tag_list"):
        return call_class_hook(cls, "get_tag_list", args, kwargs)
    return getattr(cls, "tag_list", None)


def class_task_list(cls: type, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str | None:
    """``get_task_list(...)`` when the class defines it, else its ``task_list`` attribute."""
    if _has_hook(cls, "get_task_list"):
        chosen = call_class_hook(cls, "get_task_list", args, kwargs)
        if chosen:
            return str(chosen)
    value = getattr(cls, "task_list", None)
    return str(value) if value else None


def class_workflow_id(cls: type, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str | None:
    """``get_workflow_id(...)`` when the class defines it and it gives one, else ``None``."""
    if not _has_hook(cls, "get_workflow_id"):
        return None
    chosen = call_class_hook(cls, "get_workflow_id", args, kwargs)
    return str(chosen) if chosen else None


def _has_hook(cls: type, name: str) -> bool:
    return any(klass.__dict__.get(name) is not None for klass in cls.__mro__ if name in klass.__dict__)


@dataclass(frozen=True)
class StartChoices:
    """The workflow id, tags and decision task list a start uses (``None``: let the caller default)."""

    workflow_id: str | None
    tags: list[str]
    task_list: str | None


def start_choices(
    cls: type,
    value: Any,
    *,
    workflow_id: str | None = None,
    tags: Sequence[str] = (),
    task_list: str | None = None,
) -> StartChoices:
    """What a top-level start of ``cls`` with input ``value`` uses: what was given, then the class hooks.

    A top-level run has no parent, so ``INHERIT_TAG_LIST`` gives no tags.
    """
    args, kwargs = payload.parse_input(value)
    chosen_id = workflow_id or class_workflow_id(cls, args, kwargs)
    chosen_tags = list(tags) or resolve_tags(class_tags(cls, args, kwargs), parent=None) or []
    chosen_list = task_list or class_task_list(cls, args, kwargs)
    return StartChoices(chosen_id, chosen_tags, chosen_list)


# -- event details ----------------------------------------------------------------------------------------

_TIMER_STATES = {
    "STARTED": "started",
    "FIRED": "fired",
    "CANCELED": "canceled",
    "START_FAILED": "start_failed",
}


def event_details(
    history: History, event_type: str, event_name: str, *, store: payload.PayloadStore | None = None
) -> dict[str, Any] | None:
    """The latest ``signal`` received, ``marker`` recorded or ``timer`` used under ``event_name``.

    Dicts with upstream's keys (``name``, ``input``/``details`` decoded, ``event_id``, ``state``, ...);
    ``None`` when the history has none. Raises ValueError for another event type.
    """
    if event_type == "signal":
        signals = history.signals(event_name)
        if not signals:
            return None
        signal = signals[-1]
        return {
            "type": "signal",
            "name": signal.name,
            "state": "signaled",
            "input": payload.decode(signal.input, field=f"signal {signal.name} input", store=store),
            "event_id": signal.event_id,
            "external_workflow_id": signal.sender_workflow_id,
            "external_run_id": signal.sender_run_id,
        }
    if event_type == "marker":
        markers = [marker for marker in history.markers(event_name) if marker.failed_cause is None]
        if not markers:
            return None
        marker = markers[-1]
        return {
            "type": "marker",
            "name": marker.name,
            "state": "recorded",
            "details": payload.decode(marker.details, field=f"marker {marker.name} details", store=store),
            "event_id": marker.event_id,
        }
    if event_type == "timer":
        timer = history.timer(event_name)
        if timer is None:
            return None
        timeout = timer.start_to_fire_timeout
        return {
            "type": "timer",
            "id": timer.timer_id,
            "state": _TIMER_STATES.get(timer.state.value, timer.state.value.lower()),
            "start_to_fire_timeout": int(timeout) if timeout and timeout.isdigit() else timeout,
            "control": timer.control,
            "started_event_id": timer.event_id,
            "cause": timer.cause,
        }
    raise ValueError(
        f"get_event_details: unknown event type {event_type!r}; expected signal, marker or timer"
    )
