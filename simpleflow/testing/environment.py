"""The test environment: an embedded engine, a decider and workers in this process, for one test.

::

    with WorkflowEnvironment() as env:
        handle = env.start(ApprovalWorkflow, "report.pdf")
        handle.signal("approval", "alice")
        assert handle.result(timeout=10) == "report.pdf published, approved by alice"

It is the ``--local`` runner (:class:`simpleflow.local.LocalRun`): the real replay executor against the
embedded SWF service in memory, with worker threads, or child processes with ``processes=True``. What it
adds is control from the test, between the steps of executions that run meanwhile:

- :meth:`WorkflowEnvironment.start` returns a :class:`~simpleflow.testing.WorkflowHandle` at once;
  :meth:`~WorkflowEnvironment.execute` starts and waits;
- time skipping: the engine's clock is virtual. Only while the test waits on a result
  (``handle.result()``, ``env.execute()``) and nothing is in flight (no decision task, no running
  activity) does it jump to the next timer or timeout: a ``start_timer(7200)`` takes milliseconds. Between
  the test's calls time flows as usual, so a workflow waiting for a signal does not time out while the
  test is about to send it. :meth:`~WorkflowEnvironment.skip` moves time by hand. ``real_time=True``
  keeps the wall clock;
- activity overrides: ``activities={increment: fake}`` or by name (see :mod:`simpleflow.testing.overrides`).
"""

from __future__ import annotations

import contextlib
import datetime
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from simpleflow.exceptions import ConfigurationError
from simpleflow.local import DOMAIN, LocalRun, default_nb_workers
from simpleflow.localswf.clock import VirtualClock
from simpleflow.testing.handle import WorkflowHandle
from simpleflow.testing.overrides import ActivityOverrides

if TYPE_CHECKING:
    from simpleflow.localswf.limits import Limits
    from simpleflow.process.middleware import Middlewares

__all__ = ["ClockRefused", "WorkflowEnvironment"]

R_co = TypeVar("R_co", covariant=True)


class RunsTo(Protocol[R_co]):
    """A Workflow class whose ``run()`` returns ``R_co`` (what a handle's ``result()`` is typed as)."""

    def run(self, *args: Any, **kwargs: Any) -> R_co:
        """The workflow's body."""
        ...


class ClockRefused(ConfigurationError):
    """Raised when the environment's clock is asked to move in a way it cannot: backwards, by a number
    that is not finite, or at all under ``real_time=True``. ``seconds`` is what was asked."""

    def __init__(self, seconds: float, problem: str) -> None:
        super().__init__(f"cannot skip {seconds!r} s: {problem}")
        self.seconds = seconds
        self.problem = problem


class WorkflowEnvironment:
    """Executions of any Workflow classes on an embedded engine in this process; a context manager.

    ``activities``: ``{activity or its name: fake}`` run in place of those activities (any callable in
    threads; an importable one, or its dotted path, with ``processes``). ``processes``: run each
    activity in a child process, as a worker does. ``nb_workers``: the most activities run at once
    (default 64 threads, or one process per CPU). ``real_time``: the wall clock, no skipping.
    ``limits``: the engine's SWF quotas (see :class:`simpleflow.localswf.limits.Limits`).
    ``middlewares``: upstream's pre/post-execution functions around each activity (not around a fake).

    Closing it stops every thread and process it started; executions still open are dropped.
    """

    def __init__(
        self,
        *,
        activities: Mapping[Any, Callable[..., Any] | str] | None = None,
        processes: bool = False,
        nb_workers: int | None = None,
        real_time: bool = False,
        limits: Limits | None = None,
        middlewares: Middlewares | None = None,
    ) -> None:
        # Checked first: a bad override must fail before any thread starts.
        overrides = ActivityOverrides.parse(activities, processes=processes)
        if nb_workers is None:
            nb_workers = default_nb_workers(processes=processes)
        if nb_workers < 1:
            raise ConfigurationError(f"nb_workers must be at least 1, not {nb_workers}")
        self.processes = processes
        self.real_time = real_time
        self._run = LocalRun(
            None,
            nb_workers=nb_workers,
            processes=processes,
            real_time=real_time,
            limits=limits,
            middlewares=middlewares,
        )
        self._resources = contextlib.ExitStack()
        self._resources.callback(self._run.close)
        try:
            self._resources.enter_context(
                overrides.installed(self._run.activity_task_list, processes=processes)
            )
        except BaseException:
            self._resources.close()
            raise
        self._closed = False

    def __enter__(self) -> WorkflowEnvironment:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the decider, the workers and the engine; safe to call more than once."""
        self._closed = True
        self._resources.close()

    # -- executions ---------------------------------------------------------------------------------------

    def start(self, workflow_cls: type[RunsTo[R_co]], /, *args: Any, **kwargs: Any) -> WorkflowHandle[R_co]:
        """Start an execution of ``workflow_cls`` with ``run(*args, **kwargs)``; its handle, at once.

        The workflow id, tags and timeouts come from the class, as for ``simpleflow workflow.start``.
        """
        self._check_open()
        execution = self._run.start(workflow_cls, {"args": list(args), "kwargs": kwargs})  # type: ignore[arg-type]
        return WorkflowHandle(self._run, execution)

    def execute(self, workflow_cls: type[RunsTo[R_co]], /, *args: Any, **kwargs: Any) -> R_co:
        """Start an execution and return its result: ``start(...).result()`` (no timeout)."""
        return self.start(workflow_cls, *args, **kwargs).result()

    # -- time ---------------------------------------------------------------------------------------------

    def skip(self, seconds: float) -> None:
        """Move virtual time forward by ``seconds``: timers and timeouts that come due fire now.

        Raises :class:`ClockRefused` for a negative or non-finite number, and under ``real_time``.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise ClockRefused(seconds, "expected a number of seconds")
        if not math.isfinite(seconds) or seconds < 0:
            raise ClockRefused(seconds, "time only moves forward, by a finite number of seconds")
        clock = self._run.service.clock
        if not isinstance(clock, VirtualClock):
            raise ClockRefused(seconds, "the environment runs in real time (real_time=True)")
        self._check_open()
        clock.advance(seconds)

    @property
    def now(self) -> datetime.datetime:
        """The engine's current time (virtual unless ``real_time``), timezone-aware, as in histories."""
        return datetime.datetime.fromtimestamp(self._run.service.clock.now(), tz=datetime.timezone.utc)

    # -- what tests may reach -----------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        """A boto3-like ``swf`` client of the engine (domain :attr:`domain`), for what handles do not do."""
        return self._run.client

    @property
    def domain(self) -> str:
        """The SWF domain the executions run in."""
        return DOMAIN

    def _check_open(self) -> None:
        if self._closed:
            raise ConfigurationError("this WorkflowEnvironment is closed")
