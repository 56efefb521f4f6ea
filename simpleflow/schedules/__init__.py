"""Schedules: a workflow started on a cron expression or an interval, by a scheduler execution on SWF.

A schedule is itself an SWF execution of :class:`ScheduleWorkflow`, whose workflow id is the schedule's
name. It sleeps on timers until the next fire time, starts each run of the scheduled workflow (a child
execution, or an independent one), is paused, resumed and triggered by signals, and continues as new
before its history grows large. Everything is built on SWF's own primitives, so a schedule runs the
same on Amazon SWF and on the embedded service. See ``docs/howto/schedules.md``.
"""

from __future__ import annotations

from simpleflow.schedules.cadence import Cadence, parse_interval
from simpleflow.schedules.errors import InvalidSchedule, ScheduleError, ScheduleExists, UnknownSchedule
from simpleflow.schedules.policy import Admission, CatchUp, OverlapPolicy, admit, slot_to_fire
from simpleflow.schedules.spec import ScheduleSpec, ScheduleState, StartMode
from simpleflow.schedules.workflow import ScheduleWorkflow

__all__ = [
    "Admission",
    "Cadence",
    "CatchUp",
    "InvalidSchedule",
    "OverlapPolicy",
    "ScheduleError",
    "ScheduleExists",
    "ScheduleSpec",
    "ScheduleState",
    "ScheduleWorkflow",
    "StartMode",
    "UnknownSchedule",
    "admit",
    "parse_interval",
    "slot_to_fire",
]
