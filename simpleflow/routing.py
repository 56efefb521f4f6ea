"""Keep a whole run on its own task lists: child workflows and new runs decided where the parent is.

The replay executor schedules activities on ``activity_task_list`` when given one, but starts a child
workflow on the child class's own task list, as production wants. A run that owns a private decision
task list (``--local``, ``standalone``) has no decider anywhere else, so :class:`RoutingExecutor` sends
child workflow starts and continue-as-new runs to that list too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

#: Decision type -> the key of its attributes, for the decisions that carry a decision task list.
ROUTED_DECISIONS = {
    "StartChildWorkflowExecution": "startChildWorkflowExecutionDecisionAttributes",
    "ContinueAsNewWorkflowExecution": "continueAsNewWorkflowExecutionDecisionAttributes",
}


def route_decision(decision: Mapping[str, Any], *, decision_task_list: str) -> dict[str, Any]:
    """``decision`` with its decision task list set to ``decision_task_list`` when it carries one."""
    key = ROUTED_DECISIONS.get(decision["decisionType"])
    if key is None:
        return dict(decision)
    return {**decision, key: {**decision[key], "taskList": {"name": decision_task_list}}}


class RoutingExecutor:
    """An executor (same constructor and ``replay``) whose decisions stay on one decision task list."""

    def __init__(
        self,
        workflow_cls: type,
        *,
        decision_task_list: str,
        executor_factory: Callable[..., Any] | None = None,
        **executor_options: Any,
    ) -> None:
        if executor_factory is None:
            from simpleflow.executor import Executor

            executor_factory = Executor
        self.executor = executor_factory(workflow_cls, **executor_options)
        self.decision_task_list = decision_task_list

    def replay(self, decision_task: Mapping[str, Any], **options: Any) -> Any:
        """The wrapped executor's replay, with child starts and new runs routed."""
        replay = self.executor.replay(decision_task, **options)
        decisions = [route_decision(d, decision_task_list=self.decision_task_list) for d in replay.decisions]
        return dataclasses.replace(replay, decisions=decisions)
