"""A workflow instance bound to its run: how it is made, its failure hook, the store that watches it."""

from __future__ import annotations

import inspect

from simpleflow import payload
from simpleflow.exceptions import PayloadReferenceError
from simpleflow.run_context import ExecutorView
from simpleflow.runtime.scheduling.failure_handling import FailureHook
from simpleflow.runtime.scheduling.scheduler import Scheduler
from simpleflow.task_failure import positional_count
from simpleflow.workflow import Workflow

__all__ = ["WatchedStore", "failure_hook_of", "make_workflow", "raise_nondeterminism"]


def make_workflow(workflow_cls: type[Workflow], executor: ExecutorView) -> Workflow:
    """An instance of ``workflow_cls``: given ``executor`` when its ``__init__`` takes one (upstream's form).

    A subclass written ``def __init__(self): ...`` gets no argument; the executor is bound afterwards.
    """
    try:
        parameters = list(inspect.signature(workflow_cls).parameters.values())
    except (TypeError, ValueError):  # a C-level or otherwise opaque __init__: assume upstream's form
        return workflow_cls(executor)
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    takes_one = any(p.kind in positional or p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters)
    if takes_one:
        return workflow_cls(executor)
    return workflow_cls()


def failure_hook_of(workflow: Workflow) -> FailureHook | None:
    """The workflow's ``on_task_failure`` (``None`` when not overridden), and whether it is the old form.

    The old form, ``on_task_failure(self, task_id, error)``, is called once a task failed for good;
    simpleflow 0.36's, ``on_task_failure(self, failure_context)``, on every failed attempt.
    """
    method = getattr(type(workflow), "on_task_failure", None)
    if method is None or method is Workflow.on_task_failure:
        return None
    bound = workflow.on_task_failure
    return FailureHook(bound, legacy=positional_count(bound) >= 2)


def raise_nondeterminism(scheduler: Scheduler) -> None:
    """Raise what the run met that makes it untrustworthy: nondeterminism, an undeliverable payload.

    Raised again here because ``run()`` may have caught it.
    """
    if scheduler.nondeterminism is not None:
        raise scheduler.nondeterminism
    store = scheduler.payload_store
    if isinstance(store, WatchedStore) and store.error is not None:
        raise store.error


class WatchedStore:
    """The executor's store for one replay: remembers the first payload it could not deliver.

    A :class:`~simpleflow.exceptions.PayloadReferenceError` raised inside ``run()`` may be caught there;
    the executor raises it again after the run (see the module documentation). Digests are checked here,
    so that a mismatch is seen too.
    """

    verifies_digests = True

    def __init__(self, store: payload.PayloadStore) -> None:
        self.store = store
        self.url: str = getattr(store, "url", repr(store))
        self.error: PayloadReferenceError | None = None

    def put(self, data: bytes) -> str:
        """Store through the wrapped store."""
        return self.store.put(data)

    def get(self, reference: str) -> bytes:
        """Fetch and verify; a failure is remembered before it is raised."""
        try:
            data = self.store.get(reference)
            if not getattr(self.store, "verifies_digests", False):
                payload.verify(reference, data)
        except PayloadReferenceError as error:
            if self.error is None:
                self.error = error
            raise
        return data

    def delete(self, reference: str) -> None:
        """Delete through the wrapped store."""
        self.store.delete(reference)
