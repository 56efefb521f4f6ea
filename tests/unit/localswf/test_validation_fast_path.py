"""The compiled fast path of request validation accepts exactly the requests the full check accepts.

Requests are generated from botocore's model of every SWF operation, valid ones with some values
broken (wrong JSON type, null, out-of-range lengths and numbers, names SWF forbids, bad durations and
priorities, decisions without their attributes), and both paths must agree on each.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from simpleflow.localswf.faults import SWFFault
from simpleflow.localswf.validation import (
    FieldRule,
    _check,
    operation_names,
    request_acceptor,
    request_rule,
    validate_request,
)

CASES_PER_OPERATION = 150
TRICKY_VALUES: list[Any] = [
    None,
    0,
    -5,
    2**40,
    1.5,
    float("nan"),
    True,
    "",
    " padded ",
    "a:b",
    "a/b",
    "tab\there",
    "arn",
    "NONE",
    "12",
    "-3",
    "1.5",
    "x" * 300,
    [],
    ["x"],
    {},
    {"name": "tl"},
]


def full_check_accepts(operation: str, params: Any) -> bool:
    problems: list[str] = []
    try:
        _check(request_rule(operation), params, path="", problems=problems)
    except SWFFault:
        return False
    return not problems


def generate(rule: FieldRule, rng: random.Random, *, depth: int = 0) -> Any:
    if depth and rng.random() < 0.06:
        return rng.choice(TRICKY_VALUES)
    kind = rule.type_name
    if kind == "structure":
        value: dict[str, Any] = {}
        for name, member in rule.members.items():
            if name in rule.required or rng.random() < 0.3:
                value[name] = generate(member, rng, depth=depth + 1)
        if rule.shape_name == "Decision" and rng.random() < 0.8:
            decision_type = value["decisionType"] = generate(rule.members["decisionType"], rng, depth=0)
            attributes = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
            if attributes in rule.members and rng.random() < 0.8:
                value[attributes] = generate(rule.members[attributes], rng, depth=depth + 1)
        if rng.random() < 0.05:
            value["notInTheModel"] = 1
        return value
    if kind in ("list", "map"):
        assert rule.element is not None
        low = rule.min_length or 0
        length = rng.choice([low, low + 1, low + 2, (rule.max_length or 3) + 1])
        if kind == "list":
            return [generate(rule.element, rng, depth=depth + 1) for _ in range(min(length, 6))]
        assert rule.map_key is not None
        return {
            str(generate(rule.map_key, rng, depth=depth + 1)): generate(rule.element, rng, depth=depth + 1)
            for _ in range(min(length, 3))
        }
    if kind in ("integer", "long"):
        low = rule.min_value if rule.min_value is not None else -10
        high = rule.max_value if rule.max_value is not None else 10
        return rng.choice([low, high, low - 1, high + 1, (low + high) // 2])
    if kind == "boolean":
        return rng.random() < 0.5
    if kind in ("timestamp", "double", "float"):
        return rng.choice([1.5e9, 0, 1700000000])
    if rule.enum:
        return rng.choice(sorted(rule.enum))
    if rule.shape_name.startswith("Duration"):
        return rng.choice(["NONE", "30", "0"])
    if rule.shape_name == "TaskPriority":
        return rng.choice(["5", "-2147483648", "2147483648"])
    low = max(rule.min_length or 0, 1)
    return "v" * rng.choice([low, low + 3, (rule.max_length or 50) + 1 if rng.random() < 0.1 else low])


@pytest.mark.parametrize("operation", sorted(operation_names()), ids=str)
def test_fast_path_and_full_check_agree_on_generated_requests(operation: str) -> None:
    rng = random.Random(operation)
    accepts = request_acceptor(operation)
    verdicts = set()
    for _ in range(CASES_PER_OPERATION):
        params = generate(request_rule(operation), rng)
        verdict = accepts(params)
        assert verdict == full_check_accepts(operation, params), params
        verdicts.add(verdict)
    # Both outcomes were exercised, so agreement is not the trivial "always yes" or "always no".
    assert verdicts == {True, False}


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("PollForActivityTask", {"domain": "d", "taskList": {"name": "a|b"}}),
        ("RegisterDomain", {"name": "d", "workflowExecutionRetentionPeriodInDays": "1.5"}),
        ("RespondDecisionTaskCompleted", {"taskToken": "t", "decisions": [{"decisionType": "StartTimer"}]}),
        ("StartWorkflowExecution", {"domain": "d", "workflowId": "w", "workflowType": {"name": "n"}}),
        ("CountPendingActivityTasks", {"domain": "d", "taskList": None}),
    ],
    ids=["forbidden-character", "bad-duration", "missing-attributes", "missing-version", "null-required"],
)
def test_a_request_the_fast_path_refuses_gets_the_full_fault(operation: str, params: Any) -> None:
    assert request_acceptor(operation)(params) is False
    with pytest.raises(SWFFault) as caught:
        validate_request(operation, params)
    assert caught.value.code == "ValidationException"
    assert "failed to satisfy constraint" in str(caught.value.message)
