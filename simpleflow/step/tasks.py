"""The step bookkeeping activities: list the steps done, mark a step done.

A step is done when an object named after it exists under the workflow's step prefix, in the location
:meth:`~simpleflow.step.workflow.WorkflowStepMixin.get_step_bucket` names (S3 or a directory; see
:mod:`simpleflow.storage.objects`). The object holds the execution that marked it.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from simpleflow import activity, storage
from simpleflow.step.constants import STEP_ACTIVITY_PARAMS_DEFAULT, UNKNOWN_CONTEXT

__all__ = ["GetStepsDoneTask", "MarkStepDoneTask"]


class GetStepsDoneTask:
    """The names of the steps done under ``bucket``/``path``."""

    def __init__(self, bucket: str, path: str) -> None:
        self.bucket = bucket
        self.path = path
        self.path_len = len(path) + (0 if path.endswith("/") else 1)

    def execute(self) -> list[str]:
        """List the step objects under the prefix, by name."""
        return [stored.key[self.path_len :] for stored in storage.list_keys(self.bucket, self.path)]


class MarkStepDoneTask:
    """Record that ``step_name`` is done, under ``bucket``/``path``."""

    context: Any

    def __init__(self, bucket: str, path: str, step_name: str) -> None:
        self.bucket = bucket
        self.path = path
        self.step_name = step_name

    def execute(self) -> None:
        """Write the step's object, naming the execution that ran it."""
        storage.push_content(
            self.bucket, posixpath.join(self.path, self.step_name), json.dumps(self._execution())
        )

    def _execution(self) -> dict[str, Any]:
        context = getattr(self, "context", None)
        if isinstance(context, dict) and "workflow_id" in context:
            return {key: context.get(key, "unknown") for key in UNKNOWN_CONTEXT}
        bound = activity.get_context()
        if bound is None:
            return dict(UNKNOWN_CONTEXT)
        return {"run_id": bound.run_id, "workflow_id": bound.workflow_id, "version": "unknown"}


# Registered at import, so that a worker that has not seen the workflow finds them by name.
activity.Activity(GetStepsDoneTask, **STEP_ACTIVITY_PARAMS_DEFAULT)
activity.Activity(MarkStepDoneTask, **STEP_ACTIVITY_PARAMS_DEFAULT)
