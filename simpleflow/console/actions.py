"""What the console's forms do to an execution: signal, request cancel, terminate and restart.

Each action reads its form, checks its values against SWF's limits before anything is sent (a clear
error and the form kept, rather than a fault from SWF), and acts through :mod:`simpleflow.swf.models`, as
the ``workflow.*`` commands do. The security checks (CSRF, origin, read-only) are the caller's, in
:mod:`simpleflow.console.security`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from simpleflow import payload
from simpleflow.cli.lookup import find_execution
from simpleflow.console.errors import ConsoleRequestError
from simpleflow.swf.client import SWFClient
from simpleflow.swf.models import ExecutionStatus, WorkflowExecution

ACTIONS = ("signal", "cancel", "terminate", "restart")
#: SWF's longest signal name.
SIGNAL_NAME_LIMIT = 256
RESTART_REASON = "restarted from the simpleflow console"


@dataclass(frozen=True)
class Outcome:
    """What an action did: a fixed message code for the page and the run to show next."""

    notice: str
    workflow_id: str
    run_id: str


def _within(text: str | None, *, kind: str, label: str) -> str | None:
    limit = payload.FIELD_LIMITS[kind]
    if text is not None and len(text) > limit:
        raise ConsoleRequestError(f"{label} is {len(text)} characters; SWF allows at most {limit}")
    return text


def _open(execution: WorkflowExecution) -> WorkflowExecution:
    if execution.status is not ExecutionStatus.OPEN:
        raise ConsoleRequestError(
            f"run {execution.run_id} of {execution.workflow_id} is already closed ({execution.close_status})",
            status=409,
        )
    return execution


def restart(execution: WorkflowExecution) -> WorkflowExecution:
    """Start a new run like ``execution`` (an open run is terminated first: one open run per workflow id)."""
    return execution.restart(reason=RESTART_REASON)


def perform(client: SWFClient, domain: str, *, action: str, form: Mapping[str, str]) -> Outcome:
    """Carry out ``action`` on the run named by the form's ``workflow_id`` and ``run_id``.

    Raises ConsoleRequestError for an unknown action, a missing confirmation or a bad value.
    """
    if action not in ACTIONS:
        raise ConsoleRequestError(f"unknown action {action!r}", status=404)
    if form.get("confirm") != "yes":
        raise ConsoleRequestError(f"{action} was not confirmed: tick the confirmation box")
    workflow_id, run_id = form.get("workflow_id", ""), form.get("run_id", "")
    if not workflow_id or not run_id:
        raise ConsoleRequestError("the form names no execution (workflow_id and run_id)")
    execution = find_execution(client, domain, workflow_id=workflow_id, run_id=run_id)
    if action == "signal":
        name = form.get("signal_name", "").strip()
        if not name:
            raise ConsoleRequestError("a signal needs a name")
        if len(name) > SIGNAL_NAME_LIMIT:
            raise ConsoleRequestError(f"a signal name is at most {SIGNAL_NAME_LIMIT} characters")
        text = form.get("signal_input", "").strip()
        signal_input = None
        if text:
            try:
                value = json.loads(text)
            except ValueError as error:
                raise ConsoleRequestError(f"the signal's input is not JSON: {error}") from None
            signal_input = _within(payload.encode(value), kind="signal_input", label="the signal's input")
        _open(execution).signal(name, signal_input=signal_input)
        return Outcome("signaled", workflow_id, run_id)
    if action == "cancel":
        _open(execution).request_cancel()
        return Outcome("cancel-requested", workflow_id, run_id)
    if action == "terminate":
        reason = _within(form.get("reason") or None, kind="reason", label="the reason")
        details = _within(form.get("details") or None, kind="details", label="the details")
        _open(execution).terminate(reason=reason, details=details)
        return Outcome("terminated", workflow_id, run_id)
    fresh = restart(execution)
    assert fresh.run_id is not None, "a started run has a run id"
    return Outcome("restarted", fresh.workflow_id, fresh.run_id)
