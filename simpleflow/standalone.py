"""``standalone``: one execution with its own decider and worker processes, then nothing left behind.

The run gets a unique task list, for decisions and (routed by the decider) for every activity, so no
other decider or worker of the domain takes its tasks and it takes none of theirs. The decider and the
workers are the real ``simpleflow decider.start`` / ``worker.start`` commands, started as child process
trees and stopped at the end whatever happens. With ``local_swf`` the embedded SWF service runs in this
process, over HTTP on loopback, on a temporary database (or ``db``), so no AWS account is needed. Its
clock is virtual unless ``real_time``: when no decision or activity task is scheduled or started, it
skips to the next timer or timeout, so an hour's timer takes no time (a running activity, and a worker
on its way to a scheduled one, hold the clock: see ``SWFService``'s ``remote_pollers``).

Fields over SWF's limits go to the configured payload store (``SIMPLEFLOW_PAYLOAD_STORE``); with
``local_swf`` and none configured, to a filesystem store in the run's temporary directory, whose URL is
given to the decider and worker processes in ``SIMPLEFLOW_PAYLOAD_STORE``. Out-of-band references in
the close event (result, failure reason and details) are resolved before that directory goes away.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simpleflow.children import ChildProcesses, simpleflow_command
from simpleflow.execution import resolve_close_fields, start_execution
from simpleflow.payload import PayloadStore
from simpleflow.process.exit_signals import StoppedBySignal
from simpleflow.process.lifeline import TiedChildProcesses
from simpleflow.process.middleware import Middlewares
from simpleflow.progress import RunProgress
from simpleflow.swf.registration import ensure_domain

DEFAULT_DOMAIN_LOCAL_SWF = "standalone"
#: Seconds the decider and workers of a --local-swf run get to stop after SIGTERM before SIGKILL.
LOCAL_SWF_STOP_GRACE = 2.0
# Exit status of the command for each close status; 0 only for a completed execution.
EXIT_CODES = {"COMPLETED": 0, "FAILED": 1, "TIMED_OUT": 3, "CANCELED": 4, "TERMINATED": 5}


@dataclass(frozen=True)
class Closed:
    """How the execution closed: its status, and the attributes of its close event."""

    workflow_id: str
    run_id: str
    status: str
    attributes: Mapping[str, Any]
    #: Why children of the run did not complete, read from their own histories ("" when none failed).
    causes: str = ""

    @property
    def exit_code(self) -> int:
        """The command's exit status for this close (see :data:`EXIT_CODES`)."""
        return EXIT_CODES.get(self.status, 1)


@dataclass(frozen=True)
class StandaloneOptions:
    """What ``standalone`` runs and how; see ``simpleflow standalone --help``."""

    workflow: str
    domain: str
    nb_deciders: int = 1
    nb_workers: int = 1
    heartbeat: float = 60.0
    local_swf: bool = False
    db: str | None = None
    tags: Sequence[str] = ()
    workflow_id: str | None = None
    execution_timeout: int | None = None
    decision_tasks_timeout: int | None = None
    repair: tuple[str, str | None] | None = None
    #: With ``local_swf``: keep the wall clock instead of skipping idle time (``--real-time``).
    real_time: bool = False
    #: The SWF endpoint (``--endpoint-url``); None: AWS_ENDPOINT_URL_SWF, else Amazon SWF.
    endpoint_url: str | None = None
    #: Run around each activity by the worker processes (``--middleware-*-execution``).
    middlewares: Middlewares = field(default_factory=Middlewares)
    #: Where the workers run each activity: ``process`` (the default) or ``thread`` (``--isolation``).
    isolation: str = "process"


def run_standalone(
    options: StandaloneOptions,
    input_value: Any = None,
    *,
    on_progress: Callable[[RunProgress], None] = lambda progress: None,
) -> Closed:
    """Run one execution of ``options.workflow`` to its close and return how it closed."""
    from simpleflow.cli.arguments import load_workflow
    from simpleflow.storage import run_store_url, store_from_settings

    workflow_cls = load_workflow(options.workflow)
    with contextlib.ExitStack() as stack:
        env = dict(os.environ)
        endpoint_url = options.endpoint_url
        client: Any = None
        if options.local_swf:
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="simpleflow-standalone-"))
            endpoint_url, client = stack.enter_context(
                _embedded_service(
                    options.db or os.path.join(directory, "swf.db"), time_skipping=not options.real_time
                )
            )
            env["SIMPLEFLOW_PAYLOAD_STORE"] = run_store_url(directory, env)
        store = store_from_settings(env)
        if client is None:
            client = _client(endpoint_url)
        # Credentials, endpoint and domain are checked before any process is started for nothing.
        ensure_domain(client, options.domain, register_if_missing=options.local_swf)
        task_list = f"standalone-{uuid.uuid4().hex}"
        execution_input = input_value
        reuse: list[str] = []
        if options.repair is not None:
            from simpleflow import payload
            from simpleflow.repair import find_failed_run

            failed = find_failed_run(client, options.domain, *options.repair)
            if execution_input is None:
                execution_input = payload.decode(failed.input, field="input", store=store)
            reuse = ["--reuse-results-of", f"{failed.workflow_id} {failed.run_id}"]
        # The progress lines are the run's output; the children's logs only when asked for.
        env.setdefault("LOG_LEVEL", "WARNING")
        if endpoint_url:
            env["AWS_ENDPOINT_URL_SWF"] = endpoint_url
        # Tied to this process: even a kill -9 of standalone leaves no decider or worker behind. The
        # embedded service stops with the run, so its workers get a short grace to finish the task in hand.
        grace = LOCAL_SWF_STOP_GRACE if options.local_swf else None
        children = stack.enter_context(TiedChildProcesses(grace=grace))
        # Children log to our stderr; our stdout is kept for the result.
        stdout = _stderr_fileno()
        decider = ["decider.start", options.workflow, "--domain", options.domain, "--task-list", task_list]
        decider += ["--activity-task-list", task_list, "--route-children"]
        decider += ["--nb-processes", str(options.nb_deciders)]
        # An integration run ends with a nondeterministic replay's error instead of waiting on timeouts.
        decider += ["--on-nondeterminism", "fail"]
        if options.local_swf:
            decider.append("--register-domain")
        children.start("decider.start", simpleflow_command(*decider), env=env, stdout=stdout)
        worker = ["worker.start", "--domain", options.domain, "--task-list", task_list]
        worker += ["--nb-processes", str(options.nb_workers), "--heartbeat", str(options.heartbeat), *reuse]
        worker += options.middlewares.options()
        if options.isolation != "process":
            worker += ["--isolation", options.isolation]
        children.start("worker.start", simpleflow_command(*worker), env=env, stdout=stdout)
        execution = start_execution(
            client,
            workflow_cls,
            execution_input,
            domain=options.domain,
            workflow_id=options.workflow_id,
            task_list=task_list,
            execution_timeout=options.execution_timeout,
            decision_tasks_timeout=options.decision_tasks_timeout,
            tags=options.tags,
            register_domain=options.local_swf,
            payload_store=store,
        )
        try:
            closed = wait_for_close(
                client, options.domain, execution, children=children, on_progress=on_progress
            )
        except StoppedBySignal as stop:
            # Nothing will ever decide it again (its task list was this run's): close it, saying why.
            reason = f"standalone stopped by {stop.signal_name}"
            if _terminate(client, options.domain, execution, reason=reason):
                stop.closed.append("the execution was terminated")
            raise
        return _resolved(closed, store)
    raise AssertionError("unreachable")  # pragma: no cover - the with block returns or raises


def wait_for_close(
    client: Any,
    domain: str,
    execution: Mapping[str, str],
    *,
    children: ChildProcesses | None = None,
    on_progress: Callable[[RunProgress], None] = lambda progress: None,
    interval: float = 0.5,
    timeout: float | None = None,
) -> Closed:
    """Follow ``execution`` (its continue-as-new runs and its children) until it closes, reporting
    progress (see :mod:`simpleflow.progress`: each look reads only the new events; looks come every
    ``interval`` seconds while the run moves, less often while it does not).

    Raises ChildExited when a child process that should keep running exited (the run could not end),
    and TimeoutError after ``timeout`` seconds.
    """
    from simpleflow.progress import ExecutionFollower, follow

    follower = ExecutionFollower(client, domain, execution)
    status, attributes = follow(
        follower,
        on_progress=on_progress,
        check=children.check if children is not None else lambda: None,
        timeout=timeout,
        interval=interval,
    )
    return Closed(follower.workflow_id, follower.run_id, status, attributes, causes=follower.failure_causes())


def _terminate(client: Any, domain: str, execution: Mapping[str, str], *, reason: str) -> bool:
    """Terminate ``execution`` with ``reason``; False when it was closed already or the engine is away."""
    from simpleflow.exceptions import SWFError
    from simpleflow.swf.client import swf_errors

    try:
        with swf_errors("TerminateWorkflowExecution"):
            client.terminate_workflow_execution(
                domain=domain,
                workflowId=execution["workflowId"],
                runId=execution["runId"],
                reason=reason,
                childPolicy="TERMINATE",
            )
    except SWFError:
        return False  # closed meanwhile, or the engine is away: its timeouts close it
    return True


def _resolved(closed: Closed, store: PayloadStore | None) -> Closed:
    attributes = resolve_close_fields(closed.attributes, store=store)
    return Closed(closed.workflow_id, closed.run_id, closed.status, attributes, causes=closed.causes)


def _stderr_fileno() -> int | None:
    """Our stderr's file descriptor, or None (inherit) when it has none, as under click's CliRunner."""
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _client(endpoint_url: str | None) -> Any:
    from simpleflow.swf.client import make_client

    return make_client(endpoint_url=endpoint_url)


@contextlib.contextmanager
def _embedded_service(db: str, *, time_skipping: bool) -> Iterator[tuple[str, Any]]:
    """Serve the embedded SWF service (state in ``db``, on a virtual clock with ``time_skipping``) from
    this process.

    Yields its endpoint URL, for the decider and worker processes, and a client of this process's own,
    attached to the service in process: following the run (a history page every half second) through
    HTTP and botocore's parser cost the service process more than serving the workers did.
    """
    from simpleflow.localswf.clock import VirtualClock
    from simpleflow.localswf.embedded import embedded_direct_client
    from simpleflow.localswf.http import LocalSWFServer
    from simpleflow.localswf.service import SWFService

    # The decider and the workers are other processes: the service cannot see one between two polls.
    service = SWFService(db, clock=VirtualClock() if time_skipping else None, remote_pollers=True)
    try:
        with LocalSWFServer(service, "127.0.0.1", 0) as server, embedded_direct_client(service) as client:
            yield server.endpoint_url, client
    finally:
        service.close()
