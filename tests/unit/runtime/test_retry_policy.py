"""RetryPolicy as a value: validation, delays, jitter under replay, budgets and non-retryable matching."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from simpleflow import RetryPolicy, Workflow, activity
from simpleflow.exceptions import ConfigurationError
from simpleflow.retry_policy import policy_from_retry
from simpleflow.runtime.events.backoff import MAX_THROTTLE_DELAY, paced_delay
from simpleflow.workflow import registry as workflow_registry


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"maximum_attempts": 0}, "maximum_attempts must be an integer of at least 1"),
        ({"maximum_attempts": True}, "maximum_attempts must be an integer"),
        ({"maximum_attempts": 2, "initial_interval": -1}, "initial_interval must be seconds"),
        ({"maximum_attempts": 2, "backoff_coefficient": 0.5}, "backoff_coefficient must be a number"),
        ({"maximum_attempts": 2, "initial_interval": 10, "maximum_interval": 5}, "at least initial_interval"),
        ({"maximum_attempts": 2, "non_retryable": (3,)}, "non_retryable takes exception classes"),
        ({"maximum_attempts": 2, "timeout_attempts": {"HEART": 1}}, "is not a timeout type"),
        ({"maximum_attempts": 2, "timeout_attempts": {"HEARTBEAT": -1}}, "must be an integer of 0 or more"),
        ({"maximum_attempts": 2, "jitter": 1.5}, "jitter must be a fraction from 0 to 1"),
        ({"maximum_attempts": 2, "initial_interval": float("nan")}, "initial_interval must be seconds"),
    ],
    ids=["zero-attempts", "bool-attempts", "negative-interval", "shrinking", "max-below-initial",
         "bad-non-retryable", "unknown-timeout", "negative-budget", "jitter-over-1", "nan-interval"],
)  # fmt: skip
def test_invalid_policies_are_refused_with_a_clear_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        RetryPolicy(**kwargs)


def define_activity(**attributes: Any) -> None:
    activity.with_attributes(name="fixtures.retry.refused", **attributes)(lambda: None)


def define_workflow(**attributes: Any) -> None:
    type("RefusedWorkflow", (Workflow,), {"name": "fixtures.retry.refused_workflow", **attributes})


@pytest.mark.parametrize("define", [define_activity, define_workflow], ids=["activity", "workflow"])
@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"retry_policy": 3}, "retry_policy must be a simpleflow.RetryPolicy, not 3"),
        ({"retry_policy": {"maximum_attempts": 3}}, "retry_policy must be a simpleflow.RetryPolicy"),
        ({"retry_policy": RetryPolicy(3), "retry": 2}, "not both"),
    ],
    ids=["a-number", "a-dict", "with-retry"],
)  # fmt: skip
def test_a_definition_refuses_what_is_not_a_policy(
    define: Callable[..., None], attributes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        define(**attributes)
    assert "fixtures.retry.refused" not in activity.registry  # nothing half-defined is left to run
    assert "fixtures.retry.refused_workflow" not in workflow_registry


def test_arguments_after_the_first_two_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        RetryPolicy(3, 1, 2.0)  # type: ignore[misc]


def test_equal_policies_are_equal_and_hash_alike() -> None:
    first = RetryPolicy(3, 1, non_retryable=[ValueError], timeout_attempts={"HEARTBEAT": 2})
    second = RetryPolicy(3, 1, non_retryable=("ValueError",), timeout_attempts={"HEARTBEAT": 2})
    assert first == second
    assert hash(first) == hash(second)
    assert first.non_retryable == ("ValueError",)


@pytest.mark.parametrize(
    ("policy", "delays"),
    [
        (RetryPolicy(6, 1), [1, 2, 4, 8, 16]),
        (RetryPolicy(6, 1, maximum_interval=5), [1, 2, 4, 5, 5]),
        (RetryPolicy(6, 1.5, backoff_coefficient=1.0), [2, 2, 2, 2, 2]),  # whole seconds, rounded up
        (RetryPolicy(6), [0, 0, 0, 0, 0]),
        (policy_from_retry(3, 30), [30, 30, 30]),
    ],
    ids=["exponential", "capped", "constant-rounded-up", "immediate", "retry-shorthand"],
)
def test_delays(policy: RetryPolicy, delays: list[int]) -> None:
    assert [policy.delay(n) for n in range(1, len(delays) + 1)] == delays


def test_jitter_is_deterministic_per_seed_and_bounded() -> None:
    policy = RetryPolicy(10, 100, backoff_coefficient=1.0, jitter=0.5)
    draws = [policy.delay(1, seed=f"run|task-{n}") for n in range(50)]
    assert draws == [policy.delay(1, seed=f"run|task-{n}") for n in range(50)]  # the same at replay
    assert all(50 <= draw <= 150 for draw in draws)
    assert len(set(draws)) > 10  # actually spread


FAILED = ("FAILED", None)
HEARTBEAT = ("TIMED_OUT", "HEARTBEAT")
START_TO_CLOSE = ("TIMED_OUT", "START_TO_CLOSE")


@pytest.mark.parametrize(
    ("policy", "outcomes", "retry"),
    [
        (RetryPolicy(3), [FAILED], True),
        (RetryPolicy(3), [FAILED, FAILED], True),
        (RetryPolicy(3), [FAILED, FAILED, FAILED], False),
        (RetryPolicy(1), [FAILED], False),
        (RetryPolicy(2, timeout_attempts={"HEARTBEAT": 3}), [HEARTBEAT, HEARTBEAT], True),
        (RetryPolicy(2, timeout_attempts={"HEARTBEAT": 3}), [HEARTBEAT] * 3, False),
        (RetryPolicy(2, timeout_attempts={"HEARTBEAT": 3}), [HEARTBEAT, HEARTBEAT, FAILED], True),
        (RetryPolicy(2, timeout_attempts={"HEARTBEAT": 3}), [FAILED, HEARTBEAT, FAILED], False),
        (RetryPolicy(2, timeout_attempts={"HEARTBEAT": 3}), [START_TO_CLOSE, START_TO_CLOSE], False),
        (RetryPolicy(5, timeout_attempts={"START_TO_CLOSE": 0}), [START_TO_CLOSE], False),
    ],
    ids=["first-failure", "second-failure", "budget-spent", "single-attempt", "heartbeat-budget-left",
         "heartbeat-budget-spent", "failures-counted-apart", "failure-budget-spent-after-timeouts",
         "unlisted-timeout-counts-as-attempt", "timeout-type-never-retried"],
)  # fmt: skip
def test_attempt_budgets(policy: RetryPolicy, outcomes: list[tuple[str, str | None]], retry: bool) -> None:
    assert policy.verdict(outcomes).retry is retry


class BadInputError(Exception):
    pass


@pytest.mark.parametrize(
    ("entry", "reason", "details", "matched"),
    [
        (ValueError, "ValueError: bad", None, True),
        ("ValueError", "ValueError", None, True),
        ("ValueError", "ValueErrorish: x", None, False),
        (BadInputError, "something", {"error": "tests.unit.runtime.BadInputError"}, True),
        ("tests.unit.runtime.BadInputError", "x", {"error": "tests.unit.runtime.BadInputError"}, True),
        ("InputError", "x", {"error": "mod.BadInputError"}, False),
        ("card declined", "card declined", None, True),
        (KeyError, "ValueError: 'key'", {"error": "builtins.ValueError"}, False),
    ],
    ids=["type-prefix", "bare-type", "prefix-is-not-a-type", "qualified-name-suffix", "qualified-name",
         "partial-name-is-not-a-match", "whole-reason", "other-type"],
)  # fmt: skip
def test_non_retryable_matching(entry: Any, reason: str, details: Any, matched: bool) -> None:
    policy = RetryPolicy(5, non_retryable=(entry,))
    assert policy.is_non_retryable(reason, details) is matched
    assert policy.verdict([FAILED], reason=reason, details=details).retry is not matched


@pytest.mark.parametrize(
    ("cause", "failures", "rank", "delay"),
    [
        ("ACTIVITY_CREATION_RATE_EXCEEDED", 1, 1, 1),
        ("ACTIVITY_CREATION_RATE_EXCEEDED", 1, 200, 1),
        ("ACTIVITY_CREATION_RATE_EXCEEDED", 1, 201, 2),
        ("ACTIVITY_CREATION_RATE_EXCEEDED", 1, 1000, 5),
        ("ACTIVITY_CREATION_RATE_EXCEEDED", 2, 1000, 10),
        ("CHILD_CREATION_RATE_EXCEEDED", 1, 13, 2),
        ("CHILD_CREATION_RATE_EXCEEDED", 1, 500, 42),
        ("CHILD_CREATION_RATE_EXCEEDED", 3, 500, MAX_THROTTLE_DELAY),
        ("OPEN_ACTIVITIES_LIMIT_EXCEEDED", 3, 900, 4),
        ("LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED", 1, 900, 1),
        ("TIMER_CREATION_RATE_EXCEEDED", 1, 200, 1),
        ("TIMER_CREATION_RATE_EXCEEDED", 1, 201, 2),
        ("TIMER_CREATION_RATE_EXCEEDED", 3, 1, 4),
        ("OPEN_TIMERS_LIMIT_EXCEEDED", 2, 500, 2),
    ],
    ids=["first", "within-one-second-of-refill", "second-second", "fan-out-of-1000", "refused-again",
         "children-refill-12", "children-fan-out", "capped", "limit-not-a-bucket", "no-published-bucket",
         "timers-refill-200", "timers-second-second", "timers-refused-again", "open-timers-limit"],
)  # fmt: skip
def test_rate_refusals_are_paced_by_the_published_refill(
    cause: str, failures: int, rank: int, delay: int
) -> None:
    assert paced_delay(cause, failures=failures, rank=rank) == delay
