"""When a schedule fires: a cron expression in a time zone, or a fixed interval; no I/O.

Cron expressions are parsed and iterated by `cronsim <https://pypi.org/project/cronsim/>`_ (the
``schedules`` extra): five fields, ``L``, ``W`` and ``#``, and day-of-month/day-of-week combined as
Vixie cron does; with a time zone, times that a daylight-saving change skips or repeats fire once.
Intervals (``--every 15m``) are aligned on the Unix epoch, so ``15m`` fires at :00, :15, :30 and :45
UTC whatever the moment the schedule was created, and every decider computes the same instants.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from simpleflow.schedules.errors import InvalidSchedule

__all__ = ["Cadence", "parse_interval"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_INTERVAL = re.compile(r"(\d+)([smhdw])")
#: SWF's longest timer, and so the longest interval (one year).
MAX_INTERVAL_SECONDS = 365 * 86400
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_interval(text: str) -> int:
    """``"15m"``, ``"1h30m"``, ``"90s"``, ``"2d"``, ``"1w"`` (or plain seconds, ``"300"``) in seconds.

    Raises :class:`InvalidSchedule` for anything else, for zero, and beyond one year (SWF's longest timer).
    """
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned.isdigit():
        seconds = int(cleaned)
    else:
        parts = _INTERVAL.findall(cleaned)
        if not parts or "".join(number + unit for number, unit in parts) != cleaned:
            raise InvalidSchedule(
                "every", f"{text!r} is not an interval; write e.g. 90s, 15m, 1h30m, 2d or 1w"
            )
        seconds = sum(int(number) * _UNITS[unit] for number, unit in parts)
    if seconds <= 0:
        raise InvalidSchedule("every", f"{text!r} is not a positive interval")
    if seconds > MAX_INTERVAL_SECONDS:
        raise InvalidSchedule("every", f"{text!r} is longer than one year, SWF's longest timer")
    return seconds


def _zone(name: str) -> ZoneInfo | timezone:
    if name.upper() == "UTC":
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidSchedule(
            "timezone", f"unknown time zone {name!r} (use an IANA name, e.g. Europe/Paris)"
        ) from error


def _cronsim() -> Any:
    try:
        import cronsim
    except ImportError as error:  # pragma: no cover - the test extra installs it
        raise InvalidSchedule(
            "cron", "cron expressions need the cronsim package: pip install 'simpleflow[schedules]'"
        ) from error
    return cronsim


@dataclass(frozen=True)
class Cadence:
    """Either ``cron`` (an expression, read in ``timezone``) or ``every`` (seconds); validated when made."""

    cron: str | None = None
    every: int | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if (self.cron is None) == (self.every is None):
            raise InvalidSchedule("cadence", "give exactly one of a cron expression or an interval")
        if self.every is not None and not 0 < self.every <= MAX_INTERVAL_SECONDS:
            raise InvalidSchedule("every", f"{self.every} s is not between 1 s and one year")
        zone = _zone(self.timezone)
        if self.cron is not None:
            cronsim = _cronsim()
            try:
                # cronsim refuses dates that never come (30 February) itself.
                cronsim.CronSim(self.cron, datetime(2000, 1, 1, tzinfo=zone))
            except cronsim.CronSimError as error:
                raise InvalidSchedule("cron", f"{self.cron!r} is not a cron expression ({error})") from error

    def describe(self) -> str:
        """``cron "0 3 * * *" (Europe/Paris)`` or ``every 900 s``, for listings."""
        if self.cron is not None:
            return f"cron {self.cron!r} ({self.timezone})"
        return f"every {self.every} s"

    def fires_after(self, instant: datetime) -> Iterator[datetime]:
        """The fire times strictly after ``instant`` (aware), in order, as UTC datetimes."""
        if self.every is not None:
            elapsed = (instant - _EPOCH).total_seconds()
            step = int(elapsed // self.every) + 1
            while True:
                yield _EPOCH + timedelta(seconds=step * self.every)
                step += 1
        cronsim = _cronsim()
        # cronsim yields times strictly after its start, which it reads to the second.
        start = instant.astimezone(_zone(self.timezone)).replace(microsecond=0)
        for fire in cronsim.CronSim(self.cron, start):
            yield fire.astimezone(timezone.utc)

    def next_fire(self, instant: datetime) -> datetime:
        """The first fire time strictly after ``instant``."""
        return next(self.fires_after(instant))

    def fires_between(self, after: datetime, until: datetime, *, limit: int = 10_000) -> list[datetime]:
        """The fire times in ``(after, until]``, oldest first, at most the ``limit`` latest ones."""
        fires: list[datetime] = []
        for fire in self.fires_after(after):
            if fire > until:
                break
            fires.append(fire)
            if len(fires) > limit:
                del fires[0]
        return fires

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in the scheduler's input."""
        return {"cron": self.cron, "every": self.every, "timezone": self.timezone}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cadence:
        """The inverse of :meth:`to_dict`."""
        return cls(cron=data.get("cron"), every=data.get("every"), timezone=data.get("timezone") or "UTC")
