"""The attributes of the step bookkeeping activities (simpleflow 0.x's defaults)."""

from __future__ import annotations

from typing import Any

from simpleflow.constants import HOUR, MINUTE

__all__ = ["STEP_ACTIVITY_PARAMS_DEFAULT", "UNKNOWN_CONTEXT"]

#: How :class:`~simpleflow.step.tasks.GetStepsDoneTask` and ``MarkStepDoneTask`` are scheduled; a
#: workflow's ``get_step_activity_params()`` overrides any of them.
STEP_ACTIVITY_PARAMS_DEFAULT: dict[str, Any] = {
    "schedule_to_start_timeout": 4 * HOUR,
    "start_to_close_timeout": 1 * MINUTE,
    "schedule_to_close_timeout": 4 * HOUR + MINUTE,
    "heartbeat_timeout": 3 * MINUTE,
    "task_priority": 100,
    "version": "1.0",
    "idempotent": True,
    "raises_on_failure": True,
    "retry": 1,
}

#: What a step marker holds when the activity ran outside a worker (no execution to name).
UNKNOWN_CONTEXT = {"run_id": "unknown", "workflow_id": "unknown", "version": "unknown"}
