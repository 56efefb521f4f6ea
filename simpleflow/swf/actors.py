"""SWF's two actors: the :class:`Decider` and the :class:`ActivityWorker`.

They wrap the polling and responding calls and nothing else: what to decide and how to run an
activity belong to :mod:`simpleflow.executor` and :mod:`simpleflow.process`. Users may subclass them,
e.g. to add metrics around ``poll``.

A poll that times out with no task (SWF answers with an empty ``taskToken``) returns ``None``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator, Sequence
from typing import Any

from simpleflow.swf.client import SWFClient, swf_errors

# SWF's limit on ``identity``.
MAX_IDENTITY_LENGTH = 256


def default_identity() -> str:
    """``host:pid``, which tells an operator which process holds a task."""
    return f"{socket.gethostname()}:{os.getpid()}"[:MAX_IDENTITY_LENGTH]


class Actor:
    """Something that polls one task list of one domain."""

    def __init__(
        self, client: SWFClient, domain: str, *, task_list: str, identity: str | None = None
    ) -> None:
        self.client = client
        self.domain = domain
        self.task_list = task_list
        self.identity = identity or default_identity()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(domain={self.domain!r}, task_list={self.task_list!r})"


class Decider(Actor):
    """Polls decision tasks (with their whole history) and completes them with decisions."""

    def iter_poll_pages(
        self, *, task_list: str | None = None, page_size: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Stream the pages of one decision task: the first carries the task, each has ``events``.

        Yields nothing when the poll ends with no task. Use it to process a long history without
        holding every event at once; :meth:`poll` merges the pages.
        """
        paginator = self.client.get_paginator("poll_for_decision_task")
        config = {} if page_size is None else {"PageSize": page_size}
        with swf_errors("PollForDecisionTask"):
            pages = paginator.paginate(
                domain=self.domain,
                taskList={"name": task_list or self.task_list},
                identity=self.identity,
                PaginationConfig=config,
            )
            for page in pages:
                if not page.get("taskToken"):
                    return
                yield page

    def poll(self, *, task_list: str | None = None, page_size: int | None = None) -> dict[str, Any] | None:
        """One decision task, with the events of every page merged into ``events``; None on no task.

        The result is boto3's ``poll_for_decision_task`` response shape, which is what
        :meth:`simpleflow.executor.Executor.replay` takes.
        """
        task: dict[str, Any] | None = None
        for page in self.iter_poll_pages(task_list=task_list, page_size=page_size):
            if task is None:
                task = {key: value for key, value in page.items() if key not in ("nextPageToken",)}
                task["events"] = list(page.get("events", []))
            else:
                task["events"].extend(page.get("events", []))
        if task is not None:
            task.pop("ResponseMetadata", None)
        return task

    def complete(
        self,
        task_token: str,
        *,
        decisions: Sequence[dict[str, Any]] = (),
        execution_context: str | None = None,
    ) -> None:
        """Respond to a decision task with ``decisions`` (at most 100, SWF's limit)."""
        params: dict[str, Any] = {"taskToken": task_token, "decisions": list(decisions)}
        if execution_context is not None:
            params["executionContext"] = execution_context
        with swf_errors("RespondDecisionTaskCompleted"):
            self.client.respond_decision_task_completed(**params)


class ActivityWorker(Actor):
    """Polls activity tasks and reports their outcome: completed, failed, canceled, or a heartbeat."""

    def poll(self, *, task_list: str | None = None) -> dict[str, Any] | None:
        """One activity task (boto3's ``poll_for_activity_task`` shape), or None when the poll timed out."""
        with swf_errors("PollForActivityTask"):
            response = self.client.poll_for_activity_task(
                domain=self.domain, taskList={"name": task_list or self.task_list}, identity=self.identity
            )
        if not response.get("taskToken"):
            return None
        response.pop("ResponseMetadata", None)
        return dict(response)

    def complete(self, task_token: str, *, result: str | None = None) -> None:
        """Report the task completed with ``result`` (already encoded)."""
        params = {"taskToken": task_token}
        if result is not None:
            params["result"] = result
        with swf_errors("RespondActivityTaskCompleted"):
            self.client.respond_activity_task_completed(**params)

    def fail(self, task_token: str, *, reason: str | None = None, details: str | None = None) -> None:
        """Report the task failed with ``reason`` (<= 256 characters) and ``details``."""
        params = {"taskToken": task_token}
        if reason is not None:
            params["reason"] = reason
        if details is not None:
            params["details"] = details
        with swf_errors("RespondActivityTaskFailed"):
            self.client.respond_activity_task_failed(**params)

    def cancel(self, task_token: str, *, details: str | None = None) -> None:
        """Report the task canceled, after a cancel request."""
        params = {"taskToken": task_token}
        if details is not None:
            params["details"] = details
        with swf_errors("RespondActivityTaskCanceled"):
            self.client.respond_activity_task_canceled(**params)

    def heartbeat(self, task_token: str, *, details: str | None = None) -> bool:
        """Record a heartbeat; returns True when a cancel of the task was requested."""
        params = {"taskToken": task_token}
        if details is not None:
            params["details"] = details
        with swf_errors("RecordActivityTaskHeartbeat"):
            response = self.client.record_activity_task_heartbeat(**params)
        return bool(response.get("cancelRequested", False))
