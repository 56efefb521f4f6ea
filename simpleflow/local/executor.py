"""simpleflow 0.x's ``simpleflow.local.executor.Executor``: ``Executor(MyWorkflow).run(input)``.

It runs the workflow exactly as ``simpleflow workflow.start --local`` does
(:func:`simpleflow.local.run_workflow`: the replay executor on the embedded service in memory,
activities on a worker pool), and returns its result. ``input`` takes 0.x's form,
``{"args": [...], "kwargs": {...}}``, or a list of positional arguments. A failed execution raises
:class:`~simpleflow.exceptions.WorkflowFailed`.

0.x's ``repair_with`` / ``repair_workflow_id`` / ``repair_run_id`` are refused with the command to use
instead (``simpleflow standalone --repair`` and ``simpleflow workflow.restart`` repair here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simpleflow.exceptions import ConfigurationError

if TYPE_CHECKING:
    from simpleflow.workflow import Workflow

__all__ = ["Executor"]


class Executor:
    """Runs ``workflow_class`` locally; see the module documentation."""

    def __init__(
        self,
        workflow_class: type[Workflow],
        repair_with: Any = None,
        *,
        repair_workflow_id: str | None = None,
        repair_run_id: str | None = None,
        nb_workers: int | None = None,
        processes: bool = False,
    ) -> None:
        if repair_with is not None or repair_workflow_id is not None or repair_run_id is not None:
            raise ConfigurationError(
                "local Executor(repair_with=...) is not supported here; repair an execution with "
                "`simpleflow standalone --repair WORKFLOW_ID` or `simpleflow workflow.restart` instead"
            )
        self.workflow_class = workflow_class
        self.nb_workers = nb_workers
        self.processes = processes

    def run(self, input: Any = None) -> Any:
        """Run one execution with ``input`` to its end and return its result."""
        from simpleflow.local import run_workflow

        return run_workflow(self.workflow_class, input, nb_workers=self.nb_workers, processes=self.processes)
