"""The ``--local`` runner: one workflow execution, entirely in this process.

It is not a second way of running workflows. It is the real replay executor, deciding against the
embedded SWF service (in memory) through a boto3 client attached in process, with the activities run by
a pool of workers polling that same service:

- one decider thread polls the run's decision task list and answers with
  :meth:`simpleflow.executor.Executor.replay`, child workflows included;
- up to ``nb_workers`` worker threads poll the run's activity task list (every activity is routed there,
  so nothing else in the process competes for it) and run each activity in the thread, or, with
  ``processes=True``, in a child process of its own, for CPU-bound work. Threads start as activities
  need them: one at first, and one more each time a thread takes a task while no other is polling, so
  a run that never has two activities at once starts one thread, not ``nb_workers`` idle pollers;
- the service's clock is virtual unless ``real_time=True``: when nothing can run before a timer or a
  timeout fires while somebody waits for a result (:meth:`LocalRun.wait`), the clock jumps there, so
  ``timer(3600)`` does not make a test wait an hour; between waits time only flows (see
  :class:`simpleflow.localswf.clock.VirtualClock`, ``gated``);
- the run is started in pieces (:meth:`LocalRun.start`, then :meth:`LocalRun.wait`; :meth:`LocalRun.execute`
  does both), so that :class:`simpleflow.testing.WorkflowEnvironment` drives several executions, signals
  and cancels between them, on this same machinery;
- fields over SWF's limits go to the configured payload store (``SIMPLEFLOW_PAYLOAD_STORE``), else to a
  filesystem store in the run's temporary directory, removed with it. The store's URL is exported as
  ``SIMPLEFLOW_PAYLOAD_STORE`` for the run's duration, so activity processes (``processes=True``) and
  anything they start use it too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from simpleflow.decisions import CLOSING_DECISION_TYPES
from simpleflow.exceptions import ConfigurationError, SimpleflowError, UnknownResource
from simpleflow.execution import read_close, result_or_raise, start_execution
from simpleflow.local.changes import Changes
from simpleflow.payload import PayloadStore
from simpleflow.process.decider import DeciderPoller, workflow_type_name
from simpleflow.process.isolation import ActivityContextData, Heartbeat, execute_task
from simpleflow.process.middleware import Middlewares
from simpleflow.process.shutdown import Shutdown
from simpleflow.process.worker import ActivityPoller
from simpleflow.routing import RoutingExecutor
from simpleflow.swf.actors import ActivityWorker, Decider

if TYPE_CHECKING:
    from simpleflow.localswf.limits import Limits
    from simpleflow.workflow import Workflow

logger = logging.getLogger(__name__)

DOMAIN = "local"
# Threads overlap activities that wait (I/O, sleeps, subprocesses); 64 keeps 200 x 50 ms naps under a
# second. They start only as activities overlap (see ThreadPoolGrowth), and idle ones cost one long poll
# per second each.
DEFAULT_NB_WORKERS = 64


def default_nb_workers(*, processes: bool) -> int:
    """64 worker threads, or one worker process per CPU with ``processes``."""
    return (os.cpu_count() or 1) if processes else DEFAULT_NB_WORKERS


# How long an empty poll waits in the in-memory service; it bounds how long stopping the threads takes,
# and costs nothing while tasks flow.
POLL_TIMEOUT_SECONDS = 1.0
# When nothing wakes the main thread, it still checks this often for closes no decision made
# (execution timeout, termination).
CLOSE_CHECK_INTERVAL = 0.5


def run_workflow(
    workflow_cls: type[Workflow],
    input_value: Any = None,
    *,
    nb_workers: int | None = None,
    processes: bool = False,
    real_time: bool = False,
    timeout: float | None = None,
    middlewares: Middlewares | None = None,
    workflow_id: str | None = None,
    execution_timeout: int | None = None,
    tags: Iterable[str] = (),
) -> Any:
    """Run one execution of ``workflow_cls`` with ``input_value`` (JSON-able) and return its result.

    Raises WorkflowFailed(reason, details) when the execution fails, times out, is canceled or
    terminated; PayloadNotJSON when the input is not JSON; and re-raises an error of the decider itself
    (for example a NondeterminismError) rather than leaving the run hanging. ``timeout`` (seconds of
    real time) bounds the whole run. ``middlewares`` run around each activity. ``workflow_id``,
    ``execution_timeout`` (seconds of the engine's time) and ``tags`` are the execution's, as for
    ``workflow.start`` (default: from the class).
    """
    if nb_workers is None:
        nb_workers = default_nb_workers(processes=processes)
    if nb_workers < 1:
        raise ConfigurationError(f"nb_workers must be at least 1, not {nb_workers}")
    with LocalRun(
        workflow_cls, nb_workers=nb_workers, processes=processes, real_time=real_time, middlewares=middlewares
    ) as run:
        return run.execute(
            input_value,
            timeout=timeout,
            workflow_id=workflow_id,
            execution_timeout=execution_timeout,
            tags=tags,
        )


class WaitTimedOut(SimpleflowError):
    """Raised when a wait for an execution's result ends (its ``timeout``, real seconds) before the close.

    The execution goes on: ``execution`` is its ``workflowId``/``runId``; ``timeout`` the seconds waited.
    """

    def __init__(self, execution: Mapping[str, str], timeout: float) -> None:
        super().__init__(f"the local run did not finish within {timeout} s")
        self.execution = dict(execution)
        self.timeout = timeout


class LocalRun:
    """The in-memory service, its client, the decider and the workers, for one or more executions.

    ``workflow_cls`` is what :meth:`execute` runs; :meth:`start` takes any class.
    """

    def __init__(
        self,
        workflow_cls: type[Workflow] | None = None,
        *,
        nb_workers: int = DEFAULT_NB_WORKERS,
        processes: bool = False,
        real_time: bool = False,
        limits: Limits | None = None,
        middlewares: Middlewares | None = None,
    ) -> None:
        """``limits`` are the embedded service's quotas (SWF's by default): lower ones let a test see how
        a workflow copes with SWF's refusals (open-task limits, creation rates) without AWS."""
        from simpleflow.localswf.clock import SystemClock, VirtualClock
        from simpleflow.localswf.embedded import embedded_client, embedded_direct_client
        from simpleflow.localswf.service import SWFService

        self.workflow_cls = workflow_cls
        self.nb_workers = nb_workers
        self.processes = processes
        self.middlewares = middlewares or Middlewares()
        suffix = uuid.uuid4().hex[:12]
        self.decision_task_list = f"local-{suffix}"
        self.activity_task_list = f"local-{suffix}-activities"
        self.shutdown = Shutdown()
        self.errors: list[BaseException] = []
        # Told when the decider closes an execution, and when a thread failed.
        self.changes = Changes()
        self.threads: list[threading.Thread] = []
        self.growth = ThreadPoolGrowth(nb_workers)
        self.root: dict[str, str] = {}
        self._decider: DeciderPoller | None = None
        self._resources = contextlib.ExitStack()
        # Gated: time jumps only while somebody waits for a result (see wait()).
        clock = SystemClock() if real_time else VirtualClock(gated=True)
        self.service = SWFService(":memory:", clock=clock, poll_timeout=POLL_TIMEOUT_SECONDS, limits=limits)
        self._resources.callback(self.service.close)
        # The direct client skips botocore's pipeline but also its retries: a service that throttles
        # (a quota profile is on) gets botocore's client, which retries ThrottlingException.
        connect = embedded_direct_client if self.service.throttle is None else embedded_client
        self.client = self._resources.enter_context(connect(self.service))
        self.payload_store = self._open_payload_store()

    def _open_payload_store(self) -> PayloadStore | None:
        from simpleflow.storage import run_store_url, store_from_settings

        directory = self._resources.enter_context(tempfile.TemporaryDirectory(prefix="simpleflow-local-"))
        url = run_store_url(directory)
        self._resources.enter_context(_exported(STORE_VARIABLE, url))
        return store_from_settings({STORE_VARIABLE: url})

    def __enter__(self) -> LocalRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the run ------------------------------------------------------------------------------------------

    def execute(
        self,
        input_value: Any,
        *,
        timeout: float | None = None,
        workflow_id: str | None = None,
        execution_timeout: int | None = None,
        tags: Iterable[str] = (),
    ) -> Any:
        """Start the execution, run it to its close, and return its result (see :func:`run_workflow`).

        ``root`` holds the execution (its last run, after a continue-as-new), also when it raised.
        """
        if self.workflow_cls is None:
            raise ConfigurationError("LocalRun.execute needs the workflow class given to LocalRun()")
        self.root = self.start(
            self.workflow_cls,
            input_value,
            workflow_id=workflow_id,
            execution_timeout=execution_timeout,
            tags=tags,
        )
        return self.wait(self.root, timeout=timeout, follow=self._follow_root)

    def _follow_root(self, execution: dict[str, str]) -> None:
        self.root = execution

    def start(
        self,
        workflow_cls: type[Workflow],
        input_value: Any = None,
        *,
        workflow_id: str | None = None,
        execution_timeout: int | None = None,
        tags: Iterable[str] = (),
    ) -> dict[str, str]:
        """Start an execution of ``workflow_cls`` (and the decider and workers); its ``workflowId``/``runId``.

        It runs while the caller does something else: :meth:`wait` for its close. Options not given come
        from the class, as for ``workflow.start``.
        """
        # The decider knows the class before it sees a task of its type.
        self._decider_poller().workflows[workflow_type_name(workflow_cls)] = workflow_cls
        execution = start_execution(
            self.client,
            workflow_cls,
            input_value,
            domain=DOMAIN,
            workflow_id=workflow_id,
            execution_timeout=execution_timeout,
            tags=tags,
            task_list=self.decision_task_list,
            register_domain=True,
            payload_store=self.payload_store,
        )
        self._start_pollers()  # once the domain exists
        return execution

    def _decider_poller(self) -> DeciderPoller:
        if self._decider is None:
            self._decider = DeciderPoller(
                _ClosingAwareDecider(self, self.client, DOMAIN, task_list=self.decision_task_list),
                workflows=[] if self.workflow_cls is None else [self.workflow_cls],
                activity_task_list=self.activity_task_list,
                payload_store=self.payload_store,
                shutdown=self.shutdown,
                executor_factory=partial(RoutingExecutor, decision_task_list=self.decision_task_list),
                on_replay_error=self._end_with,
            )
        return self._decider

    def _start_pollers(self) -> None:
        """Start the decider and the first workers, once."""
        if self.threads:
            return
        self._spawn("decider", self._decide)
        if self.processes:
            # A few processes (one per CPU): each holds its own poller, all from the start.
            for number in range(self.nb_workers):
                self._spawn(f"worker-{number}", self._work)
        else:
            self._spawn_worker_thread()

    def _spawn_worker_thread(self) -> None:
        self._spawn(f"worker-{self.growth.started - 1}", self._work)

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        def guarded() -> None:
            try:
                target()
            except _RunEnded:
                pass  # the error that ended the run is already reported
            except BaseException as error:
                if not self.shutdown.is_requested:
                    self._fail(error)

        thread = threading.Thread(target=guarded, name=f"simpleflow-local-{name}", daemon=True)
        thread.start()
        self.threads.append(thread)

    def _fail(self, error: BaseException) -> None:
        self.errors.append(error)
        self.changes.notify()

    def allow_skipping(self) -> contextlib.AbstractContextManager[None]:
        """While the block runs, a quiescent service may skip to its next deadline (virtual clock)."""
        from simpleflow.localswf.clock import VirtualClock

        clock = self.service.clock
        return clock.allow_skipping() if isinstance(clock, VirtualClock) else contextlib.nullcontext()

    def wait(
        self,
        execution: Mapping[str, str],
        *,
        timeout: float | None = None,
        follow: Callable[[dict[str, str]], None] | None = None,
    ) -> Any:
        """Wait for ``execution`` (following continue-as-new) to close; its result, or raise its failure.

        Virtual time skips meanwhile. Raises WorkflowFailed for a failed, timed out, canceled or
        terminated execution, WaitTimedOut after ``timeout`` real seconds, and the error of a decider or
        worker thread that failed. ``follow`` is told of each new run.
        """
        status, attributes = self.wait_for_close(execution, timeout=timeout, follow=follow)
        return result_or_raise(status, attributes, store=self.payload_store)

    def wait_for_close(
        self,
        execution: Mapping[str, str],
        *,
        timeout: float | None = None,
        follow: Callable[[dict[str, str]], None] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """The close status and attributes of ``execution``'s last run, once it closed (see :meth:`wait`)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        current = dict(execution)
        with self.allow_skipping():
            while True:
                seen = self.changes.generation
                if self.errors:
                    raise self.errors[0]
                close = read_close(self.client, DOMAIN, current)
                if close is not None:
                    status, attributes = close
                    if status != "CONTINUED_AS_NEW":
                        return status, attributes
                    current = {**current, "runId": attributes["newExecutionRunId"]}
                    if follow is not None:
                        follow(current)
                    continue
                if deadline is not None and time.monotonic() > deadline:
                    raise WaitTimedOut(current, timeout or 0.0)
                wait = (
                    CLOSE_CHECK_INTERVAL
                    if deadline is None
                    else min(CLOSE_CHECK_INTERVAL, deadline - time.monotonic())
                )
                self.changes.wait_after(seen, timeout=max(wait, 0.0))

    # -- decider and workers -----------------------------------------------------------------------------

    def _decide(self) -> None:
        poller = self._decider_poller()
        try:
            poller.run()
        finally:
            poller.runs.close()  # unwind the parked run threads

    def _end_with(self, error: Exception) -> None:
        """A decision task could not be decided: end the run with the error.

        In production a decider logs such an error and lets SWF redeliver the task once the code is
        fixed; in a local run nobody would fix it, so the caller gets the error instead of a hang.
        """
        self._fail(error)
        raise _RunEnded() from error

    def _work(self) -> None:
        worker = ActivityWorker(
            self.client, DOMAIN, task_list=self.activity_task_list, identity="local-worker"
        )
        if self.processes:
            ActivityPoller(worker, shutdown=self.shutdown, middlewares=self.middlewares).run()
            return
        while not self.shutdown.is_requested:
            task = worker.poll()
            if task is None:
                continue
            if self.growth.task_taken():
                self._spawn_worker_thread()
            try:
                run_in_thread(worker, task, payload_store=self.payload_store, middlewares=self.middlewares)
            finally:
                self.growth.task_done()

    def close(self) -> None:
        """Stop the threads and the service; safe to call more than once."""
        self.shutdown.request()
        # Closing the service releases the threads waiting in a long poll at once.
        self._resources.close()
        for thread in self.threads:
            thread.join(timeout=POLL_TIMEOUT_SECONDS * 2)


class ThreadPoolGrowth:
    """When a run's pool of worker threads grows: while no started thread is free to poll, up to ``limit``.

    The first thread is counted as started. A thread that takes a task leaves the pollers; if none is left
    and the pool is below ``limit``, :meth:`task_taken` says to start one more, so the next task that comes
    while this one runs finds a poller waiting, as it would in a pool started whole.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.started = 1
        self._polling = 1
        self._lock = threading.Lock()

    def task_taken(self) -> bool:
        """A thread took a task; True when the caller must start one more thread (counted started)."""
        with self._lock:
            self._polling -= 1
            if self._polling > 0 or self.started >= self.limit:
                return False
            self.started += 1
            self._polling += 1
            return True

    def task_done(self) -> None:
        """A thread finished its task and goes back to polling."""
        with self._lock:
            self._polling += 1


STORE_VARIABLE = "SIMPLEFLOW_PAYLOAD_STORE"


@contextlib.contextmanager
def _exported(name: str, value: str) -> Iterator[None]:
    """``os.environ[name] = value`` while the run lasts, then the previous value back."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


class _RunEnded(BaseException):
    """Ends the run's decider thread once its replay error is reported to the user.

    A BaseException, so that the decider loop's ``except Exception`` does not log the error (with its
    traceback) as one to retry: the run's caller raises it, as one line from the command.
    """


class _ClosingAwareDecider(Decider):
    """The run's decider: it wakes the run as soon as it has closed an execution."""

    def __init__(self, run: LocalRun, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, identity="local-decider", **kwargs)
        self.run = run

    def complete(self, task_token: str, **kwargs: Any) -> None:
        super().complete(task_token, **kwargs)
        if any(d["decisionType"] in CLOSING_DECISION_TYPES for d in kwargs.get("decisions", ())):
            self.run.changes.notify()


def run_in_thread(
    worker: Any,
    task: Mapping[str, Any],
    *,
    payload_store: PayloadStore | None = None,
    middlewares: Middlewares | None = None,
) -> None:
    """Run one activity task in this thread and report its outcome to SWF.

    The activity's own heartbeats go straight to SWF. A cancel request cannot stop a thread, so it is
    only seen by the activity, as ``heartbeat()`` returning True. Over-limit fields use
    ``payload_store`` (default: the store ``SIMPLEFLOW_PAYLOAD_STORE`` names).
    """
    token = task["taskToken"]
    cancel_requested = False

    def send(message: Heartbeat) -> None:
        nonlocal cancel_requested
        cancel_requested = worker.heartbeat(token, details=message.details) or cancel_requested

    data = ActivityContextData(worker.domain, worker.task_list, middlewares=middlewares or Middlewares())
    outcome = execute_task(task, data, send=send, payload_store=payload_store)
    try:
        if outcome.status == "completed":
            worker.complete(token, result=outcome.result)
        else:
            worker.fail(token, reason=outcome.reason, details=outcome.details)
    except UnknownResource as error:
        # The task timed out or its execution closed meanwhile: SWF no longer wants the answer.
        logger.warning("activity task no longer known, its answer is dropped: %s", error)
