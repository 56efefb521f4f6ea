"""``Step``: activities that run once, and are skipped by later executions once they are done.

Submitting ``Step("load", activities)`` (from a workflow with :class:`~simpleflow.step.WorkflowStepMixin`)
asks which steps are done (an activity, :class:`~simpleflow.step.tasks.GetStepsDoneTask`), then:

- when the step runs (not done yet, or forced): records a ``log.step`` marker ``scheduled``, runs
  ``activities``, marks the step done (:class:`~simpleflow.step.tasks.MarkStepDoneTask`) and records a
  ``log.step`` marker ``completed``; ``force_steps_if_executed`` are then forced for the rest of the run;
- otherwise: runs ``activities_if_step_already_done`` if given and records a ``log.step`` marker
  ``skipped`` with the reasons.

With ``emit_signal`` the step signals ``step.<name>`` to this execution when it ends. A failure inside
raises in ``run()`` only with ``bubbles_exception_on_failure``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, Protocol, cast

from simpleflow import activity
from simpleflow.futures import Future
from simpleflow.runtime.canvas import DIRECTLY, Canvas, Chain, FuncGroup, Reach, Submitter
from simpleflow.step.selection import (
    get_step_force_reasons,
    get_step_skip_reasons,
    step_is_forced,
    step_is_skipped_by_force,
    step_will_run,
)
from simpleflow.step.tasks import MarkStepDoneTask
from simpleflow.task import ActivityTask


class StepWorkflow(Protocol):
    """What a step asks of its workflow: :class:`~simpleflow.step.workflow.WorkflowStepMixin` gives it.

    A protocol, not the mixin itself: ``simpleflow.step.workflow`` imports this module (for
    ``WorkflowStepMixin.step``), so this one must not import it back.
    """

    def get_steps_done_activity(self) -> ActivityTask: ...
    def get_forced_steps(self) -> list[str]: ...
    def get_skipped_steps(self) -> list[str]: ...
    def add_forced_steps(self, steps: Sequence[str], reason: str | None = None) -> None: ...
    def _get_step_activity_params(self) -> dict[str, Any]: ...
    def get_step_bucket(self) -> str: ...
    def get_step_path_prefix(self) -> str: ...
    def record_marker(self, name: str, details: Any = None) -> Any: ...


__all__ = ["MARKER_NAME", "Step"]

#: The name of the markers a step records.
MARKER_NAME = "log.step"


class Step(Canvas):
    """A named step; see the module documentation."""

    def __init__(
        self,
        step_name: str,
        activities: Any,
        force: bool = False,
        activities_if_step_already_done: Any = None,
        emit_signal: bool = False,
        force_steps_if_executed: Sequence[str] | None = None,
        bubbles_exception_on_failure: bool = False,
    ) -> None:
        self.step_name = step_name
        self._activities = activities
        self.force = force
        self.activities_if_step_already_done = activities_if_step_already_done
        self.emit_signal = emit_signal
        self.force_steps_if_executed = list(force_steps_if_executed or [])
        self.bubbles_exception_on_failure = bubbles_exception_on_failure
        self.raises_on_failure = bubbles_exception_on_failure
        self._planned: dict[int, tuple[Any, Chain]] = {}

    def __repr__(self) -> str:
        return f"Step({self.step_name!r})"

    @property
    def activities(self) -> Any:
        """What the step runs when it is not done yet (upstream's attribute)."""
        return self._activities

    def _canvas(self, workflow: StepWorkflow) -> Chain:
        return Chain(
            workflow.get_steps_done_activity(),
            FuncGroup(lambda steps_done: self._after_lookup(workflow, steps_done)),
            send_result=True,
            raises_on_failure=self.bubbles_exception_on_failure,
        )

    def plan(self, scheduler: Submitter) -> Any:
        canvas = self._canvas(_step_workflow(scheduler))
        plan = canvas.plan(scheduler)
        # Kept with its plan: a live run runs the same canvas again at later decision tasks.
        self._planned[id(plan)] = (plan, canvas)
        return plan

    def run(self, scheduler: Submitter, plan: Any, reach: Reach = DIRECTLY) -> Future:
        kept = self._planned.get(id(plan))
        canvas = kept[1] if kept is not None and kept[0] is plan else self._canvas(_step_workflow(scheduler))
        return canvas.run(scheduler, plan, reach)

    def _after_lookup(self, workflow: StepWorkflow, steps_done: Sequence[str]) -> Canvas:
        marker: dict[str, Any] = {
            "step": self.step_name,
            "status": "scheduled",
            "forced": False,
            "reasons": [],
        }
        forced, skipped = workflow.get_forced_steps(), workflow.get_skipped_steps()
        if step_will_run(self.step_name, forced, skipped, steps_done or [], self.force):
            if step_is_forced(self.step_name, forced, self.force):
                marker["forced"] = True
                marker["reasons"] = get_step_force_reasons(
                    self.step_name, getattr(workflow, "steps_forced_reasons", {})
                )
            done = {**copy.deepcopy(marker), "status": "completed"}
            workflow.add_forced_steps(self.force_steps_if_executed, f"Dep of {self.step_name}")
            _record(workflow, marker)
            mark = ActivityTask(
                activity.Activity(MarkStepDoneTask, **workflow._get_step_activity_params()),
                workflow.get_step_bucket(),
                workflow.get_step_path_prefix(),
                self.step_name,
            )
            return _Then(Chain(*_items(self.activities), mark), lambda: self._ended(workflow, done))
        marker["status"] = "skipped"
        if step_is_skipped_by_force(self.step_name, skipped):
            marker["forced"] = True
            marker["reasons"] = get_step_skip_reasons(
                self.step_name, getattr(workflow, "steps_skipped_reasons", {})
            )
        else:
            marker["reasons"] = ["Step was already played"]
        return _Then(
            Chain(*_items(self.activities_if_step_already_done)), lambda: self._ended(workflow, marker)
        )

    def _ended(self, workflow: StepWorkflow, marker: dict[str, Any]) -> None:
        _record(workflow, marker)
        if self.emit_signal:
            workflow.signal(f"step.{self.step_name}", propagate=False)  # type: ignore[attr-defined]


def _items(activities: Any) -> tuple[Any, ...]:
    if activities is None:
        return ()
    if isinstance(activities, (list, tuple)):
        return tuple(activities)
    return (activities,)


def _step_workflow(scheduler: Submitter) -> StepWorkflow:
    workflow = scheduler.workflow
    if not callable(getattr(workflow, "get_steps_done_activity", None)):
        raise TypeError(
            f"Step needs a workflow with WorkflowStepMixin: "
            f"class {type(workflow).__name__}(WorkflowStepMixin, Workflow)"
        )
    return cast(StepWorkflow, workflow)


class _Then(Canvas):
    """``canvas``, then ``callback()`` in the replay where it ended without failing."""

    def __init__(self, canvas: Canvas, callback: Callable[[], None]) -> None:
        self.canvas = canvas
        self.callback = callback
        self.raises_on_failure = canvas.raises_on_failure

    def plan(self, scheduler: Submitter) -> Any:
        return self.canvas.plan(scheduler)

    def run(self, scheduler: Submitter, plan: Any, reach: Reach = DIRECTLY) -> Future:
        future = self.canvas.run(scheduler, plan, reach)
        if future._is_done() and future._exception is None:
            self.callback()
        return future


def _record(workflow: Any, details: dict[str, Any]) -> None:
    """Record a ``log.step`` marker once per execution, whatever order this replay reaches the steps in.

    Markers match the history by name and details (the n-th equal marker matches the n-th recorded), so
    steps running in parallel, which reach their markers in another order from one replay to the next,
    record each marker once.
    """
    workflow.record_marker(MARKER_NAME, details)
