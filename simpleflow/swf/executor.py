"""simpleflow 0.x's ``simpleflow.swf.executor.Executor(domain, workflow_class, task_list=None)``.

It is this project's replay executor (:class:`simpleflow.executor.Executor`), the one every decider
uses, built with 0.x's arguments: ``domain`` (a name or a ``Domain``, kept as :attr:`Executor.domain`)
and ``task_list``, the task list every activity is sent to (as ``standalone`` does), or None for each
activity's own. :meth:`Executor.replay` takes a decision task (boto3's ``poll_for_decision_task``
response with every page's events in ``events``) and returns a :class:`~simpleflow.executor.Replay`
(``decisions``, ``execution_context``).

0.x's ``repair_with`` / ``force_activities`` are refused with the command to use instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from simpleflow import executor
from simpleflow.exceptions import ConfigurationError
from simpleflow.executor import Replay

if TYPE_CHECKING:
    from simpleflow.history import History
    from simpleflow.payload import PayloadStore
    from simpleflow.workflow import Workflow

__all__ = ["Executor", "Replay"]


class Executor(executor.Executor):
    """The replay executor with 0.x's constructor; see the module documentation."""

    def __init__(
        self,
        domain: Any,
        workflow_class: type[Workflow],
        task_list: str | None = None,
        repair_with: Any = None,
        *,
        force_activities: Any = None,
        repair_workflow_id: str | None = None,
        repair_run_id: str | None = None,
        payload_store: PayloadStore | None = None,
    ) -> None:
        if repair_with is not None or force_activities is not None or repair_workflow_id or repair_run_id:
            raise ConfigurationError(
                "swf Executor(repair_with=..., force_activities=...) is not supported here; "
                "repair an execution with `simpleflow standalone --repair WORKFLOW_ID` instead"
            )
        super().__init__(workflow_class, activity_task_list=task_list, payload_store=payload_store)
        self.domain = domain if isinstance(domain, str) else domain.name
        self.task_list = task_list

    @property
    def workflow_class(self) -> type[Workflow]:
        """0.x's name of the workflow class."""
        return self.workflow_cls

    def replay(self, decision_task: Any, *, history: History | None = None, **_: Any) -> Replay:
        """Replay a decision task: a dict as boto3 returns it, or an object with ``history``/``execution``."""
        if not isinstance(decision_task, Mapping):
            events = getattr(decision_task, "history", None)
            events = getattr(events, "raw", events) or []
            execution = getattr(decision_task, "execution", None)
            decision_task = {
                "events": list(events),
                "workflowExecution": _execution_dict(execution),
                "taskToken": getattr(decision_task, "token", None),
            }
        return super().replay(decision_task, history=history)


def _execution_dict(execution: Any) -> dict[str, Any]:
    if execution is None:
        return {}
    if isinstance(execution, Mapping):
        return dict(execution)
    return {"workflowId": getattr(execution, "workflow_id", ""), "runId": getattr(execution, "run_id", "")}
