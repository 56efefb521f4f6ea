"""Run one activity task isolated in a child process, and watch it from the parent.

The child is forked from a ``forkserver`` (a clean, single-threaded process that has already imported
simpleflow), so it starts in milliseconds without inheriting the worker's threads, sockets or locks.
In the child:

- it leads its own process group, so a cancel can kill the activity with everything it started, and
  a Ctrl-C meant for the worker does not reach it (graceful shutdown lets it finish);
- on Linux it asks to be killed if its parent dies, so a ``kill -9`` of a worker leaves no orphan;
- it binds the activity context (:func:`simpleflow.activity.get_context`) and routes
  :func:`simpleflow.activity.heartbeat` to the parent through a pipe (it returns False: the parent
  kills the child as soon as a heartbeat reveals a cancel request);
- it decodes the input, runs the activity and sends back the encoded result or failure. Encoding
  happens here, so a result that is not JSON fails the task with a clear reason.

The forkserver also imports the activity modules its earlier children found clean to import (no thread
started, no file opened), so that later children inherit them instead of importing them: see
:mod:`simpleflow.process.preload`. Once children spent about a forkserver's start-up importing modules
it lacks, the worker replaces it, between two tasks (never under a running child, whose exit status and
parent-death signal come through its forkserver).

The parent side is :class:`ActivityProcess`: ``next_event(timeout)`` returns a :class:`Heartbeat`,
the :class:`Outcome`, or :class:`Died` when the child ended without one (OOM kill, segfault,
``os._exit``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from simpleflow.observability.process_logging import configure_logging
from simpleflow.process.lifeline import die_with_parent
from simpleflow.process.middleware import Middlewares
from simpleflow.process.preload import ModuleImported, PreloadPlan, import_watched
from simpleflow.process.tree import describe_exit, kill_tree

logger = logging.getLogger(__name__)

REASON_LIMIT = 256


@dataclass(frozen=True)
class ActivityContextData:
    """What the child needs to know about the task it runs, besides the task itself.

    ``environ`` is the worker's environment when the task started: the forkserver's own is a snapshot
    from its start, and an activity must see the same settings as its worker (the payload store, ...).
    """

    domain: str
    task_list: str
    environ: Mapping[str, str] = field(default_factory=dict)
    #: The worker's ``--middleware-*-execution`` functions, run around the activity.
    middlewares: Middlewares = field(default_factory=Middlewares)


@dataclass(frozen=True)
class Heartbeat:
    """The activity called ``heartbeat(details)``; ``details`` is already encoded."""

    details: str | None


@dataclass(frozen=True)
class Outcome:
    """The activity ended: ``completed`` with ``result``, or ``failed`` with ``reason``/``details``."""

    status: str
    result: str | None = None
    reason: str | None = None
    details: str | None = None


@dataclass(frozen=True)
class Died:
    """The child process ended without sending an outcome; ``reason`` says how."""

    exitcode: int | None
    reason: str


ChildEvent = Heartbeat | Outcome | Died


def _fallback_failure(error: BaseException) -> Outcome:
    """A failure report that needs nothing from the exception but its type's name."""
    kind = type(error)
    name = f"{kind.__module__}.{kind.__qualname__}"
    try:
        message = str(error)
    except BaseException:  # an exception whose __str__ raises must still be reported
        message = "<the exception's message could not be rendered>"
    reason = f"{kind.__name__}: {message}"[:REASON_LIMIT]
    details = json.dumps({"error": name, "message": message[:4096], "traceback": ""})
    return Outcome("failed", reason=reason, details=details)


def failure_outcome(
    error: BaseException, *, store: Any = None, heartbeat_details: str | None = None
) -> Outcome:
    """The failure report of ``error``, with a fallback when the exception cannot be serialized.

    Details over SWF's limit go to ``store`` whole; when the store itself fails (it may be why the
    task failed), they are trimmed to fit instead.
    """
    from simpleflow import payload

    for attempt_store in (store, None) if store is not None else (None,):
        try:
            reason, details = payload.encode_failure(
                error, store=attempt_store, heartbeat_details=heartbeat_details
            )
        except BaseException as encoding_error:
            logger.debug("encode_failure failed: %r", encoding_error)
            continue
        return Outcome("failed", reason=reason, details=details)
    return _fallback_failure(error)


_stores: dict[str | None, Any] = {}


def process_store() -> Any:
    """The payload store ``SIMPLEFLOW_PAYLOAD_STORE`` names (or None), opened once per process and URL.

    Opened lazily in the process that runs the activity, because its settings come with the task
    (:class:`ActivityContextData`); the cache inside it then serves input, heartbeats and result.
    """
    from simpleflow import settings
    from simpleflow.storage import store_from_settings

    url = settings.read_payload_store(os.environ)
    if url not in _stores:
        _stores[url] = store_from_settings(os.environ)
    return _stores[url]


def execute_task(
    task: Mapping[str, Any],
    data: ActivityContextData,
    *,
    send: Any,
    payload_store: Any = None,
    report_import: bool = False,
) -> Outcome:
    """Run ``task`` in this process with the activity context bound; failures become an Outcome.

    Every field goes through the payload codec with ``payload_store``, by default the process's store
    (:func:`process_store`): the input is decoded (a
    reference fetched and verified), the result, the failure details and the heartbeat details are
    encoded (over SWF's limits they travel out of band). The attempt number comes from the input's
    reserved :data:`simpleflow.payload.ATTEMPT_KEY`, which the decider writes on retries.
    With ``report_import``, a clean import of the activity's module is sent as
    :class:`~simpleflow.process.preload.ModuleImported` (for the forkserver to preload).
    ``send`` returning True for a heartbeat means the worker let go of the task (a cancel request, in
    thread isolation): the activity's :func:`~simpleflow.activity.heartbeat` then returns True.
    """
    from simpleflow import activity, payload
    from simpleflow.process.dispatch import resolve_activity
    from simpleflow.process.interception import ActivityCall, run_activity

    store: Any = None
    # The last heartbeat details sent: a failure carries them to the next attempt (SWF's failed event
    # keeps none; see simpleflow.runtime.scheduling.retrying).
    last_sent: list[str] = []

    def heartbeat(details: Any = None) -> bool:
        # SWF keeps only the latest heartbeat's details (ActivityTaskTimedOut hands them to the retry):
        # a ping without details sends the last ones again, so it does not erase the progress they hold.
        if details is not None:
            last_sent[:] = [
                payload.encode_field("heartbeat_details", details, store=store, field="heartbeat details")
            ]
        # In a child process, the parent kills it as soon as it sees a cancel request, so while it runs
        # none came (its send returns None); in a thread, send says whether the worker let go of the task.
        return send(Heartbeat(last_sent[-1] if last_sent else None)) is True

    execution = task.get("workflowExecution", {})
    try:
        store = payload_store if payload_store is not None else process_store()
        found, imported = import_watched(task["activityType"]["name"], resolve_activity)
        if imported is not None and report_import:
            send(imported)
        value = payload.decode(task.get("input"), field="input", store=store)
        args, kwargs = payload.parse_input(value)
        context = activity.ActivityContext(
            workflow_id=execution.get("workflowId", ""),
            run_id=execution.get("runId", ""),
            activity_id=task.get("activityId", ""),
            domain=data.domain,
            task_list=data.task_list,
            attempt=payload.input_attempt(value),
            activity_name=found.name,
            activity_version=task["activityType"].get("version"),
            input=task.get("input"),
            last_heartbeat_details=payload.input_heartbeat_details(value),
        )
        with activity.bind_context(context, heartbeat):
            value = run_activity(ActivityCall(found, args, kwargs, context), data.middlewares.interceptors())
        result = payload.encode_field(
            "result", value, store=store, serializer=found.serializer, field=f"result of {found.name}"
        )
    except Exception as error:
        return failure_outcome(error, store=store, heartbeat_details=last_sent[-1] if last_sent else None)
    return Outcome("completed", result=result)


def _release_forkserver() -> None:
    """Let go of the pipe that keeps this child's forkserver (its parent) alive.

    The forkserver exits when no one holds that pipe's write end any more, and it hands a copy to every
    child it forks. A child keeping it would keep the forkserver running after a ``kill -9`` of the
    worker, so the kernel's parent-death signal would never reach the activity: it would run on as an
    orphan. Released, the forkserver exits with the worker and the activity is killed with it.
    """
    from multiprocessing import forkserver

    server: Any = getattr(forkserver, "_forkserver", None)
    if server is None:
        return
    alive_fd = server._forkserver_alive_fd
    if alive_fd is not None:
        with contextlib.suppress(OSError):
            os.close(alive_fd)
    # Should the activity use a forkserver itself, it gets a fresh one of its own.
    server._forkserver_alive_fd = None
    server._forkserver_pid = None
    server._forkserver_address = None


def child_main(task: Mapping[str, Any], data: ActivityContextData, connection: Connection) -> None:
    """The child process's entry point (module-level so the forkserver can import it)."""
    os.setpgid(0, 0)
    _release_forkserver()
    die_with_parent()
    # The forkserver started with the worker's environment, and set its logging up from it: while the
    # worker's is the same, so is the child's (redoing both costs each task about a millisecond).
    if data.environ and data.environ != os.environ:
        os.environ.clear()
        os.environ.update(data.environ)
        configure_logging()  # the worker's level and format, from its environment
    # The worker's handlers are not inherited through the forkserver, but be explicit: a graceful
    # shutdown must let the activity finish, and a kill comes as SIGKILL anyway.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    lock = threading.Lock()

    def send(message: Any) -> None:
        # Activities may heartbeat from their own threads; a Connection is not thread-safe.
        with lock:
            connection.send(message)

    try:
        outcome = execute_task(task, data, send=send, report_import=True)
    except BaseException as error:  # SystemExit, KeyboardInterrupt from the activity: still a failure
        outcome = _fallback_failure(error)
        logger.debug("activity ended with %s", traceback.format_exc())
    try:
        _send_outcome(send, outcome)
    except (BrokenPipeError, ConnectionResetError):
        # The worker died (kill -9) before the outcome could reach it: nobody is left to report to, and
        # the task's own timeout tells SWF. A traceback here would only say that the worker is gone.
        logger.debug("the worker is gone; the outcome of %s is dropped", task.get("activityId"))
    connection.close()


def _send_outcome(send: Any, outcome: Any) -> None:
    """Send ``outcome``, or a failure saying why it could not be sent (a pipe error propagates)."""
    try:
        send(outcome)
    except (BrokenPipeError, ConnectionResetError):
        raise
    except Exception as error:  # e.g. an outcome too big for the pipe (it is not: SWF caps it)
        send(_fallback_failure(error))


# Where the worker's main script travels to the forkserver (see adopt_worker_main).
MAIN_PATH_ENV = "SIMPLEFLOW_FORKSERVER_MAIN_PATH"
_forkserver_lock = threading.Lock()
_forkserver_started = False
#: Children of the running forkserver not yet ended and reaped: it is only replaced when there are none.
_live_children = 0
#: The activity modules children reported; the next forkserver imports them.
preload_plan = PreloadPlan()


def adopt_worker_main() -> None:
    """In the forkserver: import the worker's main script once, as ``__mp_main__``.

    Each child re-runs the parent's main script unless the forkserver already holds it. CPython 3.11's
    forkserver drops the script's path when asked to preload ``__main__``, so every task would execute
    the script again (for ``simpleflow worker.start``, importing the whole CLI per task). The parent
    passes the path in the environment instead, and :mod:`simpleflow.process.forkserver_main`, preloaded
    last (once simpleflow is fully imported, as the script may import it), calls this.
    """
    path = os.environ.pop(MAIN_PATH_ENV, None)
    main = sys.modules.get("__main__")
    if not path or getattr(main, "__file__", None) == path:
        return
    from multiprocessing import spawn

    try:
        spawn.import_main_path(path)
    except Exception:
        logger.warning(
            "the forkserver could not import %s; children will run it each time", path, exc_info=True
        )


def _context() -> Any:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Imported once in the forkserver, so each child starts with simpleflow ready.
    context.set_forkserver_preload(
        [
            "simpleflow.process.isolation",
            "simpleflow.activity",
            "simpleflow.process.dispatch",
            "simpleflow.payload",
            "simpleflow.storage",
            "simpleflow.process.forkserver_main",
        ]
    )
    return context


def _stop_forkserver() -> None:
    """Stop the running forkserver (it has no child left), so that the next start makes a new one."""
    global _forkserver_started
    from multiprocessing import forkserver

    server: Any = getattr(forkserver, "_forkserver", None)
    if server is not None:
        server._stop()
    _forkserver_started = False


def _start_process(process: Any) -> None:
    """Start ``process``; a new forkserver is started first when there is none or it misses modules.

    A new forkserver is told where our main script is, and which activity modules to import.
    """
    global _forkserver_started, _live_children
    with _forkserver_lock:
        uses_forkserver = process._start_method == "forkserver"
        if uses_forkserver and _forkserver_started and _live_children == 0 and preload_plan.is_stale:
            logger.debug("replacing the activity forkserver, to preload new activity modules")
            _stop_forkserver()
        if _forkserver_started or not uses_forkserver:
            process.start()
            _live_children += 1
            return
        from multiprocessing import spawn

        added = preload_plan.environment()
        main_path = spawn.get_preparation_data(process.name).get("init_main_from_path")
        if main_path:
            added[MAIN_PATH_ENV] = main_path
        os.environ.update(added)
        try:
            process.start()
        finally:
            for name in added:
                os.environ.pop(name, None)
        _forkserver_started = True
        _live_children += 1


def _child_ended() -> None:
    global _live_children
    with _forkserver_lock:
        _live_children -= 1


class ActivityProcess:
    """A child process running one activity task, seen from the worker."""

    def __init__(self, task: Mapping[str, Any], data: ActivityContextData) -> None:
        context = _context()
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(
            target=child_main,
            args=(dict(task), data, sender),
            name=f"activity-{task.get('activityId', '?')}",
            daemon=False,
        )
        self._sender = sender
        self._finished = False
        self._counted = False  # among _live_children

    @property
    def pid(self) -> int | None:
        """The child's pid once started."""
        return self._process.pid

    def start(self) -> None:
        """Start the child."""
        _start_process(self._process)
        self._counted = True
        # Only the child writes: closing our copy lets a read see EOF once the child is gone.
        self._sender.close()

    def next_event(self, timeout: float | None) -> ChildEvent | None:
        """The next heartbeat or the end of the task; None when ``timeout`` passed with neither."""
        if self._finished:
            raise RuntimeError("the activity process already ended")
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = wait([self._receiver, self._process.sentinel], timeout=remaining)
            if not ready:
                return None
            if not self._receiver.poll():
                break
            try:
                message = self._receiver.recv()
            except (EOFError, OSError):
                break
            if isinstance(message, ModuleImported):
                preload_plan.add(message)
                continue
            if isinstance(message, Outcome):
                self._end()
                return message
            if isinstance(message, Heartbeat):
                return message
            break
        # The pipe is at EOF or the process ended: wait for its exit status.
        self._end()
        return Died(self._process.exitcode, f"activity process {describe_exit(self._process.exitcode)}")

    def _end(self) -> None:
        """Reap the child; from then on its forkserver may be replaced."""
        self._process.join()
        self._finished = True
        if self._counted:
            self._counted = False
            _child_ended()

    def kill(self) -> None:
        """Kill the child and every process it started, then reap it."""
        pid = self._process.pid
        if pid is not None and self._process.exitcode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            kill_tree(pid)
        self._end()
        self._receiver.close()

    def close(self) -> None:
        """Release the pipe and the process object (after the outcome or a kill)."""
        self._receiver.close()
        with contextlib.suppress(ValueError):
            self._process.close()
