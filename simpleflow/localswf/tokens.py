"""Task tokens: unguessable, and able to say which task they were issued for once that task is gone.

A token is stored with its task and forgotten when the task closes. SWF answers a late response
differently depending on why the task is gone (its run closed: ``Unknown execution: ...``; the task alone
closed: ``Unknown activity, scheduledEventId = N``), so the token carries the run's sequence number and the
task's scheduled event id after its random part. Clients treat tokens as opaque strings, as SWF asks.
"""

from __future__ import annotations

import re
import secrets

from simpleflow.localswf.context import ACTIVITY, Context
from simpleflow.localswf.faults import (
    SWFFault,
    unknown_activity_task,
    unknown_decision_task,
    unknown_execution,
    unknown_task_token,
)

# token_urlsafe's alphabet has no ".", so the two numbers always split off cleanly.
_ISSUED = re.compile(r"[A-Za-z0-9_-]+\.([0-9]+)\.([0-9]+)")


def opaque_text(nbytes: int) -> str:
    """``nbytes`` random bytes as URL-safe text that never starts with "-".

    A command line takes a leading "-" for an option: ``aws swf respond-decision-task-completed
    --task-token -x...`` fails with "expected one argument", and so would a run id given to a
    ``workflow.*`` command. SWF's own tokens and run ids never start with one either.
    """
    text = secrets.token_urlsafe(nbytes)
    return "A" + text[1:] if text.startswith("-") else text


def new_token(run_seq: int, scheduled_event_id: int) -> str:
    """A fresh token for the task scheduled by event ``scheduled_event_id`` of run ``run_seq``."""
    return f"{opaque_text(24)}.{run_seq}.{scheduled_event_id}"


def token_origin(token: str) -> tuple[int, int] | None:
    """``(run_seq, scheduled_event_id)`` of a token this service issued, or None for any other string."""
    issued = _ISSUED.fullmatch(token)
    if issued is None:
        return None
    return int(issued.group(1)), int(issued.group(2))


def gone_task_fault(ctx: Context, token: str, *, kind: str) -> SWFFault:
    """SWF's answer to a response with the token of a task (``kind``: activity or decision) that is gone."""
    origin = token_origin(token)
    if origin is None:
        return unknown_task_token()
    run_seq, scheduled_event_id = origin
    run = ctx.store.row("SELECT workflow_id, run_id, status FROM runs WHERE seq = ?", (run_seq,))
    if run is None:  # forged, or its run is past retention: nothing left to name
        return unknown_task_token()
    if run["status"] != "OPEN":
        return unknown_execution(run["workflow_id"], run["run_id"])
    return unknown_activity_task(scheduled_event_id) if kind == ACTIVITY else unknown_decision_task()
