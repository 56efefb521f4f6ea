"""Back-off before a decision SWF refused for its rates or limits is made again.

Refusals for SWF's rates and limits are never final. A timer refused with
:data:`TIMER_THROTTLE_CAUSES` is started again under the same id, and asks the decider to wait before
answering (:attr:`~simpleflow.runtime.turn.Turn.decider_backoff`): SWF answers every refused decision
with a new decision task at once, so without that wait the replay would hit the limit again in a tight
loop (and a back-off timer is no way to wait when timers are what SWF refuses). A task, signal or cancel
request refused for a rate is made again once a back-off timer (:meth:`BackOff.back_off`) fired.

**Pacing.** A refusal for a rate (``*_RATE_EXCEEDED``) means SWF's token bucket for that decision type
is empty, and it refills at a published rate (:data:`REFILL_BY_CAUSE`: 200 activities, 200 timers, 12
child starts, 120 signals or cancel requests a second per account). The refusals of one decision task
come back together, so they are spread over the seconds the bucket takes to refill for them: the
``rank``-th of the refusals with that cause still outstanding (tasks whose latest scheduling was
refused, in event order) waits ``ceil(rank / refill)`` seconds, at least 1, doubled for each
refusal in a row of the same task (other executions of the account share the bucket), at most
:data:`MAX_THROTTLE_DELAY`. A cause with no published bucket (open-task limits, Lambda functions) backs
off exponentially. The rank is read from the history, so a replay gives the same delays.

Refused timers (``TIMER_CREATION_RATE_EXCEEDED``) are paced the same way, with one difference: they are
all started again in the same answer, so the decider waits for the last of them, ``ceil(n / 200)``
seconds for ``n`` timers refused together (doubled per refusal in a row), the time SWF's bucket takes to
hold a token for each of them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from enum import Enum
from typing import Any

from simpleflow import decisions
from simpleflow.history import ExternalRequest, ExternalState, TaskRecord, TaskState, TimerRecord, TimerState
from simpleflow.localswf.quotas import AWS_QUOTAS
from simpleflow.localswf.rates import RATE_CAUSES
from simpleflow.runtime.turn import Turn
from simpleflow.task import internal_timer_id

__all__ = [
    "EXTERNAL_THROTTLE_CAUSES",
    "MAX_THROTTLE_DELAY",
    "REFILL_BY_CAUSE",
    "TIMER_THROTTLE_CAUSES",
    "BackOff",
    "Gate",
    "is_throttled",
    "paced_delay",
    "throttle_delay",
]

#: ``StartTimerFailed`` causes that pass: the same timer is started again after the decider waited.
TIMER_THROTTLE_CAUSES = frozenset({"TIMER_CREATION_RATE_EXCEEDED", "OPEN_TIMERS_LIMIT_EXCEEDED"})
#: Refusals of signals and cancel requests sent to other executions that pass with time.
EXTERNAL_THROTTLE_CAUSES = frozenset(
    {
        "SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
        "REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_RATE_EXCEEDED",
    }
)
#: The longest back-off, in seconds, before a decision SWF refused for its rates is made again.
MAX_THROTTLE_DELAY = 60


def throttle_delay(failures: int) -> int:
    """Exponential back-off in whole seconds after ``failures`` refusals in a row: 1, 2, 4, ... 60."""
    return int(min(2 ** max(failures - 1, 0), MAX_THROTTLE_DELAY))


#: SWF's published refill rate (tokens a second, per account) of the bucket each rate cause reports empty.
REFILL_BY_CAUSE: dict[str, float] = {
    RATE_CAUSES[decision_type]: quota.refill for decision_type, quota in AWS_QUOTAS.decisions.items()
}


def paced_delay(cause: str | None, *, failures: int, rank: int = 1) -> int:
    """Whole seconds before a decision refused with ``cause`` is made again (see the module's pacing).

    ``failures``: refusals in a row of this decision; ``rank``: its place (from 1) among the refusals
    with the same cause that came back in the same decision task.
    """
    refill = REFILL_BY_CAUSE.get(cause or "")
    if refill is None:
        return throttle_delay(failures)
    spread = max(math.ceil(rank / refill), 1)
    return int(min(spread * 2 ** max(failures - 1, 0), MAX_THROTTLE_DELAY))


def is_throttled(request: ExternalRequest | None) -> bool:
    """Whether a sent request was refused for SWF's rates (so it is to be sent again)."""
    return (
        request is not None
        and request.state is ExternalState.FAILED
        and request.cause in EXTERNAL_THROTTLE_CAUSES
    )


class Gate(str, Enum):
    """Where a back-off timer stands (:meth:`BackOff.back_off`)."""

    WAITING = "WAITING"  # started (or being started): decide nothing yet
    OPEN = "OPEN"  # fired: make the decision again
    REFUSED = "REFUSED"  # SWF refused the timer for a cause that will not pass


class BackOff:
    """The back-off timers of one run, decided into its current :class:`~simpleflow.runtime.turn.Turn`."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self._ranks_epoch = -1
        self._ranks: dict[str | None, list[int]] = {}
        self._timer_ranks_epoch = -1
        self._timer_ranks: dict[str | None, list[int]] = {}

    def refusal_rank(self, record: TaskRecord) -> int:
        """The place (from 1) of ``record``'s latest refusal among the outstanding ones of its cause.

        Read from the history (tasks whose latest scheduling was refused, by event id), so a live run and
        a fresh replay give the same rank whatever order ``run()`` resolves the tasks in.
        """
        if self._ranks_epoch != self.turn.epoch:
            batches: dict[str | None, list[int]] = defaultdict(list)
            for task in self.turn.history.tasks():
                last = task.last
                if last.state is TaskState.SCHEDULE_FAILED and last.cause in REFILL_BY_CAUSE:
                    batches[last.cause].append(last.scheduled_event_id)
            for ids in batches.values():
                ids.sort()
            self._ranks, self._ranks_epoch = batches, self.turn.epoch
        last = record.last
        ids = self._ranks.get(last.cause, [])
        return ids.index(last.scheduled_event_id) + 1 if last.scheduled_event_id in ids else 1

    def timer_refusal_rank(self, record: TimerRecord) -> int:
        """The place (from 1) of timer ``record``'s refusal among the refused timers of its cause.

        Read from the history (timers whose latest start was refused, by the refusal's event id), as
        :meth:`refusal_rank` does for tasks.
        """
        if self._timer_ranks_epoch != self.turn.epoch:
            batches: dict[str | None, list[int]] = defaultdict(list)
            for timer in self.turn.history.timers():
                if timer.state is TimerState.START_FAILED and timer.cause in REFILL_BY_CAUSE:
                    batches[timer.cause].append(timer.event_id)
            for ids in batches.values():
                ids.sort()
            self._timer_ranks, self._timer_ranks_epoch = batches, self.turn.epoch
        ids = self._timer_ranks.get(record.cause, [])
        return ids.index(record.event_id) + 1 if record.event_id in ids else 1

    def restart_refused_timer(self, record: TimerRecord, decision: dict[str, Any]) -> None:
        """Start a timer SWF refused for its rates again, and ask the decider to wait before answering.

        The wait is paced (see the module's docstring): the answer starts every refused timer again, so
        it waits for the bucket to refill for the last of them.
        """
        turn = self.turn
        turn.decisions.append(decision)
        rank = self.timer_refusal_rank(record)
        delay = paced_delay(record.cause, failures=record.start_failures, rank=rank)
        turn.decider_backoff = max(turn.decider_backoff, delay)

    def back_off(self, timer_id: str, delay: int) -> tuple[Gate, str | None]:
        """The state of back-off timer ``timer_id``, starting it (again) when it must run.

        Returns ``(gate, cause)``: ``cause`` is the refusal's when the gate is ``REFUSED``. A timer refused
        for SWF's rates or limits is started again (never skipped: the decision it guards would otherwise
        be made at once, and be refused again).
        """
        record = self.turn.history.timer(timer_id)
        decision = decisions.start_timer(timer_id, start_to_fire_timeout=max(delay, 0))
        if record is None:
            self.turn.decisions.append(decision)
            return Gate.WAITING, None
        if record.state is TimerState.START_FAILED:
            if record.cause in TIMER_THROTTLE_CAUSES:
                self.restart_refused_timer(record, decision)
                return Gate.WAITING, None
            return Gate.REFUSED, record.cause
        if record.state is TimerState.STARTED:
            return Gate.WAITING, None
        return Gate.OPEN, None  # fired (or canceled: nothing waits on it any more)

    def external_back_off(self, control: str) -> tuple[Gate, str | None]:
        """The back-off before sending again a signal or cancel request refused for SWF's rates."""
        failures = sum(
            1
            for request in self.turn.history.sent_requests()
            if request.control == control
            and request.state is ExternalState.FAILED
            and request.cause in EXTERNAL_THROTTLE_CAUSES
        )
        timer_id = internal_timer_id("throttle", failures, control)
        cause = next(
            (r.cause for r in reversed(self.turn.history.sent_requests()) if r.control == control), None
        )
        return self.back_off(timer_id, paced_delay(cause, failures=failures))
