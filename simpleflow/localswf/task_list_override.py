"""Where an execution's decision tasks go: its own task list, or the one a decider asked for.

What SWF documents (API reference, ``RespondDecisionTaskCompleted``: the ``taskList`` and
``taskListScheduleToStartTimeout`` members, the same text as in botocore's ``swf/2012-01-25`` model;
``DecisionTaskScheduledEventAttributes``, ``DecisionTaskTimedOutEventAttributes``; the 2023-08-11 API change
that added them), in our words:

- A decider completing a decision task may name a ``taskList``: the execution's *future* decision tasks go
  there instead of to the list the execution was started with.
- ``taskListScheduleToStartTimeout`` makes that override temporary. Without it the override is permanent.
- A decision task scheduled on a temporary override's list and not started within the timeout times out:
  ``DecisionTaskTimedOut`` with ``timeoutType`` ``SCHEDULE_TO_START``. SWF then reverts the override and
  schedules a new decision task on the original list.
- If such a task is started in time but not completed within its start-to-close timeout, SWF reverts the
  override as well (``DecisionTaskTimedOut`` ``START_TO_CLOSE``, then a new task on the original list).
- ``DecisionTaskCompleted`` records the ``taskList`` and ``taskListScheduleToStartTimeout`` of the request.
  ``DecisionTaskScheduled`` records the list the task went to (``taskList``), the execution's decision
  start-to-close timeout (``startToCloseTimeout``) and the schedule-to-start timeout of the task
  (``scheduleToStartTimeout``).

What the documents leave open, and how this service reads it:

- *A later response without ``taskList`` keeps the override.* The override is documented as applying to
  the execution's future decision tasks, and as ending only by a revert: a response that names no list
  asks for no change. Each task scheduled while a temporary override holds gets its timeout.
- *A response with ``taskList`` replaces the override*, timeout included: naming a list without a timeout
  makes it permanent, and naming the execution's own list routes the tasks back there.
- *A timeout without ``taskList``* is recorded in ``DecisionTaskCompleted`` as sent but changes nothing:
  it is documented as the timeout of the override the same request names.
- *``NONE`` or an empty timeout* means no timeout, as ``NONE`` does everywhere in SWF's API: the override is
  permanent. A number is seconds (the service's validation refuses anything else, and more than 8
  characters, with SWF's ``ValidationException`` texts, before the task is touched).
- *``scheduleToStartTimeout`` is absent* from ``DecisionTaskScheduled`` unless a timeout applies to the task.
- *A permanent override is never reverted*, not even by a start-to-close timeout: the documents describe the
  revert on start-to-close only for a temporary one. The task after the timeout goes to the override's list.
- *An override does not outlive the run*: a run continued as new, or a child, starts on its own list.

In storage, ``dt_task_list`` is the list the run's next (or current) decision task goes to, override or not,
and ``dt_schedule_to_start`` the timeout of a temporary override (None otherwise), so that the queue index
on ``dt_task_list`` serves both.
"""

from __future__ import annotations

from typing import Any

from simpleflow.localswf.context import Run

NO_TIMEOUT = "NONE"


def override_task_list(run: Run, params: dict[str, Any]) -> None:
    """Apply the ``taskList`` and ``taskListScheduleToStartTimeout`` of a ``RespondDecisionTaskCompleted``."""
    task_list = (params.get("taskList") or {}).get("name")
    if not task_list:
        return
    timeout = params.get("taskListScheduleToStartTimeout")
    run.dt_task_list = task_list
    run.dt_schedule_to_start = None if not timeout or timeout == NO_TIMEOUT else timeout


def has_temporary_override(run: Run) -> bool:
    """Whether the run's decision tasks go to an override list that a timeout reverts."""
    return run.dt_schedule_to_start is not None


def revert_override(run: Run) -> None:
    """Send the run's next decision tasks back to the execution's own task list."""
    run.dt_task_list = run.task_list
    run.dt_schedule_to_start = None
