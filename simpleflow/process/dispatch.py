"""Finding the activity an activity task names, in a worker.

Activities are found by name in the registry, importing their module by dotted path when needed
(:func:`simpleflow.activity.find_activity`). A workflow may also make an activity inside ``run()``, as
upstream's ``examples/dyn_task_list.py`` does (``activity.with_attributes(task_list=...)(func)``): that
activity is registered only in the decider's process, and the task's name is the dotted path of a plain
function or class. Like upstream's worker, :func:`resolve_activity` then runs that function (or class),
with the default attributes: only the decider needs the scheduling ones.
"""

from __future__ import annotations

import importlib
from typing import Any

from simpleflow import activity
from simpleflow.exceptions import WorkflowImportError

__all__ = ["resolve_activity"]


def resolve_activity(name: str) -> activity.Activity:
    """The activity a task of type ``name`` runs; raises WorkflowImportError when there is none."""
    try:
        return activity.find_activity(name)
    except WorkflowImportError:
        target = _plain_callable(name)
        if target is None:
            raise
    return activity.with_attributes(name)(target)


def _plain_callable(name: str) -> Any:
    """The undecorated function or class (with ``execute()``) at dotted ``name``, or None."""
    module_name, _, attribute = name.rpartition(".")
    if not module_name:
        return None
    try:
        module = importlib.import_module(module_name)
    except Exception:
        return None
    target = getattr(module, attribute, None)
    if isinstance(target, activity.Activity) or not callable(target):
        return None
    if isinstance(target, type) and not callable(getattr(target, "execute", None)):
        return None
    return target
