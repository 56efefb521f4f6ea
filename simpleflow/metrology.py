"""simpleflow 0.x's metrology: activities time their steps, and a workflow gathers the reports.

A class activity deriving from :class:`MetrologyTask` measures parts of its work::

    class Import(MetrologyTask):
        def execute(self):
            with self.step("download") as step:
                step.read.bytes = ...
                step.write.records = ...

After ``execute()`` the worker calls ``post_execute()``, which uploads the activity's report (its steps
and ``meta``) as ``[METROLOGY_PATH_PREFIX/]<workflow id>/<run id>/activity.<activity id>.json`` in
``METROLOGY_BUCKET``. A :class:`MetrologyWorkflow` that completes gathers every activity's report with the
history's tasks into ``.../metrology.json`` there. ``METROLOGY_BUCKET`` is any location
:mod:`simpleflow.storage.objects` accepts: an S3 bucket as in 0.x (``host/bucket``, ``s3://bucket/prefix``)
or ``file:///directory``.
"""

from __future__ import annotations

import json
import posixpath
import re
import time
from collections import OrderedDict
from typing import Any
from urllib.parse import quote_plus

from simpleflow import settings, storage
from simpleflow.history import History
from simpleflow.workflow import Workflow

__all__ = ["ACTIVITY_KEY_RE", "MetrologyTask", "MetrologyWorkflow", "Step", "StepExecution", "StepIO"]

#: How an activity's report is named: ``activity.<activity id>.json``.
ACTIVITY_KEY_RE = re.compile(r"activity\.(.+)\.json")


class StepIO:
    """What a step read or wrote: ``bytes``, ``records``, and whether they were ``sampled``."""

    def __init__(self) -> None:
        self.bytes = 0
        self.records = 0
        self.sampled = False

    def get_stats(self, time_total: float | None) -> OrderedDict[str, Any]:
        """The counts and their rates over ``time_total`` seconds (MB/s, records/s; None when unknown)."""
        seconds = time_total or 0.0
        mb_s = round(self.bytes / (1024 * 1024) / seconds, 2) if self.bytes and seconds else None
        rec_s = int(self.records / seconds) if self.records and seconds else None
        return OrderedDict(
            [
                ("bytes", self.bytes),
                ("records", self.records),
                ("mb_s", mb_s),
                ("rec_s", rec_s),
                ("sampled", self.sampled),
            ]
        )


class Step:
    """One timed part of an activity (``with task.step(name) as step``)."""

    def __init__(self, name: str, task: Any) -> None:
        self.name = name
        self.task = task
        self.read = StepIO()
        self.write = StepIO()
        self.time_started = time.time()
        self.time_finished: float | None = None
        self.time_total: float | None = None
        self.metadata: dict[str, Any] = {}

    def done(self) -> None:
        """Stop the clock."""
        self.time_finished = time.time()
        self.time_total = self.time_finished - self.time_started

    def get_stats(self) -> OrderedDict[str, Any]:
        """The step's report."""
        return OrderedDict(
            [
                ("name", self.name),
                ("metadata", self.metadata),
                ("time_started", self.time_started),
                ("time_finished", self.time_finished),
                ("time_total", self.time_total),
                ("read", self.read.get_stats(self.time_total)),
                ("write", self.write.get_stats(self.time_total)),
            ]
        )

    def mset_metadata(self, kvs: Any) -> None:
        """Set several metadata items from ``(key, value)`` pairs."""
        for key, value in kvs:
            self.metadata[key] = value


class StepExecution:
    """The context manager :meth:`MetrologyTask.step` returns: it ends the step on exit."""

    def __init__(self, step: Step) -> None:
        self.step = step

    def __enter__(self) -> Step:
        return self.step

    def __exit__(self, *exc_info: object) -> None:
        self.step.done()


class MetrologyTask:
    """Base of class activities that report their steps; see the module documentation."""

    context: dict[str, Any]
    steps: list[Step]
    meta: Any

    def _context(self) -> dict[str, Any]:
        context = getattr(self, "context", None)
        if isinstance(context, dict):
            return context
        from simpleflow.activity import get_context

        bound = get_context()
        if bound is None:
            return {}
        return {"workflow_id": bound.workflow_id, "run_id": bound.run_id, "activity_id": bound.activity_id}

    def can_upload(self) -> bool:
        """Whether the task runs inside an execution (so its report has a place)."""
        context = self._context()
        return all(key in context for key in ("workflow_id", "run_id", "activity_id"))

    @property
    def metrology_path(self) -> str:
        """The key of this activity's report."""
        context = self._context()
        parts = [settings.METROLOGY_PATH_PREFIX] if settings.METROLOGY_PATH_PREFIX is not None else []
        parts += [
            context["workflow_id"],
            quote_plus(context["run_id"]),
            f"activity.{context['activity_id']}.json",
        ]
        return posixpath.join(*parts)

    def step(self, name: str) -> StepExecution:
        """A new step, to use as ``with self.step("name") as step:``."""
        step = Step(name, self)
        if not hasattr(self, "steps"):
            self.steps = []
        self.steps.append(step)
        return StepExecution(step)

    def upload_stats(self) -> None:
        """Upload the report (nothing outside an execution)."""
        if not self.can_upload():
            return
        content = {
            "steps": [step.get_stats() for step in getattr(self, "steps", [])],
            "meta": getattr(self, "meta", None),
        }
        storage.push_content(
            settings.METROLOGY_BUCKET,
            self.metrology_path,
            json.dumps(content, indent=2),
            content_type="application/json",
        )

    def execute(self) -> Any:
        """The activity's work (override)."""
        raise NotImplementedError(f"{type(self).__name__}.execute()")

    def post_execute(self) -> None:
        """Called by the worker after ``execute()``: uploads the report."""
        self.upload_stats()


def dump_history(history: History) -> list[list[Any]]:
    """The history's tasks as ``[[task id, {...}], ...]``, the shape 0.x's ``metrology.json`` holds."""
    dumped: list[list[Any]] = []
    for task in history.tasks():
        last = task.last
        info: dict[str, Any] = {
            "kind": task.kind.value,
            "name": last.name,
            "state": last.state.value,
            "attempts": task.attempt_count,
            "scheduled_timestamp": _timestamp(last.scheduled_at),
            "started_timestamp": _timestamp(last.started_at),
            "closed_timestamp": _timestamp(last.closed_at),
        }
        dumped.append([task.task_id, info])
    return dumped


def _timestamp(value: Any) -> float | None:
    return value.timestamp() if value is not None else None


class MetrologyWorkflow(Workflow):
    """A workflow that, once completed, gathers its activities' reports into ``metrology.json``."""

    @property
    def metrology_path(self) -> str:
        """The prefix of this execution's reports."""
        context = self.get_run_context()
        parts = [settings.METROLOGY_PATH_PREFIX] if settings.METROLOGY_PATH_PREFIX else []
        parts += [quote_plus(context.workflow_id), quote_plus(context.run_id)]
        return posixpath.join(*parts)

    def on_completed(self, history: History) -> None:
        super().on_completed(history)
        self.push_metrology(history)

    def after_closed(self, history: History) -> None:
        """0.x's hook at the close; here the report is gathered on completion (see :meth:`on_completed`)."""
        parent = getattr(super(), "after_closed", None)
        if parent is not None:
            parent(history)

    def push_metrology(self, history: History) -> None:
        """Merge each activity's report into the history's tasks and upload ``metrology.json``."""
        dumped = dump_history(history)
        prefix = posixpath.join(self.metrology_path, "activity.")
        for stored in storage.list_keys(settings.METROLOGY_BUCKET, self.metrology_path):
            found = ACTIVITY_KEY_RE.search(stored.key)
            if not stored.key.startswith(prefix) or found is None:
                continue
            report = json.loads(stored.get_contents_as_string(encoding="utf-8"))
            for task_id, info in dumped:
                if task_id == found.group(1):
                    info["metrology"] = report
        storage.push_content(
            settings.METROLOGY_BUCKET,
            posixpath.join(self.metrology_path, "metrology.json"),
            json.dumps(dumped, indent=2),
            content_type="application/json",
        )
