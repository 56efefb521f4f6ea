"""Steps: parts of a workflow that run once and are skipped by later executions once done.

::

    from simpleflow import Workflow
    from simpleflow.step import Step, WorkflowStepMixin

    class Pipeline(WorkflowStepMixin, Workflow):
        def run(self):
            self.add_forced_steps(["report"])
            self.submit(Step("load", ActivityTask(load)))
            ...

See :mod:`simpleflow.step.submittable` for what a step does and :mod:`simpleflow.step.workflow` for
where the steps done are recorded (S3, or the payload store's location).
"""

from __future__ import annotations

from simpleflow.step.constants import STEP_ACTIVITY_PARAMS_DEFAULT, UNKNOWN_CONTEXT
from simpleflow.step.selection import (
    get_step_force_reasons,
    get_step_skip_reasons,
    should_force_step,
    should_skip_step,
    step_is_forced,
    step_is_skipped_by_force,
    step_will_run,
)
from simpleflow.step.submittable import MARKER_NAME, Step
from simpleflow.step.tasks import GetStepsDoneTask, MarkStepDoneTask
from simpleflow.step.workflow import WorkflowStepMixin

__all__ = [
    "MARKER_NAME",
    "STEP_ACTIVITY_PARAMS_DEFAULT",
    "UNKNOWN_CONTEXT",
    "GetStepsDoneTask",
    "MarkStepDoneTask",
    "Step",
    "WorkflowStepMixin",
    "get_step_force_reasons",
    "get_step_skip_reasons",
    "should_force_step",
    "should_skip_step",
    "step_is_forced",
    "step_is_skipped_by_force",
    "step_will_run",
]
