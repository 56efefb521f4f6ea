"""Looking into executions for people: per-task records from SWF events and the timeline picture.

- :mod:`~simpleflow.inspection.tasks`: :func:`collect_tasks` folds a history into :class:`TaskRecord`;
- :mod:`~simpleflow.inspection.timeline`: :func:`render_timeline` draws task records as SVG or HTML.

Both are pure (no I/O), so they are tested with synthetic histories.
"""

from simpleflow.inspection.tasks import (
    TaskCollector,
    TaskKind,
    TaskRecord,
    TaskState,
    collect_tasks,
    find_task,
)

__all__ = ["TaskCollector", "TaskKind", "TaskRecord", "TaskState", "collect_tasks", "find_task"]
