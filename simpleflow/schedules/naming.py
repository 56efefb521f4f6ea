"""The names a schedule gives things: its signals, its marker, and each run's workflow id."""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = [
    "MARKER",
    "PAUSE_SIGNAL",
    "RESUME_SIGNAL",
    "SIGNALS",
    "TRIGGER_SIGNAL",
    "run_workflow_id",
]

#: Pause a schedule: no run starts for its fire times until it is resumed (a trigger still starts one).
PAUSE_SIGNAL = "schedule.pause"
#: Resume a paused schedule: the next fire time after now is the first it acts on again.
RESUME_SIGNAL = "schedule.resume"
#: Start a run now, whatever the cadence (the overlap policy still applies).
TRIGGER_SIGNAL = "schedule.trigger"
SIGNALS = (PAUSE_SIGNAL, RESUME_SIGNAL, TRIGGER_SIGNAL)
#: The marker a scheduler records for what leaves no other trace: runs skipped, buffered or missed,
#: pauses and resumes. Its details are ``{"event": ..., "at": ...}`` plus what the event concerns.
MARKER = "simpleflow.schedule"


def run_workflow_id(schedule_id: str, slot: datetime, *, trigger: int | None = None) -> str:
    """The workflow id of the run for fire time ``slot``: ``<schedule>-20240101T030000Z``.

    It derives from the fire time, so a scheduler that handles the same fire time again (a replay, a
    restart) names the same execution. A trigger's run adds its number (``-trigger-3``): two triggers
    in one second stay two runs.
    """
    stamp = slot.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    suffix = f"-trigger-{trigger}" if trigger is not None else ""
    return f"{schedule_id}-{stamp}{suffix}"
