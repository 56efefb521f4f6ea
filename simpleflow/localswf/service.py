"""``SWFService``: the embedded SWF engine behind both transports.

``handle(operation, params)`` takes and returns SWF JSON 1.0 shapes. Every call runs under one lock, in
one SQLite transaction; long polls wait on a condition each (releasing the lock, so they never block
other callers), and a call that schedules a task starts it for the longest-waiting poll of its task list
in its own transaction and wakes that poll with it (see ``waiting_polls``). A scheduler thread fires deadlines
on time; with a ``VirtualClock`` it also skips idle time (see ``VirtualClock`` for the rule, and
``SWFService`` for what changes when the deciders and workers are other processes).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from simpleflow.localswf import decisions, executions, registry, tasks
from simpleflow.localswf.answers import decode_answer, encode_answer
from simpleflow.localswf.clock import Clock, SystemClock, VirtualClock
from simpleflow.localswf.closing import terminate_run
from simpleflow.localswf.context import ACTIVITY, DECISION, Context, RegistryCache, check_run_columns
from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.lambdas import LambdaFunction, finish_lambda, invoke
from simpleflow.localswf.limits import Limits, check_poller_limit
from simpleflow.localswf.quotas import QuotaProfile, quota_profile
from simpleflow.localswf.rates import CreationRates
from simpleflow.localswf.region import DEFAULT_REGION
from simpleflow.localswf.store import Store
from simpleflow.localswf.throttling import APIThrottle
from simpleflow.localswf.timeouts import fire_due, next_due, next_work_due
from simpleflow.localswf.validation import validate_request
from simpleflow.localswf.waiting_polls import TaskListKey, WaitingPolls

logger = logging.getLogger(__name__)

Handler = Callable[[Context, dict[str, Any]], Any]

HANDLERS: dict[str, Handler] = {
    "RegisterDomain": registry.register_domain,
    "DescribeDomain": registry.describe_domain,
    "DeprecateDomain": registry.deprecate_domain,
    "UndeprecateDomain": registry.undeprecate_domain,
    "ListDomains": registry.list_domains,
    "TagResource": registry.tag_resource,
    "UntagResource": registry.untag_resource,
    "ListTagsForResource": registry.list_tags_for_resource,
    "StartWorkflowExecution": executions.start_workflow_execution,
    "DescribeWorkflowExecution": executions.describe_workflow_execution,
    "GetWorkflowExecutionHistory": executions.get_workflow_execution_history,
    "ListOpenWorkflowExecutions": functools.partial(executions.list_executions, closed=False),
    "ListClosedWorkflowExecutions": functools.partial(executions.list_executions, closed=True),
    "CountOpenWorkflowExecutions": functools.partial(executions.count_executions, closed=False),
    "CountClosedWorkflowExecutions": functools.partial(executions.count_executions, closed=True),
    "SignalWorkflowExecution": executions.signal_workflow_execution,
    "RequestCancelWorkflowExecution": executions.request_cancel_workflow_execution,
    "TerminateWorkflowExecution": executions.terminate_workflow_execution,
    "RespondDecisionTaskCompleted": decisions.respond_decision_task_completed,
    "RespondActivityTaskCompleted": tasks.respond_activity_task_completed,
    "RespondActivityTaskFailed": tasks.respond_activity_task_failed,
    "RespondActivityTaskCanceled": tasks.respond_activity_task_canceled,
    "RecordActivityTaskHeartbeat": tasks.record_activity_task_heartbeat,
    "CountPendingActivityTasks": tasks.count_pending_activity_tasks,
    "CountPendingDecisionTasks": tasks.count_pending_decision_tasks,
}
for _kind, _noun in (("workflow", "WorkflowType"), ("activity", "ActivityType")):
    HANDLERS[f"Register{_noun}"] = functools.partial(registry.register_type, kind=_kind)
    HANDLERS[f"Describe{_noun}"] = functools.partial(registry.describe_type, kind=_kind)
    HANDLERS[f"Deprecate{_noun}"] = functools.partial(
        registry.set_type_status, kind=_kind, status="DEPRECATED"
    )
    HANDLERS[f"Undeprecate{_noun}"] = functools.partial(
        registry.set_type_status, kind=_kind, status="REGISTERED"
    )
    HANDLERS[f"Delete{_noun}"] = functools.partial(registry.delete_type, kind=_kind)
    HANDLERS[f"List{_noun}s"] = functools.partial(registry.list_types, kind=_kind)

POLLS = {"PollForDecisionTask": DECISION, "PollForActivityTask": ACTIVITY}
OPERATIONS = frozenset(HANDLERS) | frozenset(POLLS)
SCHEDULER_ERROR_BACKOFF = 0.1
# Reading calls never delay a virtual-time skip: only a change can give a decider or worker work.
READ_ONLY_PREFIXES = ("Describe", "List", "Count", "Get")
DELIVERABLE_ACTIVITY = (
    "SELECT 1 FROM activities WHERE domain = ? AND task_list = ? AND state = 'scheduled' LIMIT 1"
)
SCHEDULED_ACTIVITY = "SELECT 1 FROM activities WHERE state = 'scheduled' LIMIT 1"
# Each run's last event is its latest (a history only grows), found by primary key: one lookup per run,
# not a scan of every event.
LATEST_EVENT_TIME = (
    "SELECT MAX(events.ts) FROM runs JOIN events"
    " ON events.run_seq = runs.seq AND events.event_id = runs.next_event_id - 1"
)
#: How far ahead of the wall clock a database's history may run before a service on the wall clock warns.
CLOCK_AHEAD_WARNING_SECONDS = 60.0


class SWFService:
    """An Amazon SWF implementation on one machine, thread-safe, with SQLite storage.

    ``db``: a file path (durable across restarts) or ``:memory:``. ``clock``: ``SystemClock`` (default) or
    ``VirtualClock``. ``poll_timeout``: how long an empty long poll holds, in seconds (SWF: 60).
    ``lambdas``: name -> callable(event) for ``ScheduleLambdaFunction``. ``limits``: SWF's quotas.
    ``quotas``: SWF's throttling buckets (``"aws"``, a ``QuotaProfile``, or ``"none"``), in place of
    ``limits.quotas`` (off by default).

    ``remote_pollers``: the deciders and workers are other processes (they poll over HTTP). A virtual
    clock then never skips while any activity task is scheduled, polled for or not: the service cannot
    see a worker that is starting up, forking, or between two polls, and skipping past it would time its
    task out (schedule-to-start) or run the execution's clock out before it could take it. In process
    (the default), a scheduled task that no poll waits for after the quiet period has nobody to run it.

    A virtual clock given with a database that already holds events is first moved to the latest of them,
    so that time never goes back when a service that skipped time is restarted on the same file.
    """

    def __init__(
        self,
        db: str = ":memory:",
        *,
        clock: Clock | None = None,
        poll_timeout: float = 60.0,
        lambdas: Mapping[str, LambdaFunction] | None = None,
        limits: Limits | None = None,
        quotas: str | QuotaProfile | None = None,
        remote_pollers: bool = False,
    ) -> None:
        limits = limits or Limits()
        # A name given in either place is resolved here, so a bad one fails before anything starts.
        profile = quota_profile(limits.quotas if quotas is None else quotas)
        self.limits = dataclasses.replace(limits, quotas=profile)
        #: The API buckets, when a quota profile is on (``throttle.refused`` counts the refusals).
        self.throttle = None if profile is None else APIThrottle(profile)
        self.store = Store(db)
        check_run_columns(self.store)
        self.clock: Clock = clock or SystemClock()
        self._resume_clock(db)
        self.remote_pollers = remote_pollers
        self.poll_timeout = poll_timeout
        self.lambdas = dict(lambdas or {})
        self._registry = RegistryCache()
        self._rates = CreationRates(
            self.limits.creation_rates, account=None if profile is None else profile.decisions
        )
        self._lock = threading.Lock()
        self._waiting = WaitingPolls(self._lock)
        self._pollers: dict[tuple[str, str, str], int] = {}
        self._scheduler_wakeup = threading.Condition(self._lock)
        self._last_call = time.monotonic()
        self._scheduler_target: float | None = None
        self._running_lambdas = 0
        self._closed = False
        if isinstance(self.clock, VirtualClock):
            self.clock.add_listener(self._wake_scheduler)  # the gate opened, or time moved by hand
        self._scheduler = threading.Thread(target=self._run_scheduler, name="localswf-scheduler", daemon=True)
        self._scheduler.start()

    def _resume_clock(self, db: str) -> None:
        """Never let time go back on a database that a service on a virtual clock skipped ahead."""
        latest: float | None = self.store.scalar(LATEST_EVENT_TIME)
        if latest is None:
            return
        if isinstance(self.clock, VirtualClock):
            self.clock.advance_to(latest)
            return
        ahead = latest - self.clock.now()
        if ahead > CLOCK_AHEAD_WARNING_SECONDS:
            logger.warning(
                "localswf: %s holds events %.0f s ahead of the wall clock (it was served with time "
                "skipping): its timers and timeouts come that much later in real time",
                db,
                ahead,
            )

    # -- API --------------------------------------------------------------------------------------

    def handle(
        self,
        operation: str,
        params: dict[str, Any],
        *,
        region: str = DEFAULT_REGION,
        withdrawn: threading.Event | None = None,
    ) -> dict[str, Any]:
        """Run one SWF operation; raises ``SWFFault`` for anything SWF would refuse.

        ``region``: the AWS region the request is addressed to (the ARNs of the answer name it).
        ``withdrawn``: set (then :meth:`withdraw_polls`) when a long poll's client has gone away.
        """
        return decode_answer(self._call(operation, params, region=region, withdrawn=withdrawn))

    def handle_json(
        self,
        operation: str,
        params: dict[str, Any],
        *,
        region: str = DEFAULT_REGION,
        withdrawn: threading.Event | None = None,
    ) -> bytes:
        """Run one SWF operation and return its JSON body, as the transports send it.

        History events go from storage to the body without being decoded (see ``answers``).
        """
        return encode_answer(self._call(operation, params, region=region, withdrawn=withdrawn))

    def withdraw_polls(self) -> None:
        """Wake the waiting polls, so that those whose ``withdrawn`` event is set leave without a task.

        The HTTP transport calls it when it sees a waiting poll's connection closed: a task scheduled
        next then goes to a live poller, not to a dead one that would hold it until its timeout.
        """
        with self._lock:
            self._waiting.wake_withdrawn()

    def _call(
        self,
        operation: str,
        params: dict[str, Any],
        *,
        region: str,
        withdrawn: threading.Event | None = None,
    ) -> dict[str, Any]:
        if operation not in OPERATIONS:
            raise SWFFault("UnknownOperationException", f"Unknown operation: {operation}")
        throttle = self.throttle
        if throttle is not None:
            throttle.admit(operation, now=self.clock.now())
        validate_request(operation, params)
        if operation in POLLS:
            return self._poll(POLLS[operation], params, withdrawn=withdrawn)
        with self._lock:
            self._check_open()
            if throttle is not None:
                throttle.admit_execution(operation, params, self.store, now=self.clock.now())
            is_change = not operation.startswith(READ_ONLY_PREFIXES)
            result: dict[str, Any] = self._transact(
                HANDLERS[operation], params, is_call=is_change, region=region
            )
            return result

    def close(self) -> None:
        """Stop the scheduler, release waiting polls, close the database."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._waiting.release_all()
            self._scheduler_wakeup.notify_all()
        if isinstance(self.clock, VirtualClock):
            self.clock.remove_listener(self._wake_scheduler)
        self._scheduler.join(timeout=5)
        with self._lock:
            self.store.close()

    # -- transactions ------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise SWFFault("ServiceUnavailable", "The service is shut down", status=503)

    def _transact(
        self, handler: Handler, params: dict[str, Any], *, is_call: bool = True, region: str = DEFAULT_REGION
    ) -> Any:
        """Run a handler in one transaction (lock held), then do its post-commit work.

        ``is_call``: the call may lead a decider or worker to act, so it restarts the quiet period a
        virtual clock waits for before skipping time. ``region``: the request's (see ``handle``).
        """
        ctx = Context(
            self.store,
            now=self.clock.now(),
            limits=self.limits,
            lambda_names=frozenset(self.lambdas),
            registry=self._registry,
            rates=self._rates,
            region=region,
        )
        try:
            with self.store.transaction():
                result = handler(ctx, params)
                self._enforce_event_limit(ctx)
                ctx.flush()
                hand_offs = self._plan_hand_offs(ctx)
        finally:
            if ctx.registry_changed:
                # Rows cached during the call may come from a state that was rolled back.
                self._registry.clear()
        for key, planned in hand_offs:
            self._waiting.deliver(key, planned)
        new_due = ctx.earliest_new_deadline
        if new_due is not None and (self._scheduler_target is None or new_due < self._scheduler_target):
            # Only a deadline earlier than the one the scheduler sleeps towards needs to wake it.
            self._scheduler_wakeup.notify()
        for job in ctx.lambda_jobs:
            self._start_lambda(*job)
        if is_call:
            self._last_call = time.monotonic()
        return result

    def _plan_hand_offs(self, ctx: Context) -> list[tuple[TaskListKey, list[Any]]]:
        """Start the tasks this call scheduled for the polls waiting on their task lists (flushed first,
        so that each take reads the call's own writes); delivered once the transaction commits."""
        hand_offs = []
        for key, count in ctx.woken.items():
            if not self._waiting.count(key):
                continue
            take = tasks.take_decision_task if key[0] == DECISION else tasks.take_activity_task

            def take_for(params: dict[str, Any], take: Handler = take) -> Any:
                task = take(ctx, params)
                ctx.flush()  # the next take must see this task as started
                return task

            planned = self._waiting.plan_hand_offs(key, count, take_for)
            if planned:
                hand_offs.append((key, planned))
        if hand_offs:
            self._enforce_event_limit(ctx)
            ctx.flush()
        return hand_offs

    def _enforce_event_limit(self, ctx: Context) -> None:
        """SWF terminates an execution whose history reaches the event limit."""
        for run in list(ctx.runs.values()):
            if run.is_open and run.next_event_id > self.limits.max_events - 1:
                terminate_run(ctx, run, cause="EVENT_LIMIT_EXCEEDED")

    # -- long polls --------------------------------------------------------------------------------

    def _poll(
        self, kind: str, params: dict[str, Any], *, withdrawn: threading.Event | None = None
    ) -> dict[str, Any]:
        if kind == DECISION and params.get("nextPageToken"):
            with self._lock:
                self._check_open()
                page: dict[str, Any] = self._transact(tasks.next_decision_page, params)
                return page
        take = tasks.take_decision_task if kind == DECISION else tasks.take_activity_task
        domain, task_list = params["domain"], params["taskList"]["name"]
        key = (kind, domain, task_list)
        deadline = time.monotonic() + self.poll_timeout
        with self._lock:
            self._check_open()
            check_poller_limit(self._pollers.get(key, 0), kind=kind, limits=self.limits)
            self._pollers[key] = self._pollers.get(key, 0) + 1
            try:
                while True:
                    if self._closed:  # woken by close(): the store may already be closed
                        return empty_task(kind)
                    if withdrawn is not None and withdrawn.is_set():
                        # The client left: take nothing (no hand-off picks a withdrawn poll either).
                        return empty_task(kind)
                    # Read under the lock, the row is still the one to take inside the transaction: an
                    # empty poll costs this one read, a successful one reads its task once.
                    queued = tasks.next_task_row(self.store, kind, domain=domain, task_list=task_list)
                    if queued is not None or not self._is_registered(domain):
                        # Unknown domains go to the take too, which raises their fault.
                        task = self._transact(functools.partial(take, queued=queued), params)
                        if task is not None:
                            return task
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or self._closed:
                        return empty_task(kind)
                    waiting = self._waiting.enter(key, params, withdrawn=withdrawn)
                    try:
                        waiting.condition.wait(remaining)
                    finally:
                        self._waiting.leave(key, waiting)
                    if waiting.task is not None:
                        return waiting.task
            finally:
                self._pollers[key] -= 1

    def waiting_polls(self, kind: str, domain: str, task_list: str) -> int:
        """How many long polls wait on a task list (``kind``: ``"decision"`` or ``"activity"``)."""
        with self._lock:
            return self._waiting.count((kind, domain, task_list))

    def _is_registered(self, domain: str) -> bool:
        """Whether ``domain`` exists and is not deprecated (an empty poll changes nothing, so it does not
        restart the quiet period of a virtual clock either)."""
        row = self._registry.find_domain(self.store, domain)
        return row is not None and row["status"] == "REGISTERED"

    # -- lambdas -----------------------------------------------------------------------------------

    def _start_lambda(self, run_seq: int, scheduled_id: int, name: str, input_data: str | None) -> None:
        self._running_lambdas += 1
        thread = threading.Thread(
            target=self._run_lambda,
            args=(run_seq, scheduled_id, name, input_data),
            name=f"localswf-lambda-{name}",
        )
        thread.daemon = True
        thread.start()

    def _run_lambda(self, run_seq: int, scheduled_id: int, name: str, input_data: str | None) -> None:
        event_type, attrs = invoke(self.lambdas[name], input_data)
        with self._lock:
            self._running_lambdas -= 1
            if self._closed:
                return

            def finish(ctx: Context, params: dict[str, Any]) -> None:
                finish_lambda(ctx, run_seq, scheduled_id, event_type=event_type, attrs=attrs)

            self._transact(finish, {})

    # -- scheduler ---------------------------------------------------------------------------------

    def _run_scheduler(self) -> None:
        with self._lock:
            while not self._closed:
                try:
                    self._scheduler_step()
                except SWFFault:
                    # A write the disk refused, which the store logged in one line: retry, no traceback.
                    self._scheduler_wakeup.wait(SCHEDULER_ERROR_BACKOFF)
                except Exception:
                    logger.exception("localswf scheduler step failed")
                    self._scheduler_wakeup.wait(SCHEDULER_ERROR_BACKOFF)

    def _scheduler_step(self) -> None:
        """Fire what is due, skip virtual time when idle, or sleep until the next deadline."""
        ctx = Context(self.store, now=self.clock.now(), limits=self.limits)
        due = next_due(ctx)
        if due is not None and due <= ctx.now:
            self._transact(fire_due, {}, is_call=False)
            return
        wait = None if due is None else due - ctx.now
        clock = self.clock
        work_due = next_work_due(ctx) if isinstance(clock, VirtualClock) and due is not None else None
        # A gated clock held shut (a test between two calls) lets time flow, and wakes us when it opens.
        if isinstance(clock, VirtualClock) and work_due is not None and clock.may_skip:
            if self._is_quiescent(clock.quiet_period):
                clock.advance_to(work_due)
                return
            wait = min(wait or clock.quiet_period, clock.quiet_period / 2)
        self._scheduler_target = due if wait is None or due is None else ctx.now + wait
        self._scheduler_wakeup.wait(wait)
        self._scheduler_target = None

    def _wake_scheduler(self) -> None:
        with self._lock:
            self._scheduler_wakeup.notify()

    def _is_quiescent(self, quiet_period: float) -> bool:
        """Nothing can happen until a deadline: see ``VirtualClock`` for the rule."""
        if time.monotonic() - self._last_call < quiet_period or self._running_lambdas:
            return False
        store = self.store
        # A decision task, scheduled or started, is work a decider will do: never skip past it.
        if store.scalar("SELECT 1 FROM runs WHERE dt_state IS NOT NULL LIMIT 1"):
            return False
        if store.scalar("SELECT 1 FROM activities WHERE state = 'started' LIMIT 1"):
            return False
        if self.remote_pollers:
            # A worker process may be on its way to this task: see the class docstring.
            return not store.scalar(SCHEDULED_ACTIVITY)
        for (kind, domain, task_list), count in self._pollers.items():
            if count <= 0 or kind != ACTIVITY:
                continue
            if store.scalar(DELIVERABLE_ACTIVITY, (domain, task_list)):
                return False
        return True


def empty_task(kind: str) -> dict[str, Any]:
    """What a long poll returns when no task came: SWF's raw body, with no ``taskToken`` and no ``events``.

    Amazon SWF answers an idle ``PollForDecisionTask`` with ``{"previousStartedEventId":0,
    "startedEventId":0}`` and an idle ``PollForActivityTask`` with ``{"startedEventId":0}`` (issue 12, from
    third-party clients run against SWF): clients such as garcon take a poll without ``events`` as empty.
    """
    if kind == DECISION:
        return {"previousStartedEventId": 0, "startedEventId": 0}
    return {"startedEventId": 0}
