"""SWF's two actors: the :class:`Decider` and the :class:`ActivityWorker`.

They wrap the polling and responding calls and nothing else: what to decide and how to run an
activity belong to :mod:`simpleflow.executor` and :mod:`simpleflow.process`. Users may subclass them,
e.g. to add metrics around ``poll``.

A poll that times out with no task returns ``None``. SWF's idle body has no ``taskToken`` at all
(``{"previousStartedEventId":0,"startedEventId":0}``), while its documentation speaks of an empty one:
both are taken as "no task".
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from simpleflow.exceptions import ConfigurationError
from simpleflow.swf.backoff import call_through_outage
from simpleflow.swf.client import SWFClient, swf_errors
from simpleflow.swf.history_cache import DEFAULT_MAX_BYTES, HistoryCache

# SWF's limit on ``identity``.
MAX_IDENTITY_LENGTH = 256
# SWF's durations are strings of at most 8 characters.
MAX_DURATION = 99_999_999
# How long a decider keeps asking for the later pages of a decision task it holds through an outage: past
# that, the task is left to its start-to-close timeout (SWF then schedules a new one).
PAGE_RETRY_SECONDS = 60.0

logger = logging.getLogger(__name__)


def _page_through_outage(call: Callable[[], dict[str, Any]], *, what: str) -> dict[str, Any]:
    """``call()`` (one page of a decision task already handed out), again after a back-off while the
    endpoint is away, for up to :data:`PAGE_RETRY_SECONDS`.

    A poll that fails on its first page has taken no task, and its loop polls again; but a failure on a
    later page would lose the task in hand until its timeout, so those pages are asked for again.
    """
    deadline = time.monotonic() + PAGE_RETRY_SECONDS

    def wait(seconds: float) -> bool:
        if time.monotonic() + seconds > deadline:
            return True  # give up: the error is raised
        time.sleep(seconds)
        return False

    return call_through_outage(call, what=what, logger=logger, wait=wait, bounds=(0.2, 2.0))


def default_identity() -> str:
    """``host:pid``, which tells an operator which process holds a task.

    With simpleflow 0.x's ``SIMPLEFLOW_IDENTITY`` (a JSON object) set, the identity is 0.x's instead: the
    JSON of ``{"user", "hostname", "pid"}`` updated with that object, keys whose value is null removed.
    """
    extra = os.environ.get("SIMPLEFLOW_IDENTITY")
    if extra is None:
        return f"{socket.gethostname()}:{os.getpid()}"[:MAX_IDENTITY_LENGTH]
    import getpass
    import json

    identity: dict[str, Any] = {
        "user": getpass.getuser(),
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
    }
    try:
        update = json.loads(extra)
    except ValueError:
        update = {}  # as 0.x does: a malformed value adds nothing
    if isinstance(update, dict):
        identity.update(update)
    text = json.dumps({key: value for key, value in identity.items() if value is not None})
    return text[:MAX_IDENTITY_LENGTH]


def task_list_override(task_list: str | None, timeout: int | None) -> dict[str, Any]:
    """The ``RespondDecisionTaskCompleted`` members of a task-list override; none without ``task_list``."""
    if task_list is None:
        if timeout is not None:
            # SWF would record the timeout and route nothing: a silent no-op is a bug in the caller.
            raise ConfigurationError(
                "task_list_timeout needs a task_list: it is the timeout of that override"
            )
        return {}
    if not isinstance(task_list, str) or not task_list:
        raise ConfigurationError(f"task_list must be a non-empty task list name, not {task_list!r}")
    params: dict[str, Any] = {"taskList": {"name": task_list}}
    if timeout is not None:
        if isinstance(timeout, bool) or not isinstance(timeout, int) or not 0 <= timeout <= MAX_DURATION:
            raise ConfigurationError(
                f"task_list_timeout must be whole seconds from 0 to {MAX_DURATION}, not {timeout!r}"
            )
        params["taskListScheduleToStartTimeout"] = str(timeout)
    return params


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
    """Polls decision tasks (with their whole history) and completes them with decisions.

    The events of the runs it decided are kept in a :class:`~simpleflow.swf.history_cache.HistoryCache`
    of about ``cache_bytes`` (0 turns it off), so that a decision task fetches only the events since
    the previous one (``startAtPreviousStartedEvent``) instead of the whole history every time. What
    :meth:`poll` returns is the same either way: the whole history.
    """

    def __init__(
        self,
        client: SWFClient,
        domain: str,
        *,
        task_list: str,
        identity: str | None = None,
        cache_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        super().__init__(client, domain, task_list=task_list, identity=identity)
        self.history_cache = HistoryCache(max_bytes=cache_bytes) if cache_bytes > 0 else None

    def iter_poll_pages(
        self,
        *,
        task_list: str | None = None,
        page_size: int | None = None,
        start_at_previous_started_event: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Stream the pages of one decision task: the first carries the task, each has ``events``.

        Yields nothing when the poll ends with no task. Use it to process a long history without
        holding every event at once; :meth:`poll` merges the pages. With
        ``start_at_previous_started_event``, the events start at the previous decision task.
        """
        params: dict[str, Any] = {
            "domain": self.domain,
            "taskList": {"name": task_list or self.task_list},
            "identity": self.identity,
        }
        if page_size is not None:
            params["maximumPageSize"] = page_size
        if start_at_previous_started_event:
            params["startAtPreviousStartedEvent"] = True
        with swf_errors("PollForDecisionTask"):
            page = self.client.poll_for_decision_task(**params)
        while True:
            if not page.get("taskToken"):
                return
            yield page
            token = page.get("nextPageToken")
            if not token:
                return

            def next_page(token: str = token) -> dict[str, Any]:
                with swf_errors("PollForDecisionTask"):
                    answer: dict[str, Any] = self.client.poll_for_decision_task(**params, nextPageToken=token)
                return answer

            page = _page_through_outage(next_page, what="the next page of a decision task")

    def poll(self, *, task_list: str | None = None, page_size: int | None = None) -> dict[str, Any] | None:
        """One decision task, with its whole history in ``events``; None on no task.

        The result is boto3's ``poll_for_decision_task`` response shape, which is what
        :meth:`simpleflow.executor.Executor.replay` takes.
        """
        cache = self.history_cache
        task: dict[str, Any] | None = None
        pages = self.iter_poll_pages(
            task_list=task_list, page_size=page_size, start_at_previous_started_event=cache is not None
        )
        for page in pages:
            if task is None:
                task = {key: value for key, value in page.items() if key not in ("nextPageToken",)}
                task["events"] = list(page.get("events", []))
            else:
                task["events"].extend(page.get("events", []))
        if task is None:
            return None
        task.pop("ResponseMetadata", None)
        if cache is not None:
            execution = task["workflowExecution"]
            run = (execution["workflowId"], execution["runId"])
            history = cache.join(run, task["events"])
            if history is None:
                history = self._history_until(execution, task["startedEventId"], page_size=page_size)
                cache.keep(run, history)
            task["events"] = history
        return task

    def _history_until(
        self, execution: dict[str, str], last_event_id: int, *, page_size: int | None
    ) -> list[dict[str, Any]]:
        """The events of ``execution`` up to ``last_event_id`` (a decision task sees no later ones)."""
        params: dict[str, Any] = {"domain": self.domain, "execution": dict(execution)}
        if page_size is not None:
            params["maximumPageSize"] = page_size
        events: list[dict[str, Any]] = []
        token: str | None = None
        while True:

            def read_page(token: str | None = token) -> dict[str, Any]:
                with swf_errors("GetWorkflowExecutionHistory"):
                    extra = {"nextPageToken": token} if token else {}
                    answer: dict[str, Any] = self.client.get_workflow_execution_history(**params, **extra)
                return answer

            page = _page_through_outage(read_page, what="the history of a decision task")
            events.extend(event for event in page.get("events", []) if event["eventId"] <= last_event_id)
            token = page.get("nextPageToken")
            if not token or (events and events[-1]["eventId"] >= last_event_id):
                return events

    def complete(
        self,
        task_token: str,
        *,
        decisions: Sequence[dict[str, Any]] = (),
        execution_context: str | None = None,
        task_list: str | None = None,
        task_list_timeout: int | None = None,
    ) -> None:
        """Respond to a decision task with ``decisions`` (at most 100, SWF's limit).

        ``task_list`` sends the run's next decision tasks to that list instead of the workflow's (SWF's
        task-list override): a decider process that keeps a run's state names a list of its own, so the
        run comes back to it. The override holds for the run's later tasks, whether or not later answers
        name a list. ``task_list_timeout`` (seconds) makes it temporary: when a task waits on that list
        longer, or is started there but not completed in time, SWF reverts to the workflow's task list.
        Without it, the override is permanent. Raises ``ConfigurationError`` for an unusable pair.
        """
        params: dict[str, Any] = {"taskToken": task_token, "decisions": list(decisions)}
        if execution_context is not None:
            params["executionContext"] = execution_context
        params.update(task_list_override(task_list, task_list_timeout))
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
