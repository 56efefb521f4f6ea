"""A schedule's definition (:class:`ScheduleSpec`) and what its runs hand on (:class:`ScheduleState`).

Both travel as JSON: the spec is the scheduler execution's input, the state is what a continue-as-new
hands to the next run. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from simpleflow.schedules.cadence import Cadence
from simpleflow.schedules.errors import InvalidSchedule
from simpleflow.schedules.policy import CatchUp, OverlapPolicy

__all__ = ["ScheduleSpec", "ScheduleState", "StartMode", "format_instant", "parse_instant"]

#: How many wake-ups (fire times, signals, closed runs) one scheduler run handles before it continues as
#: new: a few events each, so its history stays far below SWF's 25,000.
DEFAULT_WAKES_PER_RUN = 100


class StartMode(str, Enum):
    """How a schedule starts each run."""

    CHILD = "child"  # a child execution (its parent close policy is ABANDON: it outlives the scheduler)
    INDEPENDENT = "independent"  # a top-level execution, started by an activity

    @classmethod
    def parse(cls, text: str) -> StartMode:
        """``child`` or ``independent``; InvalidSchedule otherwise."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise InvalidSchedule("start", f"{text!r} is not a start mode (child, independent)") from None


def format_instant(instant: datetime) -> str:
    """``2024-01-01T03:00:00Z``: UTC, to the second (the form stored in inputs, markers and ids)."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str) -> datetime:
    """The inverse of :func:`format_instant` (any ISO 8601 form with an offset is read)."""
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(timezone.utc)


@dataclass(frozen=True)
class ScheduleSpec:
    """What a schedule runs and when.

    - ``workflow``: the scheduled Workflow's path (``module.Class``) or registered name;
    - ``cadence``: when it fires (cron or interval);
    - ``input``: the scheduled workflow's input (a list of arguments, or ``{"args": ..., "kwargs": ...}``);
    - ``overlap``, ``catch_up``: see :mod:`simpleflow.schedules.policy`;
    - ``start``: as a child execution or an independent one;
    - ``wakes_per_run``: wake-ups per scheduler run before it continues as new;
    - ``limit``: stop after this many runs started (``None``: never), then wait for the open ones to close.
    """

    workflow: str
    cadence: Cadence
    input: Any = None
    overlap: OverlapPolicy = OverlapPolicy.SKIP
    catch_up: CatchUp = CatchUp.NONE
    start: StartMode = StartMode.CHILD
    wakes_per_run: int = DEFAULT_WAKES_PER_RUN
    limit: int | None = None

    def __post_init__(self) -> None:
        if not self.workflow:
            raise InvalidSchedule("workflow", "name the workflow to run (module.Workflow)")
        if self.wakes_per_run < 1:
            raise InvalidSchedule("wakes_per_run", f"{self.wakes_per_run} is not a positive number")
        if self.limit is not None and self.limit < 1:
            raise InvalidSchedule("limit", f"{self.limit} is not a positive number of runs")
        if self.start is StartMode.INDEPENDENT and self.overlap is OverlapPolicy.BUFFER_ONE:
            raise InvalidSchedule(
                "overlap",
                "buffer_one needs child runs (start=child): a scheduler never sees independent runs close",
            )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the scheduler execution's input."""
        return {
            "workflow": self.workflow,
            "cadence": self.cadence.to_dict(),
            "input": self.input,
            "overlap": self.overlap.value,
            "catch_up": self.catch_up.value,
            "start": self.start.value,
            "wakes_per_run": self.wakes_per_run,
            "limit": self.limit,
        }

    @classmethod
    def from_dict(cls, data: Any) -> ScheduleSpec:
        """The inverse of :meth:`to_dict`; InvalidSchedule when ``data`` is not a schedule's input."""
        if not isinstance(data, dict) or not isinstance(data.get("cadence"), dict):
            raise InvalidSchedule("input", f"not a schedule definition: {data!r}"[:200])
        return cls(
            workflow=str(data.get("workflow") or ""),
            cadence=Cadence.from_dict(data["cadence"]),
            input=data.get("input"),
            overlap=OverlapPolicy.parse(data.get("overlap") or "skip"),
            catch_up=CatchUp.parse(data.get("catch_up") or "none"),
            start=StartMode.parse(data.get("start") or "child"),
            wakes_per_run=int(data.get("wakes_per_run") or DEFAULT_WAKES_PER_RUN),
            limit=data.get("limit"),
        )


@dataclass(frozen=True)
class ScheduleState:
    """What a schedule remembers across its scheduler runs (continue-as-new carries it).

    ``last_slot`` is the latest fire time dealt with (started, buffered, skipped or missed): the next
    one comes after it. ``buffered`` is the fire time waiting for the open run to close.
    """

    last_slot: str | None = None
    paused: bool = False
    started: int = 0
    skipped: int = 0
    missed: int = 0
    triggers: int = 0
    buffered: str | None = None
    last_run: str | None = None
    recent: tuple[str, ...] = field(default=())

    #: How many of the latest runs' workflow ids ``recent`` keeps.
    RECENT = 5

    def with_run(self, workflow_id: str) -> ScheduleState:
        """This state after a run started under ``workflow_id``."""
        recent = (*self.recent, workflow_id)[-self.RECENT :]
        return replace(self, started=self.started + 1, last_run=workflow_id, recent=recent)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form a continue-as-new carries."""
        return {
            "last_slot": self.last_slot,
            "paused": self.paused,
            "started": self.started,
            "skipped": self.skipped,
            "missed": self.missed,
            "triggers": self.triggers,
            "buffered": self.buffered,
            "last_run": self.last_run,
            "recent": list(self.recent),
        }

    @classmethod
    def from_dict(cls, data: Any) -> ScheduleState:
        """The inverse of :meth:`to_dict` (``None`` gives a fresh state)."""
        if not data:
            return cls()
        if not isinstance(data, dict):
            raise InvalidSchedule("state", f"not a schedule state: {data!r}"[:200])
        return cls(
            last_slot=data.get("last_slot"),
            paused=bool(data.get("paused")),
            started=int(data.get("started") or 0),
            skipped=int(data.get("skipped") or 0),
            missed=int(data.get("missed") or 0),
            triggers=int(data.get("triggers") or 0),
            buffered=data.get("buffered"),
            last_run=data.get("last_run"),
            recent=tuple(data.get("recent") or ()),
        )
