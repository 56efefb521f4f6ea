"""A child's parent close policy, carried out by the parent's decider when the parent closes by a decision.

SWF applies a *parent's* ``childPolicy`` to all its open children only when the parent is terminated or
times out; when the parent completes, fails, is canceled or continues as new by its own decision, SWF
leaves the children running. Temporal users expect a policy per child that also covers those closes, so a
child started with ``parent_close_policy="REQUEST_CANCEL"`` (:mod:`simpleflow.child_options`, recorded in
the start's ``control``) gets a ``RequestCancelExternalWorkflowExecution`` decision in the same response
as the parent's closing decision. The policy is read from the history, not from ``run()``, so a fresh
replay and a cancel request (which does not run ``run()``) decide the same.

A child whose start is decided in that same response (fire and forget) gets its request too. The
embedded service carries both out in order; on Amazon SWF the start and the request are asynchronous, so
the request may reach SWF before the child exists and then fails unseen (the parent's history is closed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simpleflow import decisions
from simpleflow.child_options import parent_close_policy_of
from simpleflow.history import History, TaskKind

__all__ = ["CLOSES_BY_DECISION", "parent_close_requests"]

#: The closing decisions after which SWF leaves the children running (the decider applies the policy).
CLOSES_BY_DECISION = frozenset(
    {
        "CompleteWorkflowExecution",
        "FailWorkflowExecution",
        "CancelWorkflowExecution",
        "ContinueAsNewWorkflowExecution",
    }
)

_START = "StartChildWorkflowExecution"
_CANCEL = "RequestCancelExternalWorkflowExecution"


def _attributes(decision: dict[str, Any]) -> dict[str, Any]:
    kind = decision["decisionType"]
    attributes: dict[str, Any] = decision[kind[0].lower() + kind[1:] + "DecisionAttributes"]
    return attributes


def parent_close_requests(
    history: History, pending: Sequence[dict[str, Any]], *, closing: dict[str, Any]
) -> list[dict[str, Any]]:
    """The cancel requests to send before ``closing``, for the open children whose policy asks for one.

    ``pending`` are the other decisions of the response (children started in it, cancel requests
    already made). Nothing when ``closing`` is not a close by decision.
    """
    if closing["decisionType"] not in CLOSES_BY_DECISION:
        return []
    asked = {_attributes(d)["workflowId"] for d in pending if d["decisionType"] == _CANCEL}
    requests: list[dict[str, Any]] = []

    def ask(workflow_id: str, run_id: str | None) -> None:
        if workflow_id in asked:
            return
        asked.add(workflow_id)
        # The child's task id as control, as run()'s own cancel sends it: the history reads it back.
        requests.append(
            decisions.request_cancel_external_workflow_execution(
                workflow_id, run_id=run_id, control=workflow_id
            )
        )

    for record in history.tasks(TaskKind.CHILD_WORKFLOW):
        last = record.last
        if not last.state.is_open or last.cancel_requested:
            continue
        if parent_close_policy_of(last.control) != "REQUEST_CANCEL":
            continue
        sent = history.sent_request(record.task_id)
        if sent is not None and sent.cause is None:
            continue  # run() asked already (a refused request has a cause: ask again)
        ask(record.task_id, last.run_id)
    for decision in pending:
        if decision["decisionType"] != _START:
            continue
        attributes = _attributes(decision)
        if parent_close_policy_of(attributes.get("control")) == "REQUEST_CANCEL":
            ask(attributes["workflowId"], None)
    return requests
