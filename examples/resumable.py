"""Heartbeat resumption: a long activity heartbeats its progress, and its retry resumes where it stopped.

simpleflow workflow.start --local examples.resumable.ResumableWorkflow --input '[12, "fail"]'
simpleflow workflow.start --local examples.resumable.ResumableWorkflow --input '[12, "stall"]'
simpleflow standalone --local-swf examples.resumable.ResumableWorkflow --input '[12, "stall"]'

The activity adds up the squares of ``0 .. count - 1``, one item at a time, and heartbeats after each item
with what a restart needs: the next item and the running total. Its first attempt stops half way:

- ``"fail"``: it raises (a lost connection, say). SWF's ``ActivityTaskFailed`` keeps no heartbeat, so the
  worker puts the last details it sent in the failure's details;
- ``"stall"``: it hangs without heartbeating, as a stuck worker would, until SWF times it out
  (``HEARTBEAT``). SWF copies the last heartbeat's details into ``ActivityTaskTimedOut``.

Either way the decider hands those details to the next attempt, which reads them from
``activity.context().last_heartbeat_details`` and goes on from the next item. The result proves it: each
item was added once, and ``done_by_attempt`` counts the items each attempt did.
"""

import threading

from simpleflow import RetryPolicy, Workflow, activity

#: Seconds without a heartbeat after which SWF times an attempt out.
HEARTBEAT_TIMEOUT = 2
#: How long a stalled attempt hangs: past the heartbeat timeout, plus the worker's forwarding of the
#: last heartbeat (at most one a second), so the timeout fires first.
STALL = HEARTBEAT_TIMEOUT + 2


class ConnectionLost(Exception):
    """Stands for a transient failure half way through the work."""


@activity.with_attributes(
    task_list="quickstart",
    version="example",
    heartbeat_timeout=HEARTBEAT_TIMEOUT,
    # Failures and heartbeat timeouts have budgets of their own: three of each.
    retry_policy=RetryPolicy(3, 1, timeout_attempts={"HEARTBEAT": 3}),
)
def sum_of_squares(count, interruption="fail"):
    context = activity.context()
    # None on the first attempt; afterwards the last details an earlier attempt heartbeated.
    progress = context.last_heartbeat_details or {"next": 0, "total": 0, "done_by_attempt": {}}
    resumed_from = progress["next"]
    total, done_by_attempt = progress["total"], dict(progress["done_by_attempt"])
    attempt = str(context.attempt)
    for item in range(resumed_from, count):
        total += item * item
        done_by_attempt[attempt] = done_by_attempt.get(attempt, 0) + 1
        activity.heartbeat({"next": item + 1, "total": total, "done_by_attempt": done_by_attempt})
        if context.attempt == 1 and item + 1 == count // 2:
            if interruption == "fail":
                raise ConnectionLost(f"connection lost after item {item}")
            # A stuck worker: no heartbeat for longer than the timeout. When it wakes up, its heartbeat
            # finds the task gone (SWF timed it out and a retry took over), and the attempt is stopped.
            threading.Event().wait(STALL)
            activity.heartbeat()
            raise RuntimeError("this attempt should have been stopped: SWF timed it out")
    return {"total": total, "resumed_from": resumed_from, "done_by_attempt": done_by_attempt}


class ResumableWorkflow(Workflow):
    name = "resumable"
    version = "example"
    task_list = "example"

    def run(self, count, interruption="fail"):
        return self.submit(sum_of_squares, count, interruption).result
