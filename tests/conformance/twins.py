"""Twin services for the direct client's differential tests: the same requests, two transports.

One service is reached through a botocore client attached in process (``embedded_client``), its twin through
the direct client, whose model client is that same botocore client (so both raise the very same exception
classes). Each request goes to both; results and errors must be equal *and of the same types*, all the way
down: key order, ``datetime`` and its tzinfo, ``ResponseMetadata``, ``str(error)``.

What cannot be equal is masked: run ids, task tokens and page tokens are random per service, so each side
renames the ones it has seen to placeholders in order of appearance (also inside messages). Timestamps are
made equal instead: both services run on a clock that moves only when the test moves it, one second per
step, so every history event and listing sorts the same on both sides. Timeouts are long: a deadline that
fires on a scheduler thread would race the steps (the conformance suite's timeout tests run through the
direct client as a transport of their own).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import botocore.session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import strategies as st

from simpleflow.localswf.direct import direct_client
from simpleflow.localswf.embedded import IN_PROCESS_ENDPOINT, make_local_client
from simpleflow.localswf.inprocess import attach
from simpleflow.localswf.limits import Limits
from simpleflow.localswf.service import SWFService
from tests.fixtures.executions import ManualClock

DOMAIN = "differential"
WORKFLOW = {"name": "flow", "version": "1"}
ACTIVITY = {"name": "job", "version": "1"}
DECISIONS, ACTIVITIES = "decisions", "activities"
LONG = "100000"  # seconds: no deadline fires while a test runs
# Keys whose values are random per service: the sides rename them to placeholders before comparing.
RANDOM_KEYS = frozenset(
    {"runId", "taskToken", "nextPageToken", "continuedExecutionRunId", "newExecutionRunId"}
)
TEXT = st.text(alphabet='abc é✓\U0001f600"\\\n', max_size=6)


class Side:
    """One service, one client on it, and what the steps have learned from its answers."""

    def __init__(self, service: SWFService, client: Any, clock: ManualClock) -> None:
        self.service, self.client, self.clock = service, client, clock
        self.runs: list[dict[str, str]] = []
        self.decision_tokens: list[str] = []
        self.activity_tokens: list[str] = []
        self.page_tokens: list[str] = []
        self.aliases: dict[str, str] = {}
        self.after_calls: list[tuple[str, Any]] = []
        client.meta.events.register("after-call.swf", self._record_after_call)

    def _record_after_call(self, model: Any, parsed: Any, http_response: Any, **_: Any) -> None:
        self.after_calls.append((model.name, http_response.status_code))

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """The outcome of one call, in a form where equal means identical (types and order included)."""
        try:
            result = getattr(self.client, method)(**params)
        except ClientError as error:
            self.learn(error.response)
            return (
                "error",
                type(error),
                self.typed(error.response),
                self.rename(str(error)),
                error.operation_name,
            )
        except ParamValidationError as error:
            return ("invalid", type(error), str(error), error.kwargs)
        except Exception as error:  # whatever else botocore raises (a KeyError without its checks...)
            return ("raised", type(error), str(error))
        self.learn(result)
        self.remember(method, params, result)
        return ("ok", self.typed(result))

    def learn(self, value: Any, key: str | None = None) -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                self.learn(item, name)
        elif isinstance(value, list):
            for item in value:
                self.learn(item)
        elif key in RANDOM_KEYS and isinstance(value, str) and value and value not in self.aliases:
            self.aliases[value] = f"<{key}-{len(self.aliases)}>"

    def rename(self, text: str) -> str:
        if text in self.aliases:
            return self.aliases[text]
        for real, alias in self.aliases.items():
            text = text.replace(real, alias)
        return text

    def typed(self, value: Any) -> Any:
        if isinstance(value, dict):
            return (type(value), tuple((self.typed(key), self.typed(item)) for key, item in value.items()))
        if isinstance(value, list | tuple):
            return (type(value), tuple(self.typed(item) for item in value))
        if isinstance(value, datetime.datetime):
            zone = value.tzinfo
            return (type(value), value.isoformat(), type(zone), value.utcoffset(), value.dst(), value.fold)
        if isinstance(value, str):
            return (type(value), self.rename(value))
        return (type(value), value)

    def remember(self, method: str, params: dict[str, Any], result: dict[str, Any]) -> None:
        if method == "start_workflow_execution":
            self.runs.append({"workflowId": params["workflowId"], "runId": result["runId"]})
        token = result.get("taskToken")
        if token and method == "poll_for_decision_task" and "nextPageToken" not in params:
            self.decision_tokens.append(token)
        elif token and method == "poll_for_activity_task":
            self.activity_tokens.append(token)
        if result.get("nextPageToken"):
            self.page_tokens.append(result["nextPageToken"])


def botocore_client(*, parameter_validation: bool) -> Any:
    """A botocore ``swf`` client configured as ``make_local_client``'s, with or without its own checks."""
    if parameter_validation:
        return make_local_client(IN_PROCESS_ENDPOINT)
    config = Config(
        signature_version=UNSIGNED,
        parameter_validation=False,
        retries={"total_max_attempts": 1, "mode": "standard"},
    )
    session = botocore.session.Session()
    return session.create_client(
        "swf", region_name="us-east-1", endpoint_url=IN_PROCESS_ENDPOINT, config=config
    )


@contextmanager
def twin_sides(*, parameter_validation: bool = True) -> Iterator[tuple[Side, Side]]:
    """A botocore side and a direct side, on two services that start alike."""
    with ExitStack() as stack:
        services = []
        for _ in range(2):
            clock = ManualClock()
            # Child starts, signals and cancels sent to other executions land after a delay, fired by the
            # service's scheduler thread: far in the future here, so that they never race the steps.
            service = SWFService(poll_timeout=0.0, clock=clock, limits=Limits(side_effect_delay=1e9))
            stack.callback(service.close)
            services.append((service, clock))
        (botocore_service, botocore_clock), (direct_service, direct_clock) = services
        reference = attach(botocore_client(parameter_validation=parameter_validation), botocore_service)
        # The direct client borrows the reference client's model and exception classes, nothing else.
        direct = direct_client(direct_service, model_client=reference)
        yield Side(botocore_service, reference, botocore_clock), Side(direct_service, direct, direct_clock)


def assert_alike(
    sides: tuple[Side, Side], method: str, params: Callable[[Side], dict[str, Any]] | dict[str, Any]
):
    """Send one request to both sides (``params`` may read what a side learned) and compare the outcomes."""
    outcomes = []
    for side in sides:
        outcomes.append(side.call(method, params(side) if callable(params) else dict(params)))
        side.clock.advance(1)
    reference, direct = outcomes
    assert direct == reference, (method, reference, direct)
    return reference


def register(sides: tuple[Side, Side]) -> None:
    assert_alike(sides, "register_domain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"})
    assert_alike(
        sides,
        "register_workflow_type",
        {
            "domain": DOMAIN,
            "defaultTaskList": {"name": DECISIONS},
            "defaultChildPolicy": "TERMINATE",
            "defaultExecutionStartToCloseTimeout": LONG,
            "defaultTaskStartToCloseTimeout": LONG,
            **WORKFLOW,
        },
    )
    assert_alike(
        sides,
        "register_activity_type",
        {
            "domain": DOMAIN,
            "defaultTaskList": {"name": ACTIVITIES},
            "defaultTaskScheduleToStartTimeout": LONG,
            "defaultTaskScheduleToCloseTimeout": LONG,
            "defaultTaskStartToCloseTimeout": LONG,
            "defaultTaskHeartbeatTimeout": "NONE",
            **ACTIVITY,
        },
    )


def start(workflow_id: str, **extra: Any) -> dict[str, Any]:
    return {"domain": DOMAIN, "workflowId": workflow_id, "workflowType": WORKFLOW, **extra}


def schedule(activity_id: str, **extra: Any) -> dict[str, Any]:
    attributes = {"activityId": activity_id, "activityType": ACTIVITY, **extra}
    return {"decisionType": "ScheduleActivityTask", "scheduleActivityTaskDecisionAttributes": attributes}


FAULTS = [
    ("describe_domain", {"name": "nowhere"}),
    ("register_domain", {"name": DOMAIN, "workflowExecutionRetentionPeriodInDays": "1"}),
    ("register_domain", {"name": "a:b", "workflowExecutionRetentionPeriodInDays": "1"}),
    ("register_activity_type", {"domain": DOMAIN, **ACTIVITY}),
    ("respond_activity_task_completed", {"taskToken": "forged"}),
    ("respond_decision_task_completed", {"taskToken": "forged", "decisions": []}),
    ("start_workflow_execution", start("twice", taskList={"name": "t"})),
    ("start_workflow_execution", start("twice", taskList={"name": "t"})),
    (
        "start_workflow_execution",
        {"domain": DOMAIN, "workflowId": "x", "workflowType": {"name": "no", "version": "1"}},
    ),
    ("describe_workflow_execution", {"domain": DOMAIN, "execution": {"workflowId": "no", "runId": "no"}}),
    (
        "get_workflow_execution_history",
        {"domain": DOMAIN, "execution": {"workflowId": "w", "runId": "r"}, "nextPageToken": "forged"},
    ),
    ("signal_workflow_execution", {"domain": DOMAIN, "workflowId": "nobody", "signalName": "s"}),
    ("delete_activity_type", {"domain": DOMAIN, "activityType": ACTIVITY}),
    ("list_domains", {"registrationStatus": "SOMETIMES"}),
    ("list_domains", {"registrationStatus": "REGISTERED", "maximumPageSize": 5000}),
    ("poll_for_activity_task", {"domain": DOMAIN, "taskList": {"name": "a|b"}}),
    ("respond_activity_task_failed", {"taskToken": "t", "reason": "r" * 300}),
    ("start_workflow_execution", start("tags", taskList={"name": "t"}, tagList=list("abcdef"))),
    (
        "count_open_workflow_executions",
        {
            "domain": DOMAIN,
            "startTimeFilter": {"oldestDate": 0},
            "tagFilter": {"tag": "a"},
            "typeFilter": WORKFLOW,
        },
    ),
    ("tag_resource", {"resourceArn": "arn:nothing", "tags": [{"key": "k"}]}),
    ("deprecate_domain", {"name": DOMAIN}),
    ("deprecate_domain", {"name": DOMAIN}),
    ("start_workflow_execution", start("late", taskList={"name": "t"})),
    (
        "respond_decision_task_completed",
        {"taskToken": "t", "decisions": [{"decisionType": "StartTimer"}] * 2},
    ),
]

INVALID = [
    ("describe_domain", {}),
    ("describe_domain", {"name": 3}),
    ("describe_domain", {"name": "d", "extra": 1}),
    ("list_domains", {"registrationStatus": "REGISTERED", "maximumPageSize": "5"}),
    ("poll_for_decision_task", {"domain": "d", "taskList": {"nam": "x"}}),
    ("poll_for_decision_task", {"domain": "d", "taskList": "x"}),
    ("start_workflow_execution", {"domain": "", "workflowId": "w", "workflowType": WORKFLOW}),
    (
        "start_workflow_execution",
        {"domain": "d", "workflowId": "w", "workflowType": WORKFLOW, "tagList": "abc"},
    ),
    ("count_open_workflow_executions", {"domain": "d", "startTimeFilter": {"oldestDate": "not a date"}}),
    ("count_open_workflow_executions", {"domain": "d", "startTimeFilter": {"oldestDate": None}}),
    ("respond_decision_task_completed", {"taskToken": "t", "decisions": [{"decisionType": 1}]}),
    ("respond_decision_task_completed", {"taskToken": "t", "decisions": ({"decisionType": "StartTimer"},)}),
    ("record_activity_task_heartbeat", {"taskToken": None}),
    (
        "list_open_workflow_executions",
        {"domain": "d", "startTimeFilter": {"oldestDate": 0}, "reverseOrder": "yes"},
    ),
]
