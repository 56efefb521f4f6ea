"""Amazon SWF's published throttling quotas, as data, and the profiles the embedded service enforces.

Source: the Amazon SWF Developer Guide, page "Amazon SWF Quotas" (``swf-dg-limits``), section "Amazon SWF
throttling quotas" and its three tables, and section "Quotas on Task Executions" for the per-task-list
scheduling rate. The guide describes every figure as a token bucket: a bucket holds at most its *size*
in tokens, each call (or decision) spends one, and tokens come back at the *refill* rate per second. The
same figures apply in every Region.

Scopes, as the guide gives them:

- **account and region** ("Throttling quotas for all Regions", "Decision quotas for all Regions"): one
  embedded service plays one account in one Region, so these buckets are the service's own;
- **workflow execution** ("Workflow-level quotas", not raisable on AWS): one bucket per run;
- **task list** ("Maximum tasks scheduled per second", 2,000 per task list): one bucket per task list, the
  default of :attr:`~simpleflow.localswf.limits.Limits.creation_rates`, enforced with or without a profile.

The guide names no figure for the ``ScheduleLambdaFunction`` and ``ContinueAsNewWorkflowExecution``
decisions, although their ``*_RATE_EXCEEDED`` causes exist; a profile leaves them alone (set them in
``Limits.creation_rates`` to see those refusals).

A profile is off by default, so that local runs are as fast as the machine allows; ``localswf.start
--quotas aws``, ``Limits(quotas=AWS_QUOTAS)`` or ``SWFService(quotas="aws")`` turn it on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

#: Where every figure of this module comes from.
SOURCE = (
    "Amazon SWF Developer Guide, 'Amazon SWF Quotas' "
    "(https://docs.aws.amazon.com/amazonswf/latest/developerguide/swf-dg-limits.html)"
)


class QuotaScope(str, Enum):
    """What one bucket is shared by."""

    ACCOUNT = "account and region"
    EXECUTION = "workflow execution"
    TASK_LIST = "task list"


class QuotaKind(str, Enum):
    """What spends a token: an API call, or a decision in a ``RespondDecisionTaskCompleted``."""

    API = "api"
    DECISION = "decision"


@dataclass(frozen=True)
class BucketQuota:
    """A token bucket's figures: at most ``size`` tokens, ``refill`` tokens back a second."""

    size: float
    refill: float

    def __post_init__(self) -> None:
        # A bucket that can never hold one token would refuse every call: always a mistake.
        if not self.size >= 1:
            raise ValueError(f"a bucket's size must be at least 1 token, not {self.size}")
        if not self.refill > 0:
            raise ValueError(f"a bucket's refill must be above 0 tokens a second, not {self.refill}")


@dataclass(frozen=True)
class PublishedQuota:
    """One row of the guide's tables: what is throttled, how, and shared by what."""

    name: str
    kind: QuotaKind
    scope: QuotaScope
    bucket: BucketQuota
    section: str


_API_SECTION = "Throttling quotas for all Regions"
_DECISION_SECTION = "Decision quotas for all Regions"
_EXECUTION_SECTION = "Workflow-level quotas"
_TASK_SECTION = "Quotas on Task Executions"

# (API name, bucket size, refill per second), in the guide's order.
_ACCOUNT_API_FIGURES = (
    ("CountClosedWorkflowExecutions", 2000, 6),
    ("CountOpenWorkflowExecutions", 2000, 6),
    ("CountPendingActivityTasks", 200, 6),
    ("CountPendingDecisionTasks", 200, 6),
    ("DeleteActivityType", 200, 6),
    ("DeleteWorkflowType", 200, 6),
    ("DeprecateActivityType", 200, 6),
    ("DeprecateDomain", 100, 6),
    ("DeprecateWorkflowType", 200, 6),
    ("DescribeActivityType", 2000, 6),
    ("DescribeDomain", 200, 6),
    ("DescribeWorkflowExecution", 2000, 6),
    ("DescribeWorkflowType", 2000, 6),
    ("GetWorkflowExecutionHistory", 2000, 60),
    ("ListActivityTypes", 200, 6),
    ("ListClosedWorkflowExecutions", 200, 6),
    ("ListDomains", 100, 6),
    ("ListOpenWorkflowExecutions", 200, 48),
    ("ListTagsForResource", 50, 30),
    ("ListWorkflowTypes", 200, 6),
    ("PollForActivityTask", 2000, 200),
    ("PollForDecisionTask", 2000, 200),
    ("RecordActivityTaskHeartbeat", 2000, 160),
    ("RegisterActivityType", 200, 60),
    ("RegisterDomain", 100, 6),
    ("RegisterWorkflowType", 200, 60),
    ("RequestCancelWorkflowExecution", 2000, 30),
    ("RespondActivityTaskCanceled", 2000, 200),
    ("RespondActivityTaskCompleted", 2000, 200),
    ("RespondActivityTaskFailed", 2000, 200),
    ("RespondDecisionTaskCompleted", 2000, 200),
    ("SignalWorkflowExecution", 2000, 30),
    ("StartWorkflowExecution", 2000, 200),
    ("TagResource", 50, 30),
    ("TerminateWorkflowExecution", 2000, 60),
    ("UndeprecateActivityType", 200, 6),
    ("UndeprecateDomain", 100, 6),
    ("UndeprecateWorkflowType", 200, 6),
    ("UntagResource", 50, 30),
)
_DECISION_FIGURES = (
    ("RequestCancelExternalWorkflowExecution", 1200, 120),
    ("ScheduleActivityTask", 1000, 200),
    ("SignalExternalWorkflowExecution", 1200, 120),
    ("StartChildWorkflowExecution", 500, 12),
    ("StartTimer", 2000, 200),
)
_EXECUTION_API_FIGURES = (
    ("GetWorkflowExecutionHistory", 400, 200),
    ("SignalWorkflowExecution", 1000, 1000),
    ("RecordActivityTaskHeartbeat", 1000, 1000),
    ("RequestCancelWorkflowExecution", 200, 200),
)
#: "Maximum tasks scheduled per second: 2,000 per task list" (the guide gives a rate, no bucket size: the
#: bucket holds one second's worth).
TASK_LIST_SCHEDULE_RATE = 2000.0

#: Every figure the guide publishes, one row each.
PUBLISHED_QUOTAS: tuple[PublishedQuota, ...] = (
    *(
        PublishedQuota(name, QuotaKind.API, QuotaScope.ACCOUNT, BucketQuota(size, refill), _API_SECTION)
        for name, size, refill in _ACCOUNT_API_FIGURES
    ),
    *(
        PublishedQuota(
            name, QuotaKind.DECISION, QuotaScope.ACCOUNT, BucketQuota(size, refill), _DECISION_SECTION
        )
        for name, size, refill in _DECISION_FIGURES
    ),
    *(
        PublishedQuota(
            name, QuotaKind.API, QuotaScope.EXECUTION, BucketQuota(size, refill), _EXECUTION_SECTION
        )
        for name, size, refill in _EXECUTION_API_FIGURES
    ),
    PublishedQuota(
        "ScheduleActivityTask",
        QuotaKind.DECISION,
        QuotaScope.TASK_LIST,
        BucketQuota(TASK_LIST_SCHEDULE_RATE, TASK_LIST_SCHEDULE_RATE),
        _TASK_SECTION,
    ),
)


#: The operations SWF throttles per workflow execution, and the request member naming the execution:
#: ``execution`` (an object), ``workflowId``/``runId`` at the top, or an activity's ``taskToken``.
_PER_EXECUTION_OPERATIONS = {
    "GetWorkflowExecutionHistory": "execution",
    "SignalWorkflowExecution": "workflowId",
    "RequestCancelWorkflowExecution": "workflowId",
    "RecordActivityTaskHeartbeat": "taskToken",
}


def execution_member(operation: str) -> str | None:
    """The request member that names the execution a per-execution quota of ``operation`` is kept for."""
    return _PER_EXECUTION_OPERATIONS.get(operation)


def _frozen(buckets: Mapping[str, BucketQuota]) -> Mapping[str, BucketQuota]:
    return MappingProxyType(dict(buckets))


@dataclass(frozen=True)
class QuotaProfile:
    """The buckets one service enforces: API calls per account, per execution, and decisions per account.

    Names are SWF's operation names (``api``, ``api_per_execution``) and decision types (``decisions``). An
    operation or decision absent from a mapping is not throttled in that scope. Build one from
    :data:`AWS_QUOTAS` with :meth:`with_buckets` to shrink some buckets (a test that wants to reach them
    in a second instead of after 2,000 calls), so the same code runs either way.
    """

    name: str
    api: Mapping[str, BucketQuota] = field(default_factory=dict)
    api_per_execution: Mapping[str, BucketQuota] = field(default_factory=dict)
    decisions: Mapping[str, BucketQuota] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Imported here: the decision causes live with the decision buckets, which import this module.
        from simpleflow.localswf.rates import RATE_CAUSES

        known_apis = {quota.name for quota in PUBLISHED_QUOTAS if quota.kind is QuotaKind.API}
        checks = (
            ("api", self.api, known_apis),
            ("api_per_execution", self.api_per_execution, set(_PER_EXECUTION_OPERATIONS)),
            ("decisions", self.decisions, set(RATE_CAUSES)),
        )
        for label, buckets, known in checks:
            unknown = set(buckets) - known
            if unknown:
                raise ValueError(
                    f"quota profile {self.name!r}: no {label} quota can apply to "
                    f"{', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
                )
            for bucket in buckets.values():
                if not isinstance(bucket, BucketQuota):
                    raise TypeError(
                        f"quota profile {self.name!r}: {label} values must be BucketQuota, not {bucket!r}"
                    )
        object.__setattr__(self, "api", _frozen(self.api))
        object.__setattr__(self, "api_per_execution", _frozen(self.api_per_execution))
        object.__setattr__(self, "decisions", _frozen(self.decisions))

    def with_buckets(
        self,
        *,
        name: str | None = None,
        api: Mapping[str, BucketQuota] | None = None,
        api_per_execution: Mapping[str, BucketQuota] | None = None,
        decisions: Mapping[str, BucketQuota] | None = None,
    ) -> QuotaProfile:
        """This profile with some buckets replaced (or added); the others keep their figures."""
        return QuotaProfile(
            name or f"{self.name} (modified)",
            api={**self.api, **(api or {})},
            api_per_execution={**self.api_per_execution, **(api_per_execution or {})},
            decisions={**self.decisions, **(decisions or {})},
        )


def _published(kind: QuotaKind, scope: QuotaScope) -> dict[str, BucketQuota]:
    return {
        quota.name: quota.bucket for quota in PUBLISHED_QUOTAS if quota.kind is kind and quota.scope is scope
    }


#: Amazon SWF's published figures, scoped as published.
AWS_QUOTAS = QuotaProfile(
    "aws",
    api=_published(QuotaKind.API, QuotaScope.ACCOUNT),
    api_per_execution=_published(QuotaKind.API, QuotaScope.EXECUTION),
    decisions=_published(QuotaKind.DECISION, QuotaScope.ACCOUNT),
)

#: The profiles ``localswf.start --quotas`` and ``SWFService(quotas=...)`` know by name; ``none`` is off.
PROFILES: Mapping[str, QuotaProfile | None] = MappingProxyType({"none": None, "aws": AWS_QUOTAS})


def quota_profile(choice: str | QuotaProfile | None) -> QuotaProfile | None:
    """The profile a name (``none``, ``aws``) or a profile stands for; ``None`` stays off."""
    if choice is None or isinstance(choice, QuotaProfile):
        return choice
    if not isinstance(choice, str):
        raise TypeError(
            f"a quota profile is a name ({', '.join(PROFILES)}) or a QuotaProfile, not {choice!r}"
        )
    if choice not in PROFILES:
        raise ValueError(f"unknown quota profile {choice!r}; known: {', '.join(PROFILES)}")
    return PROFILES[choice]
