"""The decider: poll decision tasks, decide each from the run's live state, answer with decisions.

Entry points (what ``simpleflow decider.start`` calls):

- :func:`start_decider(config, processes=N, grace_period=S) <start_decider>`: a :class:`Supervisor`
  keeping N decider processes alive; blocks until SIGTERM/SIGINT, returns an exit code;
- :func:`run_decider_process(config) <run_decider_process>`: one decider poller in this process;
- :class:`DeciderPoller`: the loop itself, for callers that bring their own client and
  :class:`Shutdown` (the ``--local`` runner).

Each run's workflow instance lives in a live run (:mod:`simpleflow.runtime.live_run`) that the
poller keeps in its :class:`~simpleflow.runtime.cache.RunCache` between decision tasks: a task that
follows the one the run last decided costs what is new; any other starts a fresh instance against the
whole history. Nothing leaks from one run to another (simpleflow issue #101).

A replay that raises (a ``NondeterminismError``, a bug in the workflow's code, an import error) does
not kill the decider and does not fail the execution. The error is logged and the task is left
unanswered: SWF times it out after the execution's task start-to-close timeout and schedules a new
decision task. SWF has no "decision task failed" call, and ``FailWorkflowExecution`` would destroy an
execution for a fault that is usually in the deployed code: once the code is fixed and the decider
restarted, the next decision task replays cleanly and the execution carries on where it was.

``on_nondeterminism="fail"`` (``decider.start --on-nondeterminism fail``) changes that for a
:class:`~simpleflow.exceptions.NondeterminismError` alone: the decider answers with
``FailWorkflowExecution``, the error's message as the reason, so the execution closes at once with one
clear cause in its history. That is what an integration run wants (``standalone`` uses it): it ends
with the error instead of waiting on timeouts. The decider itself keeps running, as it serves other
executions, and the cause is recorded where every tool that inspects the execution can read it.

The decisions of a task are kept and their ``RespondDecisionTaskCompleted`` retried through an outage
of the endpoint (:mod:`simpleflow.process.reporting`) until SWF acknowledges them or no longer knows
the task.
"""

from __future__ import annotations

import importlib
import logging
import queue
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any

from simpleflow import decisions as decision_builders
from simpleflow.exceptions import ConfigurationError, NondeterminismError, WorkflowImportError
from simpleflow.observability.interceptors import DecisionCall, run_decision
from simpleflow.observability.task_metrics import observe_poll
from simpleflow.process.history_size import HistorySizeWarning
from simpleflow.process.polling import POLL_ERROR_BACKOFF, Poller
from simpleflow.process.reporting import Delivery, Reporter
from simpleflow.process.shutdown import Shutdown, ShutdownForced
from simpleflow.process.supervisor import Supervisor
from simpleflow.run_context import bound_domain
from simpleflow.runtime.bounds import DEFAULT_MAX_BYTES, DEFAULT_MAX_RUNS
from simpleflow.runtime.cache import RunCache
from simpleflow.storage import store_from_settings
from simpleflow.swf.actors import Decider
from simpleflow.swf.backoff import Backoff, OutageLog, call_through_outage
from simpleflow.swf.client import make_client
from simpleflow.swf.registration import TypeRegistry, ensure_domain

logger = logging.getLogger(__name__)


class DecisionResult(str, Enum):
    """What the decider did with one decision task."""

    COMPLETED = "completed"
    REPLAY_FAILED = "replay_failed"  # left unanswered: SWF times it out and redelivers
    NONDETERMINISM_FAILED = "nondeterminism_failed"  # on_nondeterminism="fail": the execution was failed
    LOST = "lost"  # SWF no longer knows the task
    REFUSED = "refused"  # SWF refused the decisions themselves: left to time out


#: What a decider does with a replay that raises NondeterminismError (see the module docs).
ON_NONDETERMINISM = ("retry", "fail")


@dataclass(frozen=True)
class DeciderConfig:
    """Everything a decider process needs; picklable. ``workflows`` are dotted paths to classes."""

    domain: str
    task_list: str
    workflows: tuple[str, ...] = ()
    activity_task_list: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    identity: str | None = None
    register_domain: bool = False
    #: Start child workflows and continue-as-new runs on ``task_list`` too (a run's private task list).
    route_children: bool = False
    #: Live runs kept between decision tasks: at most this many, and this many bytes (estimated).
    cache_runs: int = DEFAULT_MAX_RUNS
    cache_bytes: int = DEFAULT_MAX_BYTES
    #: Seconds a run's decision task waits on this process's own task list before SWF sends it back to
    #: ``task_list`` (``taskListScheduleToStartTimeout``); None: no list of its own, no affinity.
    affinity_timeout: int | None = 10
    #: ``retry``: leave the task to time out and be redelivered; ``fail``: fail the execution.
    on_nondeterminism: str = "retry"


#: The decisions that close the run they answer for: no decision task of it follows.
CLOSING_DECISIONS = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)


def closes_the_run(decisions: Sequence[Mapping[str, Any]]) -> bool:
    """Whether ``decisions`` close their run (SWF accepts a close decision only as the last one)."""
    return bool(decisions) and decisions[-1].get("decisionType") in CLOSING_DECISIONS


def import_workflow(path: str) -> type:
    """The class at dotted ``path`` (``module.Class``)."""
    module_name, _, attribute = path.rpartition(".")
    if not module_name:
        raise WorkflowImportError(path, "expected module.Class")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise WorkflowImportError(path, f"cannot import {module_name}: {error}") from error
    try:
        return getattr(module, attribute)  # type: ignore[no-any-return,unused-ignore]
    except AttributeError:
        raise WorkflowImportError(path, f"{module_name} has no attribute {attribute}") from None


_NOT_IN_NAMES = re.compile(r"[:/|\x00-\x1f\x7f-\x9f]")


def own_task_list(shared: str, identity: str) -> str:
    """A decision task list for this process alone (SWF names: no ``:``, ``/``, ``|``, <= 256)."""
    readable = _NOT_IN_NAMES.sub("-", identity)
    return f"{shared}.{uuid.uuid4().hex[:12]}.{readable}"[:256]


def workflow_type_name(workflow_cls: type) -> str:
    """The SWF workflow type name a workflow class answers to (its ``name``, else module.qualname)."""
    name = getattr(workflow_cls, "name", None)
    if isinstance(name, str) and name:
        return name
    return f"{workflow_cls.__module__}.{workflow_cls.__qualname__}"


class DeciderPoller(Poller):
    """Polls one decision task list and answers each task from a fresh replay."""

    logger = logging.getLogger(__name__)  # poll errors are logged as the decider's

    def __init__(
        self,
        decider: Decider,
        *,
        workflows: Sequence[type] = (),
        activity_task_list: str | None = None,
        payload_store: Any = None,
        registry: TypeRegistry | None = None,
        shutdown: Shutdown | None = None,
        executor_factory: Callable[..., Any] | None = None,
        runs: RunCache | None = None,
        affinity_timeout: int | None = None,
        on_nondeterminism: str = "retry",
        on_replay_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """``executor_factory`` defaults to :class:`simpleflow.executor.Executor` (same signature; its
        ``replay`` is given the run's folded history as ``history=`` and the live runs as ``runs=``).
        ``runs`` defaults to a :class:`RunCache` of the default bounds. With ``affinity_timeout``, the
        poller also polls a task list of its own and answers every task with it as the override, so a
        run's next decision tasks come back here, where its live run is (to the shared list after that
        many seconds unstarted, when this process is gone). ``on_nondeterminism`` is ``retry`` or
        ``fail`` (see the module docs). ``on_replay_error(error)`` is told of a task that could not be
        decided (its replay, a decision interceptor or the workflow's lookup raised) before the task is
        left to time out; it may raise to stop the poller, as a one-shot local run does."""
        if on_nondeterminism not in ON_NONDETERMINISM:
            raise ConfigurationError(
                f"on_nondeterminism must be one of {', '.join(ON_NONDETERMINISM)}, not {on_nondeterminism!r}"
            )
        self.on_nondeterminism = on_nondeterminism
        self.on_replay_error = on_replay_error
        self.reporter = Reporter()
        self.decider = decider
        self.executor_factory = executor_factory
        self.workflows = {workflow_type_name(cls): cls for cls in workflows}
        self.activity_task_list = activity_task_list
        self.payload_store = payload_store
        self.registry = registry or TypeRegistry(decider.client, decider.domain)
        self.shutdown = shutdown or Shutdown()
        self.runs = runs if runs is not None else RunCache()
        self.history_size = HistorySizeWarning()
        self.affinity_timeout = affinity_timeout
        self.own_task_list = (
            None if affinity_timeout is None else own_task_list(decider.task_list, decider.identity)
        )
        # Both lists are long-polled in threads of their own; tasks are decided one at a time here.
        self._handoff: queue.Queue[Mapping[str, Any]] = queue.Queue(maxsize=1)
        self._list_pollers: list[threading.Thread] = []

    def find_workflow(self, name: str) -> type:
        """The workflow class for SWF type ``name``: the given ones first, then the registry."""
        if name in self.workflows:
            return self.workflows[name]
        from simpleflow.workflow import find_workflow

        return find_workflow(name)  # type: ignore[no-any-return,unused-ignore]

    def _executor_factory(self) -> Callable[..., Any]:
        if self.executor_factory is not None:
            return self.executor_factory
        from simpleflow.executor import Executor

        return Executor  # type: ignore[no-any-return,unused-ignore]

    def poll_task(self) -> Mapping[str, Any] | None:
        """One long poll of the decision task list (every page of the history merged); with affinity,
        the next task either list brought, waiting up to a second."""
        if self.own_task_list is None:
            return observe_poll("decision", self.decider.poll)
        if not self._list_pollers:
            for task_list in (self.decider.task_list, self.own_task_list):
                thread = threading.Thread(
                    target=self._poll_list, args=(task_list,), name=f"poll-{task_list}", daemon=True
                )
                thread.start()
                self._list_pollers.append(thread)
        try:
            return self._handoff.get(timeout=1.0)
        except queue.Empty:
            return None

    def _poll_list(self, task_list: str) -> None:
        backoff = Backoff(*POLL_ERROR_BACKOFF)
        outage = OutageLog(self.logger, f"poll of {task_list}")
        while not self.shutdown.is_requested:
            try:
                task = observe_poll("decision", lambda: self.decider.poll(task_list=task_list))
            except Exception as error:  # the main loop's poll logs and backs off the same way
                outage.failed(error)
                self.shutdown.wait(backoff.next_delay())
                continue
            outage.recovered()
            backoff.reset()
            if task is not None:
                self._handoff.put(task)  # blocks while the main loop decides: one task held per list

    def process_task(self, task: Mapping[str, Any]) -> DecisionResult:
        """Replay ``task`` on a fresh workflow instance and complete it with the decisions."""
        execution = task.get("workflowExecution", {})
        label = f"{execution.get('workflowId')} ({execution.get('runId')})"
        self.history_size.check(task)
        try:
            workflow_cls = self.find_workflow(task["workflowType"]["name"])
            executor = self._executor_factory()(
                workflow_cls, activity_task_list=self.activity_task_list, payload_store=self.payload_store
            )
            with bound_domain(self.decider.domain):  # the run context's domain_name
                call = DecisionCall(task, task["workflowType"]["name"], run_cache=self.runs)
                replay = run_decision(
                    call,
                    lambda: executor.replay(task, history=self.runs.history_of(task), runs=self.runs),
                )
            backoff = float(getattr(replay, "backoff_seconds", 0) or 0)
        except Exception as error:
            if isinstance(error, NondeterminismError) and self.on_nondeterminism == "fail":
                return self._fail_nondeterministic(task, label, error)
            if self.on_replay_error is not None:
                self.on_replay_error(error)
            logger.exception(
                "replay of %s failed; the decision task is left to time out and be redelivered", label
            )
            return DecisionResult.REPLAY_FAILED
        if backoff > 0:
            logger.info("SWF refused a timer of %s for its rates: answering in %.0f s", label, backoff)
            self.shutdown.wait(backoff)
        override: dict[str, Any] = {}
        if self.own_task_list is not None:
            override = {"task_list": self.own_task_list, "task_list_timeout": self.affinity_timeout}

        def respond() -> None:
            # Registering the types is part of the answer: it is retried with it through an outage.
            self.registry.ensure_decision_types(replay.decisions)
            self.decider.complete(
                task["taskToken"],
                decisions=replay.decisions,
                execution_context=replay.execution_context,
                **override,
            )

        result = self._deliver(respond, label)
        if result is DecisionResult.COMPLETED:
            logger.debug("decided %s: %d decision(s)", label, len(replay.decisions))
            history_cache = getattr(self.decider, "history_cache", None)  # test doubles may have none
            if history_cache is not None and closes_the_run(replay.decisions):
                # Kept, its events would hold memory until evicted; should SWF refuse the close, the next
                # decision task reads the whole history, as after any miss.
                history_cache.forget((execution.get("workflowId"), execution.get("runId")))
        return result

    def _deliver(self, respond: Callable[[], None], label: str) -> DecisionResult:
        delivery = self.reporter.deliver(respond, label=f"the decisions of {label}")
        if delivery is Delivery.TOKEN_DEAD:
            return DecisionResult.LOST
        if delivery is Delivery.REFUSED:
            return DecisionResult.REFUSED
        return DecisionResult.COMPLETED

    def _fail_nondeterministic(
        self, task: Mapping[str, Any], label: str, error: NondeterminismError
    ) -> DecisionResult:
        """Fail the execution with the error's message as the reason (``on_nondeterminism="fail"``)."""
        from simpleflow import payload

        logger.error("replay of %s is nondeterministic; failing the execution: %s", label, error)
        # The reason is SWF's 256 characters at most; the details hold the whole message.
        reason, details = payload.encode_failure(error, store=self.payload_store)
        decision = decision_builders.fail_workflow_execution(reason=reason, details=details)
        # No task-list override: the execution closes, so no next task needs to come back here.
        result = self._deliver(lambda: self.decider.complete(task["taskToken"], decisions=[decision]), label)
        return DecisionResult.NONDETERMINISM_FAILED if result is DecisionResult.COMPLETED else result


def run_decider_process(config: DeciderConfig) -> int:
    """One decider poller in this process, stopping gracefully on SIGTERM/SIGINT; returns tasks done."""
    shutdown = Shutdown()
    shutdown.install_signal_handlers()
    workflows = [import_workflow(path) for path in config.workflows]
    client = make_client(endpoint_url=config.endpoint_url, region=config.region)
    # A poller (re)started while the endpoint is away waits for it instead of crash-looping.
    call_through_outage(
        partial(ensure_domain, client, config.domain, register_if_missing=config.register_domain),
        what="checking the domain",
        logger=logger,
        wait=shutdown.wait,
    )
    decider = Decider(client, config.domain, task_list=config.task_list, identity=config.identity)
    executor_factory = None
    if config.route_children:
        from simpleflow.routing import RoutingExecutor

        executor_factory = partial(RoutingExecutor, decision_task_list=config.task_list)
    poller = DeciderPoller(
        decider,
        workflows=workflows,
        activity_task_list=config.activity_task_list,
        payload_store=store_from_settings(),
        shutdown=shutdown,
        executor_factory=executor_factory,
        runs=RunCache(max_runs=config.cache_runs, max_bytes=config.cache_bytes),
        affinity_timeout=config.affinity_timeout,
        on_nondeterminism=config.on_nondeterminism,
    )
    try:
        return poller.run()
    except ShutdownForced:
        logger.warning("stopped at once; the decision task in hand is left to SWF's timeout")
        raise SystemExit(1) from None
    finally:
        poller.runs.close()


def start_decider(config: DeciderConfig, *, processes: int = 1, grace_period: float = 60.0) -> int:
    """Run ``processes`` decider pollers under a supervisor until stopped; returns the exit code.

    The workflows are imported and the domain checked here first, so a typo or a missing domain is
    one clear error instead of pollers dying and being restarted in a loop.
    """
    for path in config.workflows:
        import_workflow(path)
    client = make_client(endpoint_url=config.endpoint_url, region=config.region)
    ensure_domain(client, config.domain, register_if_missing=config.register_domain)
    return Supervisor(
        run_decider_process,
        config,
        processes=processes,
        grace_period=grace_period,
        name=f"decider[{config.task_list}]",
    ).run()
