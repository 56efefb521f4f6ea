"""SWF's quotas, as the embedded service enforces them (configurable so tests can reach them)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.quotas import TASK_LIST_SCHEDULE_RATE, QuotaProfile


@dataclass(frozen=True)
class Limits:
    """Counts SWF enforces per execution, domain or request; defaults are Amazon SWF's."""

    max_events: int = 25_000
    max_open_activities: int = 1_000
    max_open_timers: int = 1_000
    max_open_children: int = 1_000
    max_open_lambdas: int = 50
    max_page_size: int = 1_000
    max_resource_tags: int = 50
    #: Polls waiting at once on one task list (of one kind): the developer guide's quotas on task
    #: executions give 1,000 pollers per task list, over which a poll is refused with a limit fault.
    max_pollers_per_task_list: int = 1_000
    lambda_start_to_close_timeout: float = 300.0
    #: Decisions a second, per decision type and scope (the task list for activities, the domain for the
    #: rest; see :mod:`simpleflow.localswf.rates`). SWF's quota of 2,000 scheduled activity tasks a second
    #: per task list is on by default; the others are for tests that want to see a refusal.
    creation_rates: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"ScheduleActivityTask": TASK_LIST_SCHEDULE_RATE})
    )
    #: SWF's published throttling buckets (:mod:`simpleflow.localswf.quotas`): API calls answered with
    #: ``ThrottlingException``, decisions refused with their ``*_RATE_EXCEEDED`` cause. ``None`` (the
    #: default) keeps local runs unthrottled; ``AWS_QUOTAS`` (or its name, ``"aws"``) enforces Amazon
    #: SWF's figures. The service keeps the profile a name stands for.
    quotas: QuotaProfile | str | None = None
    #: Not a quota: seconds between a child start, external signal or external cancel request decision
    #: (its ``*Initiated`` event) and its outcome (``ChildWorkflowExecutionStarted``,
    #: ``ExternalWorkflowExecutionSignaled``, ``ExternalWorkflowExecutionCancelRequested`` or the
    #: ``*Failed`` event). SWF carries these out asynchronously, so other events may come in between; a
    #: decider that assumes they arrive together breaks here as it would there. 0: on the service's next
    #: scheduler step, still after the deciding transaction committed.
    side_effect_delay: float = 0.02

    def __post_init__(self) -> None:
        delay = self.side_effect_delay
        if not (math.isfinite(delay) and delay >= 0):
            raise ValueError(f"side_effect_delay must be a finite number of seconds, 0 or more, not {delay}")


def check_poller_limit(waiting: int, *, kind: str, limits: Limits) -> None:
    """Refuse one more poll on a task list where ``waiting`` polls already wait, at SWF's limit.

    ``kind``: "decision" or "activity", named in the message. The guide names the refusal
    ``LimitExceededException``; botocore's model of the poll operations declares ``LimitExceededFault``,
    the name clients catch, so that is the code sent.
    """
    if waiting >= limits.max_pollers_per_task_list:
        raise SWFFault(
            "LimitExceededFault",
            f"Maximum number of pollers ({limits.max_pollers_per_task_list}) reached on this {kind} task "
            "list; spread the pollers over more task lists",
        )
