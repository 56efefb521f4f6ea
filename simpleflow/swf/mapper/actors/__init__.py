"""simpleflow 0.x's actors: ``Decider(domain, task_list)``, ``ActivityWorker(domain, task_list)``.

They are this project's actors (:mod:`simpleflow.swf.actors`) with 0.x's constructors: a ``Domain``
or a domain name first, then the task list, ``identity`` optional, and the client optional (see
:mod:`simpleflow.swf.mapper`).
"""

from __future__ import annotations

from typing import Any

from simpleflow.swf import actors
from simpleflow.swf.mapper.core import default_client
from simpleflow.swf.mapper.models import _domain_name

__all__ = ["ActivityWorker", "Actor", "Decider"]


class Actor(actors.Actor):
    """``Actor(domain, task_list, identity=None)``."""

    def __init__(
        self, domain: Any, task_list: str, identity: str | None = None, *, client: Any = None, **options: Any
    ) -> None:
        super().__init__(
            client or default_client(),
            _domain_name(domain),
            task_list=task_list,
            identity=identity,
            **options,
        )


class Decider(Actor, actors.Decider):
    """``Decider(domain, task_list, identity=None)``: polls decision tasks with their whole history."""


class ActivityWorker(Actor, actors.ActivityWorker):
    """``ActivityWorker(domain, task_list, identity=None)``: polls activity tasks and reports outcomes."""
