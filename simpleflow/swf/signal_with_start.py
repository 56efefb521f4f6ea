"""Signal-with-start: signal an execution, starting it first when it is not open.

SWF has no atomic form of it (Temporal's ``SignalWithStartWorkflowExecution``), so it takes two calls,
and another client can act between them:

- the execution is not open when signaled (``UnknownResourceFault``), but another client starts it
  before this one does (``WorkflowExecutionAlreadyStartedFault``): it is signaled again;
- the execution is open when ``start`` is refused (``WorkflowExecutionAlreadyStartedFault``), but it
  closes before the signal reaches it (``UnknownResourceFault``): it is started again.

Each round tries the other branch, up to ``max_attempts`` rounds, then raises
:class:`~simpleflow.exceptions.SignalWithStartFailed`. The started execution's first decision task may
run before the signal arrives: the workflow should wait for it with ``wait_signal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simpleflow import payload
from simpleflow.exceptions import ConfigurationError, SignalWithStartFailed, SWFError, UnknownResource
from simpleflow.swf.client import swf_errors

if TYPE_CHECKING:
    from simpleflow.workflow import Workflow

__all__ = ["ALREADY_STARTED_FAULT", "SignalWithStartResult", "signal_with_start"]

#: SWF's fault for a ``StartWorkflowExecution`` whose workflow id is open.
ALREADY_STARTED_FAULT = "WorkflowExecutionAlreadyStartedFault"
DEFAULT_MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class SignalWithStartResult:
    """What :func:`signal_with_start` did: ``started`` a new run (``run_id``), or signaled an open one."""

    workflow_id: str
    #: The run started, or ``None`` when an open run was signaled (SWF's signal names no run).
    run_id: str | None
    started: bool
    #: Rounds it took: more than 1 when another client raced it (see the module documentation).
    attempts: int


def signal_with_start(
    client: Any,
    workflow_cls: type[Workflow],
    *,
    domain: str,
    workflow_id: str,
    signal_name: str,
    input: Any = None,
    signal_input: Any = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    payload_store: payload.PayloadStore | None = None,
    **start_options: Any,
) -> SignalWithStartResult:
    """Signal ``signal_name`` (JSON ``signal_input``) to the open execution ``workflow_id``, or start it
    (``workflow_cls`` with ``input``; ``start_options`` as :func:`~simpleflow.execution.start_execution`
    takes them) and signal the run started. See the module documentation for the races it handles."""
    from simpleflow.execution import start_execution

    if max_attempts < 1:
        raise ConfigurationError(f"max_attempts is at least 1, not {max_attempts}")
    signal_text = None
    if signal_input is not None:
        signal_text = payload.encode_field(
            "signal_input", signal_input, store=payload_store, field="signal input"
        )
    for attempt in range(1, max_attempts + 1):
        try:
            _signal(client, domain, workflow_id, signal_name, signal_text, run_id=None)
            return SignalWithStartResult(workflow_id, None, started=False, attempts=attempt)
        except UnknownResource:
            pass  # not open: start it
        try:
            execution = start_execution(
                client,
                workflow_cls,
                input,
                domain=domain,
                workflow_id=workflow_id,
                payload_store=payload_store,
                **start_options,
            )
        except SWFError as error:
            if error.code != ALREADY_STARTED_FAULT:
                raise
            continue  # started by another client since the signal: signal it
        try:
            _signal(client, domain, workflow_id, signal_name, signal_text, run_id=execution["runId"])
        except UnknownResource:
            continue  # the run closed before the signal (e.g. terminated): start another
        return SignalWithStartResult(workflow_id, execution["runId"], started=True, attempts=attempt)
    raise SignalWithStartFailed(workflow_id, signal_name=signal_name, attempts=max_attempts)


def _signal(
    client: Any, domain: str, workflow_id: str, signal_name: str, text: str | None, *, run_id: str | None
) -> None:
    params: dict[str, Any] = {"domain": domain, "workflowId": workflow_id, "signalName": signal_name}
    if run_id is not None:
        params["runId"] = run_id
    if text is not None:
        params["input"] = text
    with swf_errors("SignalWorkflowExecution"):
        client.signal_workflow_execution(**params)
