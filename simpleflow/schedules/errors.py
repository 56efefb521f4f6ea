"""The errors of schedules: a bad definition, and a schedule name that is taken or unknown."""

from __future__ import annotations

from simpleflow.exceptions import ConfigurationError, SimpleflowError

__all__ = ["InvalidSchedule", "ScheduleError", "ScheduleExists", "UnknownSchedule"]


class ScheduleError(SimpleflowError):
    """Raised when a schedule cannot be created, read or acted on; the base of the errors below."""


class InvalidSchedule(ScheduleError, ConfigurationError):
    """Raised when a schedule's definition is unusable: a bad cron expression, interval, time zone or policy.

    ``field`` names what was wrong (``"cron"``, ``"every"``, ``"timezone"``, ...).
    """

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"schedule {field}: {problem}")
        self.field = field
        self.problem = problem


class UnknownSchedule(ScheduleError):
    """Raised when no open schedule has the name given (never created, or deleted)."""

    def __init__(self, name: str, *, domain: str) -> None:
        super().__init__(f"no schedule named {name!r} in domain {domain!r} (see: simpleflow schedule.list)")
        self.name = name
        self.domain = domain


class ScheduleExists(ScheduleError):
    """Raised when a schedule is created under a name an open schedule already has."""

    def __init__(self, name: str, *, domain: str) -> None:
        super().__init__(
            f"a schedule named {name!r} already exists in domain {domain!r}; "
            "delete it first (simpleflow schedule.delete) or choose another name"
        )
        self.name = name
        self.domain = domain
