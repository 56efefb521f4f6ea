"""Every public name of simpleflow 0.36 that users import: importable here, or a one-line migration error.

The list is taken from upstream's modules (their public classes, functions and constants); a user's
``from simpleflow.x import Y`` must either work or fail with an ``ImportError`` whose one-line message
says what to use instead.
"""

from __future__ import annotations

import pytest

# module -> the names upstream users import from it.
IMPORTABLE: dict[str, tuple[str, ...]] = {
    "simpleflow": ("Activity", "Workflow", "WaitForSignal", "logger", "activity", "futures", "__version__"),
    "simpleflow.activity": ("Activity", "with_attributes", "PRIORITY_NOT_SET"),
    "simpleflow.canvas": ("Group", "Chain", "FuncGroup", "GroupFuture", "ChainFuture", "AggregateException"),
    "simpleflow.constants": (
        "SIMPLEFLOW_ENV",
        "MINUTE",
        "HOUR",
        "DAY",
        "MAX_REASON_LENGTH",
        "MAX_DETAILS_LENGTH",
        "MAX_EXECUTION_CONTEXT_LENGTH",
        "MAX_HEARTBEAT_DETAILS_LENGTH",
        "MAX_IDENTITY_LENGTH",
        "MAX_INPUT_LENGTH",
        "MAX_RESULT_LENGTH",
        "MAX_CONTROL_LENGTH",
        "MAX_LOG_FIELD",
        "JUMBO_FIELDS_PREFIX",
        "JUMBO_FIELDS_MAX_SIZE",
        "CACHE_DIR",
    ),
    "simpleflow.exceptions": (
        "AggregateException",
        "ExecutionBlocked",
        "ExecutionError",
        "ExecutionTimeoutError",
        "TaskCanceled",
        "TaskException",
        "TaskFailed",
        "TaskTerminated",
        "TimeoutError",
        "WorkflowException",
    ),
    "simpleflow.futures": (
        "Future",
        "wait",
        "FIRST_COMPLETED",
        "FIRST_EXCEPTION",
        "ALL_COMPLETED",
        "PENDING",
        "RUNNING",
        "CANCELLED",
        "CANCELLED_AND_NOTIFIED",
        "FINISHED",
        "get_result_or_raise",
    ),
    "simpleflow.log": (
        "SimpleflowFormatter",
        "SyslogFormatter",
        "ColorModes",
        "colorize",
        "setup_logging",
        "setup_syslog_logging",
        "RED",
        "GREEN",
        "YELLOW",
        "BLUE",
        "ORANGE",
        "END",
    ),
    "simpleflow.metrology": ("StepIO", "Step", "StepExecution", "MetrologyTask", "MetrologyWorkflow"),
    "simpleflow.settings": (
        "WORKFLOW_DEFAULT_TASK_LIST",
        "WORKFLOW_DEFAULT_VERSION",
        "WORKFLOW_DEFAULT_EXECUTION_TIME",
        "WORKFLOW_DEFAULT_DECISION_TASK_TIMEOUT",
        "ACTIVITY_DEFAULT_TASK_LIST",
        "ACTIVITY_DEFAULT_VERSION",
        "ACTIVITY_DEFAULT_TIMEOUT",
        "ACTIVITY_START_TO_CLOSE_TIMEOUT",
        "ACTIVITY_SCHEDULE_TO_CLOSE_TIMEOUT",
        "ACTIVITY_SCHEDULE_TO_START_TIMEOUT",
        "ACTIVITY_HEARTBEAT_TIMEOUT",
        "LOGGING",
        "SIMPLEFLOW_SYSLOG_TARGET",
        "SIMPLEFLOW_S3_HOST",
        "SIMPLEFLOW_S3_SSE",
        "STEP_BUCKET",
        "METROLOGY_BUCKET",
        "METROLOGY_PATH_PREFIX",
        "SIMPLEFLOW_ENABLE_DISK_CACHE",
        "SIMPLEFLOW_BINARIES_DIRECTORY",
        "ACTIVITY_SIGTERM_WAIT_SEC",
        "put_setting",
        "configure",
        "print_settings",
    ),
    "simpleflow.signal": (),
    "simpleflow.storage": (
        "BUCKET_CACHE",
        "BUCKET_LOCATIONS_CACHE",
        "get_client",
        "get_resource",
        "sanitize_bucket_and_host",
        "get_bucket",
        "pull",
        "pull_content",
        "push",
        "push_content",
        "list_keys",
    ),
    "simpleflow.step.constants": ("STEP_ACTIVITY_PARAMS_DEFAULT", "UNKNOWN_CONTEXT"),
    "simpleflow.step.submittable": ("Step",),
    "simpleflow.step.tasks": ("GetStepsDoneTask", "MarkStepDoneTask"),
    "simpleflow.step.utils": (
        "should_force_step",
        "should_skip_step",
        "step_will_run",
        "step_is_forced",
        "get_step_force_reasons",
        "step_is_skipped_by_force",
        "get_step_skip_reasons",
    ),
    "simpleflow.step.workflow": ("WorkflowStepMixin",),
    "simpleflow.swf.executor": ("Executor",),
    "simpleflow.swf.task": (
        "SwfTask",
        "ActivityTask",
        "WorkflowTask",
        "SignalTask",
        "MarkerTask",
        "TimerTask",
        "CancelTimerTask",
    ),
    "simpleflow.swf.mapper.core": ("ConnectedSWFObject",),
    "simpleflow.swf.mapper.exceptions": (
        "DoesNotExistError",
        "AlreadyExistsError",
        "ResponseError",
        "InvalidCredentialsError",
        "RateLimitExceededError",
        "extract_error_code",
    ),
    "simpleflow.swf.mapper.models": (
        "BaseModel",
        "Domain",
        "History",
        "WorkflowExecution",
        "WorkflowType",
        "ActivityType",
    ),
    "simpleflow.swf.mapper.models.domain": ("Domain",),
    "simpleflow.swf.mapper.models.workflow": ("WorkflowExecution", "WorkflowType"),
    "simpleflow.swf.mapper.models.activity": ("ActivityType",),
    "simpleflow.swf.mapper.models.history": ("History",),
    "simpleflow.swf.mapper.querysets": (
        "DomainQuerySet",
        "WorkflowTypeQuerySet",
        "WorkflowExecutionQuerySet",
        "ActivityTypeQuerySet",
    ),
    "simpleflow.swf.mapper.querysets.domain": ("DomainQuerySet",),
    "simpleflow.swf.mapper.querysets.workflow": ("WorkflowExecutionQuerySet", "WorkflowTypeQuerySet"),
    "simpleflow.swf.mapper.querysets.activity": ("ActivityTypeQuerySet",),
    "simpleflow.swf.mapper.actors": ("Actor", "Decider", "ActivityWorker"),
    "simpleflow.task": (
        "ActivityTask",
        "CancelTimerTask",
        "ChildWorkflowTask",
        "MarkerTask",
        "SignalTask",
        "Task",
        "TaskFailureContext",
        "TimerTask",
        "WorkflowTask",
        "get_actual_value",
    ),
    "simpleflow.workflow": ("Workflow",),
    "simpleflow.download": ("RemoteBinary", "download_binaries", "with_binaries"),
    "simpleflow.local.executor": ("Executor",),
}

# Names that cannot be kept: importing them fails with a one-line message naming what to use instead.
MIGRATED = (
    ("simpleflow.swf.mapper.models", "ActivityTask"),
    ("simpleflow.swf.mapper.querysets", "HistoryQuerySet"),
    ("simpleflow.swf.task", "NonPythonicActivityTask"),
    ("simpleflow.swf.task", "ContinueAsNewWorkflowTask"),
    ("simpleflow.canvas", "DynamicActivitiesBuilder"),
)


def _cases(table: dict[str, tuple[str, ...]], *marks: pytest.MarkDecorator) -> list:
    return [
        pytest.param(module, name, id=f"{module}.{name}", marks=marks)
        for module, names in table.items()
        for name in names
    ]


def _import(module: str, name: str) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(f"from {module} import {name}", namespace)  # exactly what a user's module does
    return namespace


@pytest.mark.parametrize(
    ("module", "name"),
    _cases(IMPORTABLE),
)
def test_upstream_name_imports(module: str, name: str) -> None:
    assert name in _import(module, name)


@pytest.mark.parametrize(("module", "name"), [pytest.param(m, n, id=f"{m}.{n}") for m, n in MIGRATED])
def test_removed_name_says_what_to_use_instead(module: str, name: str) -> None:
    with pytest.raises(ImportError) as raised:
        _import(module, name)
    message = str(raised.value)
    assert "\n" not in message and name in message and "instead" in message


def test_the_lists_do_not_overlap() -> None:
    """A name is either importable or migrated: never both, never twice."""
    seen = [(m, n) for m, names in IMPORTABLE.items() for n in names]
    seen += list(MIGRATED)
    assert len(seen) == len(set(seen))
