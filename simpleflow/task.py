"""The task kinds a workflow submits, and how each maps to SWF decisions and history.

=================  ===============================  ======================================================
Kind               Decision                         History read back (:mod:`simpleflow.history`)
=================  ===============================  ======================================================
ActivityTask       ``ScheduleActivityTask``         ``ActivityTask*`` by ``activityId``, retries as attempts
LambdaTask         ``ScheduleLambdaFunction``       ``LambdaFunction*`` by ``id``
ChildWorkflowTask  ``StartChildWorkflowExecution``  ``ChildWorkflowExecution*`` by the child's workflow id
TimerTask          ``StartTimer``                   ``Timer*`` by ``timerId``
CancelTimerTask    ``CancelTimer``                  ``TimerCanceled`` by ``timerId``
SignalTask         ``SignalExternalWorkflow...``     ``*Signal*`` by ``control`` (the signal's task id)
WaitForSignal      (none)                           ``WorkflowExecutionSignaled``, n-th of a name
MarkerTask         ``RecordMarker``                 ``MarkerRecorded``, n-th of a name and details
side effects       ``RecordMarker`` (reserved name)  ``MarkerRecorded`` named :data:`SIDE_EFFECT_MARKER`
=================  ===============================  ======================================================

The first three are *remote* tasks: they run elsewhere, may fail, time out or be refused by SWF
(``ScheduleActivityTaskFailed`` and kin, see ``throttle_causes``), and are retried under the same id.
``ActivityTask(activity, *args, **kwargs)`` and its siblings are also what a canvas holds: a call
described now and submitted later. The others are *event* tasks (:class:`EventTask`; ``WaitForSignal``
lives in :mod:`simpleflow.signal`, as upstream has it): submitting one gives an
:class:`~simpleflow.runtime.events.event_future.EventFuture`. ``WorkflowTask(executor, W, *args)`` is
upstream's spelling of ``ChildWorkflowTask(W, *args)``.

Ids: SWF caps ids at 256 characters; :func:`shorten_id` cuts longer ones deterministically.
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from simpleflow import decisions, payload, run_context
from simpleflow.activity import Activity
from simpleflow.child_options import ChildOptions, parent_close_control, validate_parent_close_policy
from simpleflow.exceptions import ChildStartFailed, TaskFailed
from simpleflow.futures import Future
from simpleflow.history import TaskKind
from simpleflow.retry_policy import RetryPolicy
from simpleflow.serializer import Serializer
from simpleflow.task_failure import TaskFailureContext as TaskFailureContext  # simpleflow 0.36's home of it

#: SWF's limit on ids (activity, timer, workflow ids).
MAX_ID_LENGTH = 256
#: The marker name under which side effects record their result.
SIDE_EFFECT_MARKER = "simpleflow.side_effect"
#: Prefix of the timers the executor starts for itself (wake-ups, retry delays, throttling back-off).
INTERNAL_TIMER_PREFIX = "_simpleflow-"


def shorten_id(text: str, *, limit: int = MAX_ID_LENGTH) -> str:
    """``text`` when it fits ``limit``, else its start plus a digest of the whole: stable across replays."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{text[: limit - len(digest) - 1]}-{digest}"


def _resolved(value: Any) -> Any:
    """A finished future's result (as upstream resolves the arguments its class hooks see), else ``value``."""
    if isinstance(value, Future) and value.done and value._exception is None:
        return value.result
    return value


def input_digest(input_text: str) -> str:
    """The digest naming an idempotent task: equal inputs give equal ids."""
    return hashlib.sha256(input_text.encode("utf-8")).hexdigest()[:32]


def _run_trace() -> dict[str, str] | None:
    """The trace context the running workflow's input carries, for its activities' inputs."""
    context = run_context.current_run_context()
    return None if context is None else payload.input_trace(context.input)


def internal_timer_id(purpose: str, *parts: object) -> str:
    """The id of a timer the executor starts for itself (never one of the user's)."""
    return shorten_id(INTERNAL_TIMER_PREFIX + "-".join([purpose, *map(str, parts)]))


class RemoteTask:
    """A task that runs elsewhere: an activity, a Lambda function or a child workflow."""

    kind: ClassVar[TaskKind]
    #: SWF refusal causes that are about rates or limits, so scheduling again later succeeds.
    throttle_causes: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        self.args = tuple(args)
        self.kwargs = dict(kwargs)

    @property
    def name(self) -> str:
        """The SWF type name (activity type, Lambda function, workflow type)."""
        raise NotImplementedError

    @property
    def version(self) -> str | None:
        """The SWF type version (``None`` for Lambda functions, which have none)."""
        return None

    @property
    def retry(self) -> int:
        """How many times a failed or timed-out attempt is scheduled again."""
        return 0

    @property
    def retry_delay(self) -> int:
        """Seconds to wait (with a timer) before scheduling a failed or timed-out attempt again."""
        return 0

    @property
    def retry_policy(self) -> RetryPolicy | None:
        """The definition's :class:`~simpleflow.retry_policy.RetryPolicy` (``None``: ``retry`` decides)."""
        return None

    @property
    def raises_on_failure(self) -> bool:
        """Whether a final failure raises in ``run()`` rather than only being held by the future."""
        return False

    @property
    def idempotent(self) -> bool:
        """Whether the task id derives from the input (equal calls share one task)."""
        return False

    def default_id(self, number: int, *, workflow_id: str) -> str:
        """The id of the ``number``-th task of this name submitted by a run (before shortening)."""
        raise NotImplementedError

    def idempotent_id(self, input_text: str, *, workflow_id: str) -> str:
        """The id of an idempotent task with this input."""
        raise NotImplementedError

    def encode_input(self, args: Sequence[Any], kwargs: Mapping[str, Any], *, attempt: int = 1) -> str | None:
        """The input text for these (resolved) arguments, for the ``attempt``-th scheduling of the task.

        Only activities carry the attempt (see :data:`simpleflow.payload.ATTEMPT_KEY`) and, through
        :meth:`ActivityTask.encode_input`, the previous attempts' heartbeat details: a child workflow's
        input is its ``run()`` arguments and a Lambda function's is the event the function receives.
        """
        return payload.encode_input(args, kwargs)

    def schedule(self, task_id: str, *, input: str | None, task_list: str | None = None) -> dict[str, Any]:
        """The decision that schedules this task under ``task_id``."""
        raise NotImplementedError

    def cancel(self, task_id: str, *, run_id: str | None) -> dict[str, Any] | None:
        """The decision that asks this running task to stop, ``None`` when SWF cannot cancel it."""
        return None

    def refused(self, task_id: str, cause: str) -> TaskFailed:
        """The error of this task when SWF refused to schedule it under ``task_id`` for ``cause``."""
        return TaskFailed(task_id, cause, f"SWF refused to schedule {self.name}: {cause}")


class ActivityTask(RemoteTask):
    """An activity call: ``ActivityTask(increment, 1)`` is what ``submit(increment, 1)`` schedules."""

    kind = TaskKind.ACTIVITY
    throttle_causes = frozenset({"ACTIVITY_CREATION_RATE_EXCEEDED", "OPEN_ACTIVITIES_LIMIT_EXCEEDED"})

    def __init__(self, activity: Activity, *args: Any, **kwargs: Any) -> None:
        if not isinstance(activity, Activity):
            raise TypeError(
                f"ActivityTask takes an activity (see activity.with_attributes), not {activity!r}"
            )
        super().__init__(args, kwargs)
        self.activity = activity

    def __repr__(self) -> str:
        return f"ActivityTask({self.activity.name}, args={self.args!r}, kwargs={self.kwargs!r})"

    @property
    def name(self) -> str:
        return self.activity.name

    @property
    def version(self) -> str:
        return self.activity.version

    @property
    def retry(self) -> int:
        return self.activity.retry

    @property
    def retry_delay(self) -> int:
        return int(getattr(self.activity, "retry_delay", 0) or 0)

    @property
    def retry_policy(self) -> RetryPolicy | None:
        return getattr(self.activity, "retry_policy", None)

    @property
    def raises_on_failure(self) -> bool:
        return bool(self.activity.raises_on_failure)

    @property
    def idempotent(self) -> bool:
        return bool(self.activity.idempotent)

    def default_id(self, number: int, *, workflow_id: str) -> str:
        return f"activity-{self.name}-{number}"

    def idempotent_id(self, input_text: str, *, workflow_id: str) -> str:
        return f"activity-{self.name}-{input_digest(input_text)}"

    def encode_input(
        self,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        *,
        attempt: int = 1,
        heartbeat_details: Any = None,
    ) -> str | None:
        return payload.encode_input(
            args,
            kwargs,
            attempt=attempt,
            trace=_run_trace(),
            heartbeat_details=heartbeat_details,
            serializer=self.activity.serializer,
            field=f"{self.name} input",
        )

    def schedule(self, task_id: str, *, input: str | None, task_list: str | None = None) -> dict[str, Any]:
        activity = self.activity
        return decisions.schedule_activity_task(
            task_id,
            name=activity.name,
            version=activity.version,
            input=input,
            task_list=task_list or activity.task_list,
            task_priority=activity.task_priority,
            start_to_close_timeout=activity.start_to_close_timeout,
            schedule_to_close_timeout=activity.schedule_to_close_timeout,
            schedule_to_start_timeout=activity.schedule_to_start_timeout,
            heartbeat_timeout=activity.heartbeat_timeout,
        )

    def cancel(self, task_id: str, *, run_id: str | None) -> dict[str, Any] | None:
        return decisions.request_cancel_activity_task(task_id)


class LambdaFunction:
    """An AWS Lambda function a workflow submits by name: ``self.submit(LambdaFunction("resize"), event)``.

    The function receives one JSON event (the Lambda contract): the single positional argument, or the
    keyword arguments as an object when there is no positional one.
    """

    def __init__(
        self,
        name: str,
        *,
        start_to_close_timeout: int | str | None = None,
        retry: int = 0,
        retry_delay: int = 0,
        raises_on_failure: bool = False,
        idempotent: bool = False,
    ) -> None:
        decisions.validate_identifier(name, field="Lambda function name", max_length=64)
        self.name = name
        self.start_to_close_timeout = start_to_close_timeout
        self.retry = retry
        self.retry_delay = retry_delay
        self.raises_on_failure = raises_on_failure
        self.idempotent = idempotent

    def __repr__(self) -> str:
        return f"LambdaFunction({self.name!r})"


class LambdaTask(RemoteTask):
    """A Lambda function call: ``LambdaTask(LambdaFunction("f"), event)``."""

    kind = TaskKind.LAMBDA
    throttle_causes = frozenset(
        {"LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED", "OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED"}
    )

    def __init__(self, function: LambdaFunction, *args: Any, **kwargs: Any) -> None:
        if (args and kwargs) or len(args) > 1:
            raise TypeError(f"{function!r} takes one event: one positional argument or keyword arguments")
        super().__init__(args, kwargs)
        self.function = function

    @property
    def name(self) -> str:
        return self.function.name

    @property
    def retry(self) -> int:
        return self.function.retry

    @property
    def retry_delay(self) -> int:
        return self.function.retry_delay

    @property
    def raises_on_failure(self) -> bool:
        return self.function.raises_on_failure

    @property
    def idempotent(self) -> bool:
        return self.function.idempotent

    def default_id(self, number: int, *, workflow_id: str) -> str:
        return f"lambda-{self.name}-{number}"

    def idempotent_id(self, input_text: str, *, workflow_id: str) -> str:
        return f"lambda-{self.name}-{input_digest(input_text)}"

    def encode_input(self, args: Sequence[Any], kwargs: Mapping[str, Any], *, attempt: int = 1) -> str | None:
        # The AWS Lambda contract: the event is plain JSON, whatever the attempt.
        if args:
            return payload.encode(args[0], field="input")
        return payload.encode(dict(kwargs), field="input") if kwargs else None

    def schedule(self, task_id: str, *, input: str | None, task_list: str | None = None) -> dict[str, Any]:
        return decisions.schedule_lambda_function(
            task_id,
            name=self.name,
            input=input,
            start_to_close_timeout=self.function.start_to_close_timeout,
        )


class WorkflowDefinition:
    """The base of :class:`simpleflow.workflow.Workflow`: what a child workflow task reads of its class.

    Defined here so that this module knows a workflow class without importing ``simpleflow.workflow``,
    which sits above it; ``Workflow`` gives the values and documents them.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    task_list: ClassVar[str | None]
    task_priority: ClassVar[int | None]
    retry: ClassVar[int]
    retry_delay: ClassVar[int]
    raises_on_failure: ClassVar[bool]
    idempotent: ClassVar[bool]
    tag_list: ClassVar[list[str] | str | None]
    execution_timeout: ClassVar[int | str | None]
    decision_tasks_timeout: ClassVar[int | str | None]
    child_policy: ClassVar[str | None]
    lambda_role: ClassVar[str | None]
    parent_close_policy: ClassVar[str | None]
    serializer: ClassVar[Serializer | str | None]


NO_CHILD_OPTIONS = ChildOptions()
#: Why SWF refuses a child start, by ``StartChildWorkflowExecutionFailed`` cause ({id}: its workflow id).
CHILD_START_REFUSALS = {
    "WORKFLOW_ALREADY_RUNNING": (
        "a workflow execution with id {id!r} is already open in this domain; a workflow id can be "
        "reused only once the execution that had it closed"
    ),
    "WORKFLOW_TYPE_DOES_NOT_EXIST": "workflow type {type} is not registered in this domain",
    "WORKFLOW_TYPE_DEPRECATED": "workflow type {type} is deprecated in this domain",
    "OPEN_CHILDREN_LIMIT_EXCEEDED": "the parent has too many open child executions",
    "OPEN_WORKFLOWS_LIMIT_EXCEEDED": "the domain has too many open workflow executions",
    "CHILD_CREATION_RATE_EXCEEDED": "child executions are started too fast",
    "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED": (
        "no execution timeout: set execution_timeout (or submit's __execution_timeout), or register {type} "
        "with a default"
    ),
    "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED": (
        "no decision task timeout: set decision_tasks_timeout (or __decision_tasks_timeout), or register "
        "{type} with a default"
    ),
    "DEFAULT_TASK_LIST_UNDEFINED": (
        "no task list: set task_list (or __task_list), or register {type} with a default"
    ),
    "DEFAULT_CHILD_POLICY_UNDEFINED": (
        "no child policy: set child_policy (or __child_policy), or register {type} with a default"
    ),
    "OPERATION_NOT_PERMITTED": "the caller may not start {type} (IAM)",
}


class ChildWorkflowTask(RemoteTask):
    """A child workflow execution: ``ChildWorkflowTask(ChildWorkflow, *args)``, or submit the class.

    ``options`` are the per-submit options (:mod:`simpleflow.child_options`), over the class's.
    """

    kind = TaskKind.CHILD_WORKFLOW
    throttle_causes = frozenset(
        {"CHILD_CREATION_RATE_EXCEEDED", "OPEN_CHILDREN_LIMIT_EXCEEDED", "OPEN_WORKFLOWS_LIMIT_EXCEEDED"}
    )

    def __init__(self, workflow: type[WorkflowDefinition], *args: Any, **kwargs: Any) -> None:
        super().__init__(args, kwargs)
        self.workflow = workflow
        self.options = NO_CHILD_OPTIONS

    def __repr__(self) -> str:
        return f"ChildWorkflowTask({self.name}, args={self.args!r}, kwargs={self.kwargs!r})"

    def with_options(self, options: ChildOptions) -> ChildWorkflowTask:
        """This task with per-submit ``options`` (they win over the class's attributes and hooks)."""
        task = ChildWorkflowTask(self.workflow, *self.args, **self.kwargs)
        task.options = options
        return task

    @property
    def name(self) -> str:
        return self.workflow.name

    @property
    def version(self) -> str:
        return self.workflow.version

    @property
    def retry(self) -> int:
        return self.workflow.retry

    @property
    def retry_delay(self) -> int:
        return int(self.workflow.retry_delay or 0)

    @property
    def retry_policy(self) -> RetryPolicy | None:
        return getattr(self.workflow, "retry_policy", None)

    @property
    def raises_on_failure(self) -> bool:
        return self.workflow.raises_on_failure

    @property
    def idempotent(self) -> bool:
        return self.workflow.idempotent

    def default_id(self, number: int, *, workflow_id: str) -> str:
        return (
            self.options.workflow_id
            or run_context.class_workflow_id(self.workflow, *self._hook_input())
            or f"{workflow_id}--{self.name}-{number}"
        )

    def idempotent_id(self, input_text: str, *, workflow_id: str) -> str:
        return (
            self.options.workflow_id
            or run_context.class_workflow_id(self.workflow, *self._hook_input())
            or f"{workflow_id}--{self.name}-{input_digest(input_text)}"
        )

    def _hook_input(self) -> tuple[list[Any], dict[str, Any]]:
        """The arguments the class hooks (``get_workflow_id``, ...) are called with."""
        return [_resolved(value) for value in self.args], {k: _resolved(v) for k, v in self.kwargs.items()}

    def encode_input(self, args: Sequence[Any], kwargs: Mapping[str, Any], *, attempt: int = 1) -> str | None:
        return payload.encode_input(
            args, kwargs, serializer=self.workflow.serializer, field=f"{self.name} input"
        )

    def parent_close_policy(self) -> str | None:
        """The child's parent close policy: the submit's, else the class's (checked), else none."""
        if self.options.parent_close_policy is not None:
            return self.options.parent_close_policy
        value = getattr(self.workflow, "parent_close_policy", None)
        if value is None:
            return None
        return validate_parent_close_policy(value, field=f"{self.workflow.__name__}.parent_close_policy")

    def schedule(self, task_id: str, *, input: str | None, task_list: str | None = None) -> dict[str, Any]:
        workflow, options = self.workflow, self.options
        # Upstream's class hooks see the arguments resolved, as they are by the time a task is scheduled.
        args, kwargs = self._hook_input()
        parent = run_context.current_run_context()
        wanted_tags = options.tag_list if options.tag_list is not None else None
        if wanted_tags is None:
            wanted_tags = run_context.class_tags(workflow, args, kwargs)
        tags = run_context.resolve_tags(wanted_tags, parent=parent.tag_list if parent else None)
        return decisions.start_child_workflow_execution(
            task_id,
            name=self.name,
            version=workflow.version,
            input=input,
            control=parent_close_control(self.parent_close_policy()),
            task_list=options.task_list or run_context.class_task_list(workflow, args, kwargs),
            task_priority=workflow.task_priority,
            execution_start_to_close_timeout=_first(options.execution_timeout, workflow.execution_timeout),
            task_start_to_close_timeout=_first(
                options.decision_tasks_timeout, workflow.decision_tasks_timeout
            ),
            child_policy=_first(options.child_policy, workflow.child_policy),
            tag_list=tags,
            lambda_role=_first(options.lambda_role, getattr(workflow, "lambda_role", None)),
        )

    def cancel(self, task_id: str, *, run_id: str | None) -> dict[str, Any] | None:
        return decisions.request_cancel_external_workflow_execution(task_id, run_id=run_id, control=task_id)

    def refused(self, task_id: str, cause: str) -> TaskFailed:
        template = CHILD_START_REFUSALS.get(cause)
        if template is None:
            return ChildStartFailed(
                task_id, cause, f"SWF refused to start child workflow {task_id!r} ({self.name}): {cause}"
            )
        why = template.format(id=task_id, type=f"{self.name!r} version {self.version!r}")
        return ChildStartFailed(
            task_id, cause, f"SWF refused to start child workflow {task_id!r} ({cause}): {why}"
        )


def _first(*values: Any) -> Any:
    """The first value that is not ``None`` (the most specific level that set it)."""
    return next((value for value in values if value is not None), None)


class WorkflowTask(ChildWorkflowTask):
    """Upstream's name for a child workflow task: ``WorkflowTask(executor, ChildWorkflow, *args)``.

    The executor argument is accepted for upstream's signature and ignored: the replay submitting the
    task is the one that schedules it.
    """

    def __init__(self, executor: Any, workflow: type[WorkflowDefinition], *args: Any, **kwargs: Any) -> None:
        super().__init__(workflow, *args, **kwargs)


class EventTask:
    """Base of what a run submits that is not remote work: timers, timer cancellations, signals, markers.

    These describe a call; :meth:`simpleflow.workflow.Workflow.submit` (or a canvas reaching them) makes
    it happen and returns its future (:class:`simpleflow.runtime.events.event_future.EventFuture`).
    """

    kind: ClassVar[str]

    @property
    def name(self) -> str:
        """What the event is counted among: the timer id, or the signal's or marker's name."""
        raise NotImplementedError


class TimerTask(EventTask):
    """A user timer, ``TimerTask(timer_id, timeout, control=None)``: its future finishes when it fires."""

    kind = "timer"

    def __init__(self, timer_id: str, timeout: int | str, control: str | None = None) -> None:
        self.timer_id = timer_id
        self.timeout = int(timeout)
        self.control = control

    @property
    def name(self) -> str:
        """The timer's id (upstream's task name for timers)."""
        return self.timer_id

    def __repr__(self) -> str:
        return f"TimerTask({self.timer_id!r}, {self.timeout})"


class CancelTimerTask(EventTask):
    """The cancellation of timer ``timer_id``: its future finishes once the cancel was asked."""

    kind = "cancel_timer"

    def __init__(self, timer_id: str) -> None:
        self.timer_id = timer_id

    @property
    def name(self) -> str:
        """The timer's id."""
        return self.timer_id

    def __repr__(self) -> str:
        return f"CancelTimerTask({self.timer_id!r})"


class SignalTask(EventTask):
    """Signal ``name`` with ``args`` and ``kwargs``: the receiver reads ``{"args": [...], "kwargs": {...}}``.

    Sent to this execution unless ``workflow_id`` (and ``run_id``) are set; ``propagate`` forwards it to
    the parent and children of every execution that receives it.
    """

    kind = "signal"

    def __init__(self, name: str, *args: Any, **kwargs: Any) -> None:
        self._name = name
        self.args = args
        self.kwargs = kwargs
        self.workflow_id: str | None = None
        self.run_id: str | None = None
        self.propagate = True

    @property
    def name(self) -> str:
        """The signal's name."""
        return self._name

    def __repr__(self) -> str:
        return f"SignalTask({self.name!r}, args={self.args!r}, kwargs={self.kwargs!r})"


class MarkerTask(EventTask):
    """Marker ``name`` with JSON ``details``, recorded once per execution."""

    kind = "marker"

    def __init__(self, name: str, details: Any = None) -> None:
        self._name = name
        self.details = details

    @property
    def args(self) -> tuple[Any, ...]:
        """Upstream keeps the details as the only argument."""
        return (self.details,)

    @property
    def name(self) -> str:
        """The marker's name."""
        return self._name

    def __repr__(self) -> str:
        return f"MarkerTask({self.name!r}, {self.details!r})"


def remote_task_for(submittable: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> RemoteTask | None:
    """The remote task calling ``submittable`` (activity, LambdaFunction, Workflow class), else None."""
    if isinstance(submittable, Activity):
        return ActivityTask(submittable, *args, **kwargs)
    if isinstance(submittable, LambdaFunction):
        return LambdaTask(submittable, *args, **kwargs)
    if isinstance(submittable, type) and issubclass(submittable, WorkflowDefinition):
        return ChildWorkflowTask(submittable, *args, **kwargs)
    return None


class Task(abc.ABC):  # noqa: B024 (a marker base: nothing to implement)
    """simpleflow 0.36's base of every task: ``isinstance(x, Task)`` holds for remote and event tasks."""


Task.register(RemoteTask)
Task.register(EventTask)


def get_actual_value(value: Any) -> Any:
    """A future's result (reading it blocks the replay until the future is done), else ``value``."""
    return value.result if isinstance(value, Future) else value
