"""What a schedule does when a fire time comes: which missed time to catch up, and whether to start.

Pure functions over plain values, so that the scheduler workflow stays a thin loop and the rules are
tested by tables:

- :func:`slot_to_fire`: of the fire times that fell due since the last wake-up, the one to start now
  (catch-up after downtime: none, or the last one missed);
- :func:`admit`: whether a run starts now, waits in the one-place buffer, or is skipped, given the
  runs of the schedule still open (overlap policy: skip, buffer one, allow all).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum

from simpleflow.schedules.errors import InvalidSchedule

__all__ = ["ON_TIME_SECONDS", "Admission", "CatchUp", "OverlapPolicy", "admit", "slot_to_fire"]

#: A fire time handled at most this late is on time (a decision task takes a moment); later, it was missed.
ON_TIME_SECONDS = 60


class OverlapPolicy(str, Enum):
    """What a fire time does while an earlier run of the schedule is still open."""

    SKIP = "skip"  # drop it
    BUFFER_ONE = "buffer_one"  # start it once the open run closes; at most one waits
    ALLOW_ALL = "allow_all"  # start it anyway

    @classmethod
    def parse(cls, text: str) -> OverlapPolicy:
        """``skip``, ``buffer_one`` (or ``buffer-one``) or ``allow_all``; InvalidSchedule otherwise."""
        try:
            return cls(text.strip().lower().replace("-", "_"))
        except ValueError:
            choices = ", ".join(policy.value for policy in cls)
            raise InvalidSchedule("overlap", f"{text!r} is not an overlap policy ({choices})") from None


class CatchUp(str, Enum):
    """What a schedule does with the fire times it missed (its decider or the service was down)."""

    NONE = "none"  # start nothing for them
    LAST = "last"  # start one run, for the latest of them

    @classmethod
    def parse(cls, text: str) -> CatchUp:
        """``none`` or ``last``; InvalidSchedule otherwise."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise InvalidSchedule("catch_up", f"{text!r} is not a catch-up policy (none, last)") from None


class Admission(str, Enum):
    """What happens to one fire time: a run starts, waits in the buffer, or is skipped."""

    START = "start"
    BUFFER = "buffer"
    SKIP = "skip"


def slot_to_fire(
    due: Sequence[datetime], *, now: datetime, catch_up: CatchUp, grace: float = ON_TIME_SECONDS
) -> datetime | None:
    """Of the fire times ``due`` (oldest first, none later than ``now``), the one to start now.

    Only the latest can start: the older ones are missed whatever the policy. With ``CatchUp.NONE`` the
    latest starts only when ``now`` is within ``grace`` seconds of it (it was not missed, just handled a
    moment late); with ``CatchUp.LAST`` it starts however late it is.
    """
    if not due:
        return None
    latest = due[-1]
    if catch_up is CatchUp.LAST or (now - latest).total_seconds() <= grace:
        return latest
    return None


def admit(policy: OverlapPolicy, *, running: int, buffered: bool) -> Admission:
    """Whether a run due now starts, is buffered, or is skipped, with ``running`` runs still open.

    ``buffered`` says whether a run already waits in the buffer (there is one place).
    """
    if running == 0 or policy is OverlapPolicy.ALLOW_ALL:
        return Admission.START
    if policy is OverlapPolicy.BUFFER_ONE and not buffered:
        return Admission.BUFFER
    return Admission.SKIP
