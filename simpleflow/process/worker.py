"""The activity worker: poll activity tasks, run each isolated in a child process, report the outcome.

Each task runs in a child process of its own unless the worker is given ``isolation=Isolation.THREAD``
(``worker.start --isolation thread``): then in a thread of the worker, cheaper per task but unable to
kill a canceled activity or to survive its crash (see :mod:`simpleflow.process.activity_thread`).

Entry points (what ``simpleflow worker.start`` calls):

- :func:`start_worker(config, processes=N, grace_period=S) <start_worker>`: a :class:`Supervisor`
  keeping N poller processes alive; blocks until SIGTERM/SIGINT, returns an exit code;
- :func:`run_worker_process(config) <run_worker_process>`: one poller in this process, with signal
  handlers (the supervisor's target);
- :class:`ActivityPoller`: the loop itself, for callers that bring their own client and
  :class:`Shutdown` (e.g. a thread in the ``--local`` runner).

While the child runs, the parent heartbeats every ``heartbeat_interval`` seconds (and forwards the
activity's own heartbeats, at most one per ``min_heartbeat_gap``). A cancel request seen on a
heartbeat kills the child's whole process tree (in thread isolation, abandons the thread and makes the
activity's next heartbeat return True) and answers ``RespondActivityTaskCanceled``. A child
that dies without an outcome fails the task at once, the reason saying how it died.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from typing import Any

from simpleflow.exceptions import ConfigurationError, SWFError, UnknownResource
from simpleflow.observability.task_metrics import heartbeat_failed, observe_activity_task, observe_poll
from simpleflow.payload import HEARTBEAT_FAILURE_KEY
from simpleflow.process.activity_thread import ActivityThread, Isolation
from simpleflow.process.isolation import ActivityContextData, ActivityProcess, Died, Heartbeat, Outcome
from simpleflow.process.middleware import Middlewares
from simpleflow.process.polling import Poller
from simpleflow.process.reporting import Delivery, Reporter
from simpleflow.process.shutdown import Shutdown, ShutdownForced
from simpleflow.process.supervisor import Supervisor
from simpleflow.swf.actors import ActivityWorker
from simpleflow.swf.backoff import call_through_outage
from simpleflow.swf.client import make_client
from simpleflow.swf.registration import ensure_domain

logger = logging.getLogger(__name__)

DEFAULT_HEARTBEAT_INTERVAL = 60.0
DEFAULT_MIN_HEARTBEAT_GAP = 1.0
#: The interval that stands for upstream's ``--heartbeat 0`` (no heartbeats): a day, which SWF's
#: heartbeat timeouts of real activities are shorter than, and which selectors still accept as a timeout.
NO_HEARTBEAT = 86400.0


class TaskResult(str, Enum):
    """What the worker answered SWF for one task."""

    COMPLETED = "completed"
    FAILED = "failed"
    CRASHED = "crashed"
    CANCELED = "canceled"
    LOST = "lost"  # SWF no longer knows the task (it timed out or its execution closed)
    REFUSED = "refused"  # SWF refused the answer itself (a validation error): left to its timeouts


@dataclass(frozen=True)
class WorkerConfig:
    """Everything a worker process needs; picklable, so the supervisor can hand it to new processes."""

    domain: str
    task_list: str
    heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL
    min_heartbeat_gap: float = DEFAULT_MIN_HEARTBEAT_GAP
    one_task: bool = False
    endpoint_url: str | None = None
    region: str | None = None
    identity: str | None = None
    register_domain: bool = False
    #: ``(workflow_id, run_id)`` of a failed execution being repaired: its completed results are reused
    #: (see :mod:`simpleflow.repair`).
    reuse_results_of: tuple[str, str] | None = None
    #: Functions called before and after each activity (``--middleware-*-execution``).
    middlewares: Middlewares = field(default_factory=Middlewares)
    #: Where each activity runs: a child process (the default) or a thread of the worker.
    isolation: Isolation = Isolation.PROCESS


class ActivityPoller(Poller):
    """Polls one task list and runs each task isolated; stops when ``shutdown`` is requested.

    ``isolation``: each task in a child process (``Isolation.PROCESS``, the default) or in a thread
    (``Isolation.THREAD``, see :mod:`simpleflow.process.activity_thread` for what it gives up).
    """

    logger = logging.getLogger(__name__)  # poll errors are logged as the worker's

    def __init__(
        self,
        worker: ActivityWorker,
        *,
        heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL,
        min_heartbeat_gap: float = DEFAULT_MIN_HEARTBEAT_GAP,
        shutdown: Shutdown | None = None,
        middlewares: Middlewares | None = None,
        isolation: Isolation = Isolation.PROCESS,
    ) -> None:
        if heartbeat_interval <= 0:
            raise ConfigurationError(f"heartbeat interval must be positive, not {heartbeat_interval}")
        self.worker = worker
        self.heartbeat_interval = heartbeat_interval
        self.min_heartbeat_gap = min(min_heartbeat_gap, heartbeat_interval)
        self.shutdown = shutdown or Shutdown()
        self.middlewares = middlewares or Middlewares()
        self.isolation = Isolation(isolation)
        self.reporter = Reporter()
        self._activity_in_hand = "?"  # named in the reports' logs

    def poll_task(self) -> Mapping[str, Any] | None:
        """One long poll of the worker's task list."""
        return observe_poll("activity", self.worker.poll)

    def process_task(self, task: Mapping[str, Any]) -> TaskResult:
        """Run one task isolated and answer SWF; never raises for the task's own failures."""
        token = task["taskToken"]
        name = task.get("activityType", {}).get("name")
        logger.debug("activity %s (%s) handed to a %s", task.get("activityId"), name, self.isolation.value)
        self._activity_in_hand = f"{task.get('activityId')} ({name})"
        child: ActivityProcess | ActivityThread
        if self.isolation is Isolation.THREAD:
            # The thread shares the worker's environment: no copy of it to hand over.
            data = ActivityContextData(
                self.worker.domain, self.worker.task_list, middlewares=self.middlewares
            )
            child = ActivityThread(task, data)
        else:
            data = ActivityContextData(
                self.worker.domain,
                self.worker.task_list,
                environ=dict(os.environ),
                middlewares=self.middlewares,
            )
            child = ActivityProcess(task, data)
        child.start()
        try:
            return observe_activity_task(task, lambda: self._watch(child, token))
        except BaseException:
            # ShutdownForced (second signal) or a bug here: never leave the activity running behind us.
            child.kill()
            raise
        finally:
            child.close()

    def _watch(self, child: ActivityProcess | ActivityThread, token: str) -> TaskResult:
        details: str | None = None
        last_beat = time.monotonic()
        next_beat = last_beat + self.heartbeat_interval
        while True:
            if time.monotonic() >= next_beat:
                try:
                    cancel_requested = self.worker.heartbeat(token, details=details)
                except UnknownResource as error:
                    logger.warning("task no longer known to SWF, killing the activity: %s", error)
                    child.kill()
                    return TaskResult.LOST
                except SWFError as error:
                    logger.warning("heartbeat failed (will retry): %s", error)
                    heartbeat_failed()
                    cancel_requested = False
                last_beat = time.monotonic()
                next_beat = last_beat + self.heartbeat_interval
                if cancel_requested:
                    child.kill()
                    return self._respond(
                        TaskResult.CANCELED, partial(self.worker.cancel, token, details=details)
                    )
            event = child.next_event(timeout=max(0.0, next_beat - time.monotonic()))
            if event is None:
                continue
            if isinstance(event, Heartbeat):
                details = event.details
                # Forward the activity's heartbeat now, unless the last one went out too recently.
                next_beat = max(last_beat + self.min_heartbeat_gap, time.monotonic())
                continue
            if isinstance(event, Outcome):
                if event.status == "completed":
                    return self._respond(
                        TaskResult.COMPLETED, partial(self.worker.complete, token, result=event.result)
                    )
                return self._respond(
                    TaskResult.FAILED,
                    partial(self.worker.fail, token, reason=event.reason, details=event.details),
                )
            return self._respond_died(token, event, heartbeat_details=details)

    def _respond_died(self, token: str, died: Died, *, heartbeat_details: str | None = None) -> TaskResult:
        logger.error("%s", died.reason)
        body: dict[str, Any] = {
            "error": "ActivityProcessDied",
            "message": died.reason,
            "exit_code": died.exitcode,
        }
        if heartbeat_details is not None:
            # The child's last heartbeat, for the next attempt to resume from (an OOM kill half way through
            # is when resuming matters most); see simpleflow.runtime.scheduling.retrying.
            body[HEARTBEAT_FAILURE_KEY] = heartbeat_details
        details = json.dumps(body)
        return self._respond(
            TaskResult.CRASHED, partial(self.worker.fail, token, reason=died.reason, details=details)
        )

    def _respond(self, result: TaskResult, respond: Callable[[], None]) -> TaskResult:
        # The answer is kept and retried through an outage: the work it reports is not thrown away.
        label = f"the {result.value} answer of activity {self._activity_in_hand}"
        delivery = self.reporter.deliver(respond, label=label)
        if delivery is Delivery.TOKEN_DEAD:
            return TaskResult.LOST
        if delivery is Delivery.REFUSED:
            return TaskResult.REFUSED
        logger.debug("activity task %s", result.value)
        return result


def run_worker_process(config: WorkerConfig) -> int:
    """One worker poller in this process, stopping gracefully on SIGTERM/SIGINT; returns tasks done."""
    shutdown = Shutdown()
    shutdown.install_signal_handlers()
    client = make_client(endpoint_url=config.endpoint_url, region=config.region)
    # A poller (re)started while the endpoint is away waits for it instead of crash-looping.
    call_through_outage(
        partial(ensure_domain, client, config.domain, register_if_missing=config.register_domain),
        what="checking the domain",
        logger=logger,
        wait=shutdown.wait,
    )
    worker = ActivityWorker(client, config.domain, task_list=config.task_list, identity=config.identity)
    poller_class: Callable[..., ActivityPoller] = ActivityPoller
    if config.reuse_results_of is not None:
        from simpleflow.repair import reusing_poller

        poller_class = reusing_poller(client, config.domain, *config.reuse_results_of)
    poller = poller_class(
        worker,
        heartbeat_interval=config.heartbeat_interval,
        min_heartbeat_gap=config.min_heartbeat_gap,
        shutdown=shutdown,
        middlewares=config.middlewares,
        isolation=config.isolation,
    )
    try:
        return poller.run(one_task=config.one_task)
    except ShutdownForced:
        logger.warning("stopped at once; the task in hand was killed and is left to SWF's timeouts")
        raise SystemExit(1) from None


def start_worker(config: WorkerConfig, *, processes: int = 1, grace_period: float = 60.0) -> int:
    """Run ``processes`` worker pollers under a supervisor until stopped; returns the exit code.

    The domain is checked here first, so a missing domain is one clear error (with the command that
    registers it) instead of pollers dying and being restarted in a loop.
    """
    # A middleware that cannot be imported is one clear error now, not a failure of every task.
    config.middlewares.load()
    client = make_client(endpoint_url=config.endpoint_url, region=config.region)
    ensure_domain(client, config.domain, register_if_missing=config.register_domain)
    supervisor = Supervisor(
        run_worker_process,
        config,
        processes=processes,
        grace_period=grace_period,
        name=f"worker[{config.task_list}]",
    )
    return supervisor.run()
