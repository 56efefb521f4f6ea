"""Signals of one run: sent (matched by task id), awaited (by rank) and propagated through the tree.

- **signals sent** by their task id ``signal-<name>-<n>`` (the n-th ``signal(name)`` of ``run()``),
  carried as the decision's ``control``; one refused with a ``*_RATE_EXCEEDED`` cause is sent again once
  a back-off timer fired;
- **signals awaited**: the n-th ``wait_signal(name)`` of ``run()`` is resolved by the n-th signal of
  that name the execution received, whether it arrived before or after the call.

Signals sent with ``propagate=True`` carry :data:`PROPAGATE_KEY` in their input: every execution that
receives one forwards it to its parent and to the children it had started, except to the sender, so
a signal spreads through the whole tree of executions exactly once per execution.
"""

from __future__ import annotations

from typing import Any

from simpleflow import decisions, payload
from simpleflow.exceptions import PayloadError, TaskFailed
from simpleflow.futures import Future
from simpleflow.history import ExternalState, SignalRecord, TaskKind, TaskState
from simpleflow.runtime.events.backoff import BackOff, Gate, is_throttled
from simpleflow.runtime.turn import Turn
from simpleflow.serializer import Serializer
from simpleflow.task import SignalTask, shorten_id

__all__ = ["PROPAGATED_CONTROL_PREFIX", "PROPAGATE_KEY", "Signals"]

#: The key of a signal's input object that asks receivers to forward it to parent and children.
PROPAGATE_KEY = "__propagate"
#: The start of the ``control`` of a signal forwarded to a parent or a child (not sent by ``run()``).
PROPAGATED_CONTROL_PREFIX = "propagate-"


class Signals:
    """The signals one run sends, waits for and forwards, decided into its current turn."""

    def __init__(
        self,
        turn: Turn,
        backoff: BackOff,
        *,
        workflow_id: str,
        run_id: str,
        payload_store: payload.PayloadStore | None,
        serializer: Serializer | str | None,
    ) -> None:
        self.turn = turn
        self.backoff = backoff
        self.workflow_id = workflow_id
        self.run_id = run_id
        self.payload_store = payload_store
        self.serializer = serializer
        #: The task ids of the signals ``run()`` sent so far (decided now or found in the history).
        self.sent_ids: set[str] = set()

    def send(self, future: Future, task: SignalTask, *, rank: int) -> None:
        """Resolve the ``rank``-th ``signal(name)`` of ``run()``, deciding it while the history lacks it."""
        name = task.name
        task_id = shorten_id(f"signal-{name}-{rank}")
        future.task_id = task_id
        self.sent_ids.add(task_id)
        body: dict[str, Any] = {"args": list(task.args), "kwargs": dict(task.kwargs)}
        if task.propagate:
            body[PROPAGATE_KEY] = True
        sent = self.turn.history.sent_request(task_id)
        gate, cause = (Gate.OPEN, None) if not is_throttled(sent) else self.backoff.external_back_off(task_id)
        if gate is Gate.WAITING:
            future.set_running()
        elif gate is Gate.REFUSED:
            future.set_exception(
                TaskFailed(cause, f"SWF refused the back-off timer: {cause}", task_id=task_id)
            )
        elif sent is None or is_throttled(sent):
            text = payload.encode_field(
                "signal_input",
                body,
                store=self.payload_store,
                serializer=self.serializer,
                field=f"signal {name} input",
            )
            workflow_id = task.workflow_id or self.workflow_id
            target_run = task.run_id if task.workflow_id else self.run_id
            self.turn.decisions.append(
                decisions.signal_external_workflow_execution(
                    workflow_id, name, run_id=target_run, input=text, control=task_id
                )
            )
            future.set_running()
        elif sent.state is ExternalState.DELIVERED:
            future.set_result(None)
        elif sent.state is ExternalState.FAILED:
            future.set_exception(TaskFailed(sent.cause, task_id=task_id))
        else:
            future.set_running()

    def value_of(self, signal: SignalRecord) -> Any:
        """A received signal's input, decoded, without the propagation flag."""
        value = payload.decode(signal.input, field=f"signal {signal.name} input", store=self.payload_store)
        if isinstance(value, dict) and PROPAGATE_KEY in value:
            value = {key: item for key, item in value.items() if key != PROPAGATE_KEY}
        return value

    def wait(self, future: Future, name: str, *, rank: int) -> None:
        """Resolve the ``rank``-th ``wait_signal(name)`` with the ``rank``-th signal ``name`` received."""
        future.task_id = f"wait-signal-{name}-{rank}"
        received = self.turn.history.signals(name)
        if len(received) >= rank:
            future.set_result(self.value_of(received[rank - 1]))
        else:
            future.set_running()

    def propagate(self) -> None:
        """Forward each received signal that asks for it to the parent and the children, once."""
        history = self.turn.history
        start = history.start
        for signal in history.signals():
            try:
                value = payload.decode(signal.input, store=self.payload_store)
            except PayloadError:
                continue  # a foreign signal: not ours to forward
            if not (isinstance(value, dict) and value.get(PROPAGATE_KEY)):
                continue
            targets: list[tuple[str, str | None]] = []
            if start is not None and start.parent_workflow_id:
                targets.append((start.parent_workflow_id, start.parent_run_id))
            for child in history.tasks(TaskKind.CHILD_WORKFLOW):
                # Children started after the signal arrived did not exist for it; they do not get it.
                if child.last.state is TaskState.STARTED and child.last.scheduled_event_id < signal.event_id:
                    targets.append((child.task_id, child.last.run_id))
            for target_id, target_run in targets:
                if target_id in (signal.sender_workflow_id, self.workflow_id):
                    continue
                control = f"{PROPAGATED_CONTROL_PREFIX}{signal.event_id}-{target_id}"
                sent = history.sent_request(control)
                if is_throttled(sent) and self.backoff.external_back_off(control)[0] is not Gate.OPEN:
                    continue  # sent again once the back-off timer fires
                if sent is None or is_throttled(sent):
                    self.turn.decisions.append(
                        decisions.signal_external_workflow_execution(
                            target_id, signal.name, run_id=target_run, input=signal.input, control=control
                        )
                    )
