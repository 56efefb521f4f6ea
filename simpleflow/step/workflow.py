"""``WorkflowStepMixin``: what a workflow needs to submit :class:`~simpleflow.step.Step` s.

Where steps are recorded (:meth:`WorkflowStepMixin.get_step_bucket`): simpleflow 0.x's S3 bucket
``SIMPLEFLOW_S3_HOST/STEP_BUCKET`` when ``STEP_BUCKET`` is configured; otherwise, when a payload store
is configured (``SIMPLEFLOW_PAYLOAD_STORE``, or the one ``--local`` and ``standalone`` set up), its
``steps`` sub-location (``s3://bucket/prefix/steps`` or ``file:///dir/steps``); else 0.x's default
bucket. Under it, each execution's steps are at ``get_step_path_prefix()`` (``<workflow id>/steps/``).
Override either method to choose.
"""

from __future__ import annotations

import copy
import os
import posixpath
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from simpleflow import activity, settings
from simpleflow.step.constants import STEP_ACTIVITY_PARAMS_DEFAULT
from simpleflow.step.submittable import Step
from simpleflow.step.tasks import GetStepsDoneTask
from simpleflow.task import ActivityTask

__all__ = ["WorkflowStepMixin"]

#: 0.x's ``STEP_BUCKET`` default: left as is, steps go to the payload store when there is one.
DEFAULT_STEP_BUCKET = "step_bucket"


class WorkflowStepMixin:
    """Mix into a ``Workflow`` (``class W(WorkflowStepMixin, Workflow)``) to use steps."""

    steps_forced: set[str]
    steps_forced_reasons: defaultdict[str, set[str]]
    steps_skipped: set[str]
    steps_skipped_reasons: defaultdict[str, set[str]]

    def get_step_bucket(self) -> str:
        """Where the steps are recorded: see the module documentation."""
        configured = "STEP_BUCKET" in os.environ or settings.STEP_BUCKET != DEFAULT_STEP_BUCKET
        store = settings.read_payload_store()
        if not configured and store:
            return store.rstrip("/") + "/steps"
        return "/".join((settings.SIMPLEFLOW_S3_HOST, settings.STEP_BUCKET))

    def get_step_path_prefix(self) -> str:
        """The prefix of this execution's step objects: ``<workflow id>/steps/``."""
        context: Any = self.get_run_context()  # type: ignore[attr-defined]
        workflow_id = context.get("workflow_id") if hasattr(context, "get") else context.workflow_id
        return posixpath.join(workflow_id or "default", "steps/")

    def get_step_activity_params(self) -> dict[str, Any]:
        """Attributes for the step activities, over :data:`STEP_ACTIVITY_PARAMS_DEFAULT`."""
        return {}

    def add_forced_steps(self, steps: Iterable[str], reason: str | None = None) -> None:
        """Force ``steps`` (patterns, see :mod:`simpleflow.step.selection`) for the rest of the run."""
        if not hasattr(self, "steps_forced"):
            self.steps_forced = set()
            self.steps_forced_reasons = defaultdict(set)
        steps = set(steps)
        self.steps_forced |= steps
        if reason:
            for step in steps:
                self.steps_forced_reasons[step].add(reason)

    def get_forced_steps(self) -> list[str]:
        """The forced step patterns."""
        return sorted(getattr(self, "steps_forced", ()))

    def add_skipped_steps(self, steps: Iterable[str], reason: str | None = None) -> None:
        """Skip ``steps`` (patterns) for the rest of the run, unless they are forced."""
        if not hasattr(self, "steps_skipped"):
            self.steps_skipped = set()
            self.steps_skipped_reasons = defaultdict(set)
        steps = set(steps)
        self.steps_skipped |= steps
        if reason:
            for step in steps:
                self.steps_skipped_reasons[step].add(reason)

    def get_skipped_steps(self) -> list[str]:
        """The skipped step patterns."""
        return sorted(getattr(self, "steps_skipped", ()))

    def _get_step_activity_params(self) -> dict[str, Any]:
        params = copy.copy(STEP_ACTIVITY_PARAMS_DEFAULT)
        task_list = getattr(self, "task_list", None)
        if isinstance(task_list, str):
            params["task_list"] = task_list
        params.update(self.get_step_activity_params() or {})
        return params

    def step(self, *args: Any, **kwargs: Any) -> Step:
        """``Step(*args, **kwargs)``."""
        return Step(*args, **kwargs)

    def get_steps_done_activity(self) -> ActivityTask:
        """The task that lists the steps done."""
        return ActivityTask(
            activity.Activity(GetStepsDoneTask, **self._get_step_activity_params()),
            self.get_step_bucket(),
            self.get_step_path_prefix(),
        )

    def get_steps_done(self) -> list[str]:
        """The steps done (blocks ``run()`` until known)."""
        return list(self.submit(self.get_steps_done_activity()).result)  # type: ignore[attr-defined]
