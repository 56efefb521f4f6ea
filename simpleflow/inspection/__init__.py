"""Looking into executions for people: task summaries, narrated events and the timeline picture.

- :mod:`~simpleflow.inspection.tasks`: :class:`TaskCollector` summarises a history (read by
  :mod:`simpleflow.history`) into one :class:`TaskSummary` per task;
- :mod:`~simpleflow.inspection.events`: :class:`EventNarrator`, the "cooked" view of events;
- :mod:`~simpleflow.inspection.timeline`: :func:`render_timeline` draws task summaries as SVG or HTML.

All pure (no I/O), so they are tested with synthetic histories.
"""

from simpleflow.inspection.events import EventNarrator, NarratedEvent
from simpleflow.inspection.tasks import TaskCollector, TaskStatus, TaskSummary, collect_tasks, find_task
from simpleflow.inspection.timeline import render_html, render_svg, render_timeline

__all__ = [
    "EventNarrator",
    "NarratedEvent",
    "TaskCollector",
    "TaskStatus",
    "TaskSummary",
    "collect_tasks",
    "find_task",
    "render_html",
    "render_svg",
    "render_timeline",
]
