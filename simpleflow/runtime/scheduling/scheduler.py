"""The state of one replay: what ``run()`` submitted, how the history resolves it, what to decide.

A :class:`Scheduler` lives for exactly one replay (one decision task) and holds no global state. Each
submission is resolved against the :class:`~simpleflow.history.History` at once:

- **ids** -- ``activity-<name>-<n>`` (``lambda-<name>-<n>``, ``<parent id>--<workflow name>-<n>`` for
  children) where ``n`` counts the submissions of that name in ``run()`` order, so that replays give
  the same ids; an input digest for idempotent tasks (equal calls share one task, scheduled once);
  ``Workflow.get_task_id`` may override; ids over 256 characters are shortened deterministically.
  Tasks inside a ``FuncGroup`` are numbered in their own scope, since how many there are is only
  known once the group's arguments resolve.
- **dataflow** -- a submission whose arguments hold unresolved futures schedules nothing and returns a
  ``PENDING`` future; a failed or canceled argument fails (cancels) the dependent future.
- **outcomes** -- completed, failed, timed out, canceled, terminated; a failed or timed-out attempt is
  scheduled again under the same id up to ``retry`` times (after a timer when ``retry_delay`` is set),
  or as its :class:`~simpleflow.RetryPolicy` says (:mod:`~simpleflow.runtime.scheduling.retrying`); an
  activity's next attempt carries the last heartbeat details of the attempts before it.
- **on_task_failure** -- a workflow overriding simpleflow 0.36's ``on_task_failure(failure_context)``
  decides each failed or timed-out attempt (:mod:`~simpleflow.runtime.scheduling.failure_handling`):
  retry (now, or after a timer, with arguments it may change), abort, ignore, cancel; the older
  ``(task_id, error)`` form is told of final failures only. A failure that raises into ``run()`` is
  also a ``TaskException`` (``WorkflowException`` for children); one that does not gives ``None`` as
  its future's result.
- **scheduling options** -- ``submit(..., __priority=5)`` (:mod:`simpleflow.submit_options`) sets the
  decision's ``taskPriority``; the activity's, else the workflow's ``task_priority`` otherwise.
- **attempts** -- an activity's n-th scheduling (n > 1) carries ``n`` in its input under the reserved
  :data:`simpleflow.payload.ATTEMPT_KEY`, which the worker puts in the activity context; the identity
  check compares calls without it.
- **SWF refusals** -- a ``Schedule*Failed`` whose cause is a rate or open-task limit (see
  ``RemoteTask.throttle_causes``) is scheduled again after an exponential back-off timer (1 s, 2 s,
  ... 60 s), never dropped: SWF does not keep refused decisions, but the replay re-creates them from
  ``run()``. Any other cause fails the task with :class:`TaskFailed` whose reason is the cause.
- **limits** -- never more than ``max_open_activities`` activities open at once; the rest stay
  ``PENDING`` until a completion brings a new decision task.
- **nondeterminism** -- the same id with another type, version or input raises (and records)
  :class:`NondeterminismError`; :meth:`check_unproduced` catches tasks the history holds but the
  replay did not produce.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from simpleflow import payload
from simpleflow.activity import Activity
from simpleflow.exceptions import (
    NondeterminismError,
    TaskCanceled,
    TaskError,
    TaskFailed,
    TaskTerminated,
    TaskTimedOut,
    WorkflowFailed,
    raised_into_run,
)
from simpleflow.futures import Future, FutureState
from simpleflow.history import Attempt, History, TaskKind, TaskRecord, TaskState
from simpleflow.retry_policy import RetryPolicy
from simpleflow.runtime.call_log import CallLog
from simpleflow.runtime.canvas import Canvas, Reach
from simpleflow.runtime.events.backoff import Gate, is_throttled, paced_delay
from simpleflow.runtime.events.event_future import EventFuture
from simpleflow.runtime.events.patches import Patches
from simpleflow.runtime.events.replay_events import ReplayEvents
from simpleflow.runtime.resolution import resolve_arguments
from simpleflow.runtime.scheduling import failure_handling, retrying
from simpleflow.runtime.scheduling.call import Call, Identity, changed_call, identity_mismatch, prioritized
from simpleflow.runtime.scheduling.failure_handling import FailureHook
from simpleflow.runtime.turn import Turn
from simpleflow.submit_options import (
    PRIORITY_NOT_SET,
    pop_submit_options,
    refuse_child_options,
    refuse_options_in_task,
    with_child_options,
)
from simpleflow.task import (
    ActivityTask,
    EventTask,
    RemoteTask,
    internal_timer_id,
    remote_task_for,
    shorten_id,
)
from simpleflow.task_failure import HOOKED_STATES
from simpleflow.task_failure import FailureDecision as Decision

__all__ = ["Scheduler"]


class Scheduler:
    """Resolves one run's submissions against the history and collects the decisions to send.

    It composes the run's :class:`~simpleflow.runtime.events.replay_events.ReplayEvents` (:attr:`events`)
    and decides into the same :class:`~simpleflow.runtime.turn.Turn`, which its owner (the live run)
    moves on from one decision task to the next.
    """

    def __init__(
        self,
        turn: Turn,
        log: CallLog,
        *,
        workflow: Any,
        failure_hook: FailureHook | None = None,
        workflow_id: str,
        run_id: str,
        activity_task_list: str | None = None,
        payload_store: payload.PayloadStore | None = None,
        max_open_activities: int = 1000,
    ) -> None:
        self.turn = turn
        self.log = log
        #: The workflow instance: ``get_task_id`` and ``task_priority`` are read from it, and canvases
        #: (``Step``) may ask for it. Typed loosely: this module sits below ``simpleflow.workflow``.
        self.workflow = workflow
        self.failure_hook = failure_hook
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.payload_store = payload_store
        self.events = ReplayEvents(
            turn,
            log,
            workflow_id=workflow_id,
            run_id=run_id,
            payload_store=payload_store,
            serializer=getattr(workflow, "serializer", None),
        )
        self.activity_task_list = activity_task_list
        self.max_open_activities = max_open_activities
        self.futures: dict[tuple[TaskKind, str], Future] = {}
        self.produced: dict[tuple[TaskKind, str], Identity] = {}
        self.nondeterminism: NondeterminismError | None = None
        #: ``Workflow.patched()`` / ``deprecate_patch()`` (:mod:`simpleflow.runtime.events.patches`).
        self.patches = Patches(
            turn,
            log,
            produced=self.produced,
            first_unmade_event=self.events.first_unmade,
            report=self._note_nondeterminism,
        )
        #: Set when a task failure was raised into ``run()``: the run then took a path earlier replays
        #: did not, so tasks they scheduled may legitimately not be produced again.
        self.raised_failure = False
        self._counters: Counter[tuple[str, TaskKind, str]] = Counter()
        self._scope = ""
        self._scopes: Counter[str] = Counter()
        #: Set by ``Workflow.fail()``: the execution fails even if ``run()`` caught the exception.
        self.fail_request: WorkflowFailed | None = None
        self._calls: dict[tuple[TaskKind, str], Call] = {}
        #: The decision task (epoch) at which each task was last resolved.
        self._resolved_at: dict[tuple[TaskKind, str], int] = {}
        #: The record each task was last resolved from while open (see ``_unchanged_since_resolved``).
        self._open_records: dict[tuple[TaskKind, str], TaskRecord] = {}

    @property
    def history(self) -> History:
        """The history of the decision task being decided."""
        return self.turn.history

    def request_failure(self, error: WorkflowFailed) -> None:
        """``Workflow.fail()``: the execution fails with ``error`` even if ``run()`` catches it."""
        self.fail_request = error

    def _note_nondeterminism(self, error: NondeterminismError) -> None:
        self.nondeterminism = error

    def note_raised_failure(self) -> None:
        """A task failure is being raised into ``run()`` (see :attr:`raised_failure`)."""
        self.raised_failure = True

    def event(self, task: EventTask, *, in_canvas: bool = False) -> EventFuture:
        """Bind an event task to this run (see :meth:`ReplayEvents.event`)."""
        return self.events.event(task, in_canvas=in_canvas)

    # -- submissions ---------------------------------------------------------------------------------

    def make_task(self, submittable: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> RemoteTask:
        """The task a ``submit(submittable, *args, **kwargs)`` stands for."""
        if isinstance(submittable, RemoteTask):
            if args or kwargs:
                raise TypeError(f"{submittable!r} already holds its arguments; submit it alone")
            return submittable
        task = remote_task_for(submittable, args, kwargs)
        if task is not None:
            return task
        raise TypeError(
            f"cannot submit {submittable!r}: expected an activity, a Workflow subclass, a LambdaFunction, "
            "a task or a canvas (Group, Chain, FuncGroup)"
        )

    def submit(self, submittable: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Future:
        """Resolve a submission: a remote task or a canvas.

        ``kwargs`` may hold scheduling options (:data:`SUBMIT_OPTIONS`, e.g. ``__priority=5``): they
        change the decision and never reach the function.
        """
        options = pop_submit_options(kwargs) if kwargs else {}
        if not isinstance(submittable, Activity | RemoteTask):  # activities first: by far the most submitted
            if isinstance(submittable, Canvas):
                refuse_child_options(submittable, options)
                if args or kwargs:
                    raise TypeError(f"{submittable!r} already holds its items; submit it alone")
                # As in simpleflow 0.36, a canvas's items keep their own priorities.
                canvas, plan = submittable, submittable.plan(self)
                return self._logged(lambda into=None: canvas.run(self, plan, Reach(into=into)))
            event = self.events.submit_event(submittable, args, kwargs)  # timers, signals, markers
            if event is not None:
                refuse_child_options(submittable, options)
                return event
        task = self.make_task(submittable, args, kwargs)
        if options:
            task = with_child_options(task, options)
        priority = options.get("__priority", PRIORITY_NOT_SET)
        policy = options.get("__retry_policy")
        if policy is not None and not isinstance(policy, RetryPolicy):
            raise TypeError(f"submit's __retry_policy= takes a simpleflow.RetryPolicy, not {policy!r}")
        task_id = self.reserve_id(task)
        return self._logged(
            lambda into=None: self.submit_task(
                task, task_id=task_id, reserved=True, priority=priority, retry_policy=policy, into=into
            ),
            unchanged=lambda future: self._unchanged_since_resolved(task.kind, future),
        )

    def _logged(
        self,
        submission: Callable[..., Future],
        *,
        unchanged: Callable[[Future], bool] | None = None,
    ) -> Future:
        """Make ``submission`` now; a live run makes it again at each later decision task, while open.

        That is what a replay would do when ``run()`` reaches the same submission again (see
        :class:`~simpleflow.runtime.call_log.CallLog`). ``unchanged(future)``, when given, tells that
        making it again would give what it gave last time (no decision, no state change): then it is
        kept open without being made, so a decision task costs what changed, not what is open.
        """
        logging = self.log.in_run_thread()
        with self.log.nested():
            future = submission()
        if logging and not future._is_done():
            if unchanged is None:
                self.log.record(lambda: not submission(into=future)._is_done())
            else:
                self.log.record(lambda: unchanged(future) or not submission(into=future)._is_done())
        return future

    def _unchanged_since_resolved(self, kind: TaskKind, future: Future) -> bool:
        """Whether ``future``'s task is open with the very record it was last resolved from.

        Resolving an open task decides nothing and counts nothing (open activities are counted from
        the history at each decision task): it marks the future running and installs a canceller made
        from the record's last attempt. With an equal record (records are frozen values) resolving again
        would do exactly that again, so a live run may skip it. Any new event about the task (started,
        closed, cancel requested, timed out) gives another record, and the task is resolved again.
        """
        task_id = future.task_id
        if task_id is None or future._is_done():
            return False
        seen = self._open_records.get((kind, task_id))
        if seen is None:
            return False
        record = self.history.task(kind, task_id)
        return record is seen or record == seen

    def reserve_id(self, task: RemoteTask) -> str | None:
        """Take the next id for ``task`` now (``None`` for idempotent tasks, named by their input)."""
        if task.idempotent:
            return None
        key = (self._scope, task.kind, task.name)
        self._counters[key] += 1
        number = f"{self._scope}-{self._counters[key]}" if self._scope else self._counters[key]
        default = task.default_id(number, workflow_id=self.workflow_id)  # type: ignore[arg-type]
        return shorten_id(self.workflow.get_task_id(task, default=default))

    def allocate_scope(self, prefix: str) -> str:
        """Name a new numbering scope (``<current scope><prefix><n>``) for tasks not countable in advance."""
        self._scopes[prefix] += 1
        return f"{self._scope}{prefix}{self._scopes[prefix]}"

    @contextlib.contextmanager
    def in_scope(self, scope: str) -> Iterator[None]:
        """Number the tasks submitted inside the block within ``scope``."""
        previous, self._scope = self._scope, scope
        try:
            yield
        finally:
            self._scope = previous

    def submit_task(
        self,
        task: RemoteTask,
        *,
        task_id: str | None = None,
        hold_failure: bool = False,
        priority: Any = PRIORITY_NOT_SET,
        retry_policy: RetryPolicy | None = None,
        reserved: bool = False,
        into: Future | None = None,
    ) -> Future:
        """Resolve one remote task (``task_id`` when a canvas reserved it; ``hold_failure``: never raise).

        ``priority`` is ``submit(..., __priority=...)``'s value, ``retry_policy`` its ``__retry_policy``
        (see :class:`Call`). ``reserved``: the
        id was reserved already (``None`` then names an idempotent task by its input). ``into``: the
        future a live run made for this submission at an earlier decision task, resolved again.

        A task is resolved once per decision task, by its first submission in ``run()`` order (a
        submission made again, by an idempotent call or a live run, gets the same future).
        """
        if any(isinstance(key, str) and key.startswith("__") for key in task.kwargs):
            refuse_options_in_task(task)
        if task_id is None and not reserved:
            task_id = self.reserve_id(task)
        future = (
            into if into is not None else Future(task_id=task_id, raises_on_failure=task.raises_on_failure)
        )
        resolved, blocker = resolve_arguments((task.args, task.kwargs))
        if blocker is not None:
            if blocker._state is FutureState.CANCELLED:
                future.set_cancelled(TaskCanceled(task_id=task_id))
            elif blocker._is_done() and blocker._exception is not None:
                future.set_exception(blocker._exception)
            return future  # PENDING: scheduled by a later replay, once the arguments are there
        args, kwargs = resolved
        call = Call(task, args, kwargs, priority=priority, retry_policy=retry_policy)
        input_text = call.input(1)
        if task_id is None:
            task_id = shorten_id(task.idempotent_id(input_text or "", workflow_id=self.workflow_id))
            future.task_id = task_id
        key = (task.kind, task_id)
        if key in self.futures:
            existing = self.futures[key]
            if self.produced[key] != (task.name, task.version, input_text):
                raise TaskError(f"{task_id} was submitted twice with different tasks; check get_task_id")
            if self._resolved_at.get(key) != self.turn.epoch and not existing._is_done():
                # First submission in this decision task of a future a live run made earlier.
                self._resolved_at[key] = self.turn.epoch
                record = self.history.task(task.kind, task_id)
                self._resolve(self._calls[key], task_id, record, existing, hold_failure)
            return existing  # an idempotent task submitted again: one task, one future
        self.futures[key] = future
        self.produced[key] = (task.name, task.version, input_text)
        self._calls[key] = call
        self._resolved_at[key] = self.turn.epoch
        record = self.history.task(task.kind, task_id)
        if record is not None:
            mismatch = identity_mismatch(call, record, store=self.payload_store)
            if mismatch is not None:
                self.nondeterminism = mismatch
                raise mismatch
        self._resolve(call, task_id, record, future, hold_failure)
        return future

    def check_unproduced(self) -> None:
        """Raise :class:`NondeterminismError` for a task the history holds but this replay did not produce."""
        for record in self.history.tasks():
            if (record.kind, record.task_id) not in self.produced:
                attempt = record.scheduled or record.last
                recorded = {"kind": record.kind.value, "type": attempt.name, "input": attempt.input}
                self.nondeterminism = NondeterminismError(record.task_id, recorded=recorded, produced=None)
                raise self.nondeterminism
        self.patches.check_unasked()

    # -- resolution -------------------------------------------------------------------------------------

    def _resolve(
        self, call: Call, task_id: str, record: TaskRecord | None, future: Future, hold_failure: bool
    ) -> None:
        task = call.task
        key = (task.kind, task_id)
        if record is None:
            self._open_records.pop(key, None)
            self._schedule(call, task_id, future, attempt=1)
            return
        last = record.last
        if last.state.is_open:
            self._open_records[key] = record
        else:
            self._open_records.pop(key, None)
        if last.state.is_open:
            future.set_running()
            future.set_canceller(self._canceller(task, task_id, last))
        elif last.state is TaskState.COMPLETED:
            future.set_result(
                payload.decode(last.result, field=f"result of {task_id}", store=self.payload_store)
            )
        elif last.state is TaskState.CANCELED:
            details = payload.decode_failure(None, last.details, store=self.payload_store)[1]
            future.set_cancelled(TaskCanceled(details, task_id=task_id))
        elif last.state is TaskState.SCHEDULE_FAILED and last.cause in task.throttle_causes:
            delay = paced_delay(
                last.cause,
                failures=record.consecutive_schedule_failures,
                rank=self.events.backoff.refusal_rank(record),
            )
            gate = internal_timer_id("throttle", len(record.attempts), task_id)
            attempt = record.attempt_count + 1
            self._schedule(
                call, task_id, future, attempt=attempt, delay=delay, gate=gate, hold_failure=hold_failure
            )
        elif last.state is TaskState.SCHEDULE_FAILED:
            error = task.refused(task_id, last.cause or "UNKNOWN")
            self._fail(task, task_id, future, error, hold_failure)
        elif last.state in HOOKED_STATES and self.failure_hook is not None and not self.failure_hook.legacy:
            self._handle_failure(call, task_id, record, future, hold_failure)
        elif (verdict := self._retry_verdict(call, task_id, record)).retry:
            self._retry(call, task_id, record, future, hold_failure, delay=verdict.delay)
        else:
            self._fail(task, task_id, future, self._error_of(task_id, last), hold_failure)

    def _retry_verdict(self, call: Call, task_id: str, record: TaskRecord) -> retrying.RetryVerdict:
        # The jitter's seed: the same run, task and attempt give the same delay at every replay.
        seed = f"{self.run_id}|{task_id}"
        return retrying.retry_verdict(call, record, seed=seed, store=self.payload_store)

    def _retry(
        self,
        call: Call,
        task_id: str,
        record: TaskRecord,
        future: Future,
        hold_failure: bool,
        *,
        delay: int,
    ) -> None:
        """Schedule the next attempt of a failed or timed-out task, after ``delay`` seconds (a timer)."""
        attempt = record.attempt_count + 1
        gate = internal_timer_id("retry", attempt, task_id)
        self._schedule(
            call,
            task_id,
            future,
            attempt=attempt,
            delay=delay,
            gate=gate,
            hold_failure=hold_failure,
            resume_from=record,
        )

    def _error_of(self, task_id: str, attempt: Attempt) -> TaskError:
        if attempt.state is TaskState.TIMED_OUT:
            details = payload.decode_failure(None, attempt.details, store=self.payload_store)[1]
            return TaskTimedOut(attempt.timeout_type or "UNKNOWN", task_id=task_id, details=details)
        if attempt.state is TaskState.TERMINATED:
            return TaskTerminated(task_id=task_id)
        reason, details = payload.decode_failure(attempt.reason, attempt.details, store=self.payload_store)
        return TaskFailed(task_id, reason, details)

    def _fail(
        self,
        task: RemoteTask,
        task_id: str,
        future: Future,
        error: TaskError,
        hold: bool,
        *,
        notify: bool = True,
    ) -> None:
        future.set_exception(error)
        hook = self.failure_hook
        if notify and hook is not None and hook.legacy:
            hook.call(task_id, error)
        if task.raises_on_failure and not hold:
            self.raised_failure = True
            raise raised_into_run(error, task, child=task.kind is TaskKind.CHILD_WORKFLOW)

    # -- on_task_failure ---------------------------------------------------------------------------------

    def _handle_failure(
        self, call: Call, task_id: str, record: TaskRecord, future: Future, hold_failure: bool
    ) -> None:
        task = call.task
        last = record.last
        error = self._error_of(task_id, last)
        future.set_exception(error)
        assert self.failure_hook is not None
        context = failure_handling.ask(
            self.failure_hook, call, record=record, future=future, error=error, history=self.history
        )
        decision = context.decision
        attempt = record.attempt_count + 1
        gate = internal_timer_id("retry", attempt, task_id)
        if decision is Decision.none:
            verdict = self._retry_verdict(call, task_id, record)
            if verdict.retry:
                self._retry(call, task_id, record, future, hold_failure, delay=verdict.delay)
            else:
                self._fail(task, task_id, future, error, hold_failure, notify=False)
        elif decision is Decision.abort:
            self._fail(task, task_id, future, error, hold_failure, notify=False)
        elif decision is Decision.ignore:
            future.set_exception(None, result=future._result)
        elif decision is Decision.cancel:
            future.set_cancelled(TaskCanceled(task_id=task_id))
        elif decision in (Decision.retry_now, Decision.retry_later) or (
            decision is Decision.handled and context.future is None
        ):
            retried = changed_call(call, context.a_task)
            delay = int(context.retry_wait_timeout or 0) if decision is Decision.retry_later else 0
            self._schedule(
                retried,
                task_id,
                future,
                attempt=attempt,
                delay=delay,
                gate=gate,
                hold_failure=hold_failure,
                resume_from=record,
            )
        elif decision is Decision.handled:
            assert context.future is not None
            if context.future is not future:
                future.adopt(context.future)
        else:
            raise ValueError(f"on_task_failure: unexpected decision {decision!r}")

    def _schedule(
        self,
        call: Call,
        task_id: str,
        future: Future,
        *,
        attempt: int,
        delay: int = 0,
        gate: str | None = None,
        hold_failure: bool = False,
        resume_from: TaskRecord | None = None,
    ) -> None:
        """Schedule ``call``, after the ``gate`` timer of ``delay`` s; ``resume_from``: the retried record."""
        task = call.task
        if delay > 0 and gate is not None:
            # A refused gate timer is started again, never skipped: scheduling at once would defeat the
            # delay (and, for a throttled task, be refused again).
            state, cause = self.events.backoff.back_off(gate, delay)
            if state is Gate.WAITING:
                future.set_running()
                return
            if state is Gate.REFUSED:
                error = TaskFailed(task_id, cause, f"SWF refused the timer before {task.name}: {cause}")
                self._fail(task, task_id, future, error, hold_failure)
                return
        if task.kind is TaskKind.ACTIVITY:
            if self.turn.open_activities >= self.max_open_activities:
                return  # PENDING: a later decision task (brought by a completion) schedules it
            self.turn.open_activities += 1
        input_text = call.input(attempt)
        if resume_from is not None and isinstance(task, ActivityTask):
            details = retrying.last_heartbeat_details(resume_from, store=self.payload_store)
            if details is not None:
                input_text = task.encode_input(
                    call.args, call.kwargs, attempt=attempt, heartbeat_details=details
                )
        field = (
            payload.fit("input", input_text, store=self.payload_store, field=f"{task_id} input")
            if (input_text is not None)
            else None
        )
        task_list = self.activity_task_list if task.kind is TaskKind.ACTIVITY else None
        decision = task.schedule(task_id, input=field, task_list=task_list)
        workflow_priority = getattr(self.workflow, "task_priority", None)
        self.turn.decisions.append(prioritized(decision, call, workflow_priority=workflow_priority))
        future.set_running()
        future.set_canceller(self._canceller(task, task_id, None))

    def _canceller(self, task: RemoteTask, task_id: str, attempt: Attempt | None) -> Callable[[], bool]:
        def cancel() -> bool:
            key = (task.kind, task_id)
            if self.log.in_run_thread():
                # run() asked: a live run asks again at each later decision task, as a replay would,
                # through the canceller the task's latest resolution installed.
                self.log.record(lambda: self._cancel_again(key))
            if key in self.turn.cancel_asked or (attempt is not None and attempt.cancel_requested):
                return True
            if task.kind is TaskKind.CHILD_WORKFLOW:
                sent = self.history.sent_request(task_id)
                if sent is not None and not is_throttled(sent):
                    return True
                if sent is not None and self.events.backoff.external_back_off(task_id)[0] is not Gate.OPEN:
                    return True  # asked again once the back-off timer fires
            decision = task.cancel(task_id, run_id=attempt.run_id if attempt else None)
            if decision is None:
                return False
            self.turn.cancel_asked.add(key)
            self.turn.decisions.append(decision)
            return True

        return cancel

    def _cancel_again(self, key: tuple[TaskKind, str]) -> bool:
        future = self.futures.get(key)
        if future is None or future._is_done():
            return False
        future.cancel()
        return True

    def child_run_ids(self) -> Mapping[str, str | None]:
        """The run id of each started child workflow, by workflow id."""
        return {record.task_id: record.last.run_id for record in self.history.tasks(TaskKind.CHILD_WORKFLOW)}
