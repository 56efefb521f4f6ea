"""What one decision task answers: the decisions, cut to SWF's limits, and the execution context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simpleflow import decisions, payload
from simpleflow.history import History, TaskKind, TimerState
from simpleflow.task import internal_timer_id

__all__ = ["RESPONSE_OVERHEAD_BYTES", "Replay", "execution_context", "fit_response"]

#: Room kept in a response for the task token, the execution context and the JSON envelope.
RESPONSE_OVERHEAD_BYTES = 64 * 1024
_WAKE_UP = "wake-up"


@dataclass(frozen=True)
class Replay:
    """The outcome of one replay: the decisions to send and the execution context to attach.

    ``backoff_seconds`` is how long the decider should wait before sending them (non-zero only when SWF
    refused a timer for its rates or limits; see the module documentation).
    """

    decisions: list[dict[str, Any]] = field(default_factory=list)
    execution_context: str | None = None
    backoff_seconds: float = 0.0


def fit_response(decisions_: list[dict[str, Any]], history: History) -> list[dict[str, Any]]:
    """``decisions_`` cut to SWF's limits, with a zero-second wake-up timer when anything was cut."""
    budget = decisions.MAX_REQUEST_BYTES - RESPONSE_OVERHEAD_BYTES
    sizes = [decisions.decision_size(decision) for decision in decisions_]
    if len(decisions_) <= decisions.MAX_DECISIONS_PER_RESPONSE and sum(sizes) <= budget:
        return decisions_
    wake_ups = sum(1 for timer in history.timers() if timer.timer_id.startswith(internal_timer_id(_WAKE_UP)))
    wake_up = decisions.start_timer(internal_timer_id(_WAKE_UP, wake_ups + 1), start_to_fire_timeout=0)
    kept: list[dict[str, Any]] = []
    total = decisions.decision_size(wake_up)
    for decision, size in zip(decisions_, sizes, strict=True):
        if decision["decisionType"] in decisions.CLOSING_DECISION_TYPES:
            break  # never close the execution while decisions are left for the next turn
        if len(kept) + 1 >= decisions.MAX_DECISIONS_PER_RESPONSE or total + size > budget:
            break
        kept.append(decision)
        total += size
    return [*kept, wake_up]


def execution_context(history: History, sent: list[dict[str, Any]], blocked_on: str | None) -> str:
    """The JSON summary attached to a decision (see the module documentation): small and deterministic."""
    open_tasks = {kind.value: history.open_count(kind) for kind in TaskKind}
    open_tasks["timer"] = sum(1 for timer in history.timers() if timer.state is TimerState.STARTED)
    decided: dict[str, int] = {}
    for decision in sent:
        decided[decision["decisionType"]] = decided.get(decision["decisionType"], 0) + 1
    summary = {"open": open_tasks, "decided": decided, "waiting_on": blocked_on}
    return payload.encode(summary, field="execution context")[: payload.FIELD_LIMITS["control"]]
