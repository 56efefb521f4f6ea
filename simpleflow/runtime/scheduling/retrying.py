"""Whether a failed or timed-out attempt is attempted again, and what the next attempt resumes from.

**Which policy.** ``submit(..., __retry_policy=RetryPolicy(...))`` first, else the definition's
``retry_policy`` (the activity's ``with_attributes(retry_policy=...)``, a workflow class's attribute for
children), else ``retry=N`` (with ``retry_delay``) as the policy of ``N + 1`` attempts it stands for. A
workflow's ``on_task_failure`` decides before any of them (:mod:`.failure_handling`).

**Heartbeat resumption.** The next attempt of an activity gets the last heartbeat details of the
attempts before it, in its input envelope (:data:`simpleflow.payload.HEARTBEAT_KEY`); the worker puts
them in the activity context. They are the latest found, walking back from the attempt that just closed:

1. a timed-out attempt: its ``ActivityTaskTimedOut`` ``details`` (SWF's copy of the last heartbeat);
2. a failed attempt: the ``heartbeat_details`` simpleflow's worker adds to the failure details (the last
   heartbeat it sent, or, for an activity process that died, the last one the worker received from it;
   SWF keeps none in ``ActivityTaskFailed``). Other SWF clients' failures carry none;
3. otherwise what that attempt's own input carried from the attempts before it.

So an attempt that fails before heartbeating hands on what it was given. No I/O beyond the payload store.
"""

from __future__ import annotations

from typing import Any

from simpleflow import payload
from simpleflow.history import TaskRecord, TaskState
from simpleflow.retry_policy import RetryPolicy, RetryVerdict
from simpleflow.runtime.scheduling.call import Call

__all__ = ["last_heartbeat_details", "policy_of", "retry_verdict"]


def policy_of(call: Call) -> RetryPolicy | None:
    """The explicit policy of ``call`` (submit's, else the definition's); ``None``: ``retry=N`` decides."""
    return call.retry_policy if call.retry_policy is not None else call.task.retry_policy


def retry_verdict(
    call: Call, record: TaskRecord, *, seed: str, store: payload.PayloadStore | None
) -> RetryVerdict:
    """Whether the attempt ``record.last`` (failed or timed out) of ``call`` is attempted again."""
    task = call.task
    last = record.last
    if last.state not in (TaskState.FAILED, TaskState.TIMED_OUT):
        return RetryVerdict(False, reason=f"a {last.state.value.lower()} attempt is never retried")
    policy = policy_of(call)
    if policy is None:
        # retry=N: the same answer as RetryPolicy(N + 1, retry_delay, backoff_coefficient=1), cheaply.
        if record.attempt_count <= task.retry:
            return RetryVerdict(True, delay=task.retry_delay)
        return RetryVerdict(False, reason=f"retry={task.retry} spent")
    outcomes = [
        ("TIMED_OUT", attempt.timeout_type) if attempt.state is TaskState.TIMED_OUT else ("FAILED", None)
        for attempt in record.attempts
        if attempt.state is not TaskState.SCHEDULE_FAILED
    ]
    reason: str | None = None
    details: Any = None
    if last.state is TaskState.FAILED and policy.non_retryable:
        reason, details = payload.decode_failure(last.reason, last.details, store=store)
    return policy.verdict(outcomes, reason=reason, details=details, seed=seed)


def _decoded(text: str | None, *, store: payload.PayloadStore | None) -> Any:
    if text is None:
        return None
    # Heartbeats of other SWF clients may not be JSON: hand on the raw text rather than fail the retry.
    return payload.decode_failure(None, text, store=store)[1]


def last_heartbeat_details(record: TaskRecord, *, store: payload.PayloadStore | None) -> Any:
    """The details the next attempt of ``record``'s activity resumes from (see the module's rule)."""
    last = record.scheduled
    if last is None:
        return None
    if last.state is TaskState.TIMED_OUT and last.details is not None:
        return _decoded(last.details, store=store)
    if last.state is TaskState.FAILED and last.details is not None:
        details = payload.decode_failure(None, last.details, store=store)[1]
        sent = details.get(payload.HEARTBEAT_FAILURE_KEY) if isinstance(details, dict) else None
        if isinstance(sent, str):
            return _decoded(sent, store=store)
    if last.input is None:
        return None
    carried = payload.decode(last.input, field=f"input of {record.task_id}", store=store)
    return payload.input_heartbeat_details(carried)
