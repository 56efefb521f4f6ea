"""Child workflow options: each StartChildWorkflowExecution field per submit, per class and by default."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from simpleflow.child_options import ChildOptions, child_options, parent_close_policy_of
from simpleflow.exceptions import InvalidDecision
from tests.fixtures import child_option_workflows as fixtures
from tests.unit.executor_driver import Run, attributes

PARENT_ID = "workflow-1"  # HistoryBuilder's default workflow id
DEFAULT_CHILD_ID = f"{PARENT_ID}--fixtures.children.plain-1"


def start_decision(which: str, options: dict[str, Any] | None = None, **builder: Any) -> dict[str, Any]:
    """The StartChildWorkflowExecution attributes OptionsParent decides for ``children[which]``."""
    run = Run(fixtures.OptionsParent, input={"args": [which, options or {}], "kwargs": {}}, **builder)
    decisions = run.step()
    assert Run.types(decisions) == ["StartChildWorkflowExecution"], decisions
    return attributes(decisions[0])


# (field of the decision, submit option and value, what the class gives, what submit gives)
FIELDS = [
    ("workflowId", ("workflow_id", "my-child"), f"{PARENT_ID}--fixtures.children.configured-1", "my-child"),
    ("taskList", ("task_list", "fast-lane"), {"name": "class-deciders"}, {"name": "fast-lane"}),
    ("taskPriority", ("priority", 9), "3", "9"),
    ("executionStartToCloseTimeout", ("execution_timeout", 60), "600", "60"),
    ("taskStartToCloseTimeout", ("decision_tasks_timeout", 5), "30", "5"),
    ("childPolicy", ("child_policy", "abandon"), "REQUEST_CANCEL", "ABANDON"),
    ("tagList", ("tag_list", ["a", "b"]), ["from-class"], ["a", "b"]),
    (
        "lambdaRole",
        ("lambda_role", "arn:aws:iam::111111000000:role/submit-role"),
        "arn:aws:iam::111111000000:role/class-role",
        "arn:aws:iam::111111000000:role/submit-role",
    ),
    ("control", ("parent_close_policy", "request_cancel"), None, '{"parent_close_policy":"REQUEST_CANCEL"}'),
]
FIELD_IDS = [field for field, *_ in FIELDS]


@pytest.mark.parametrize(("field", "option", "from_class", "from_submit"), FIELDS, ids=FIELD_IDS)
def test_the_default_is_the_types_own(field: str, option: Any, from_class: Any, from_submit: Any) -> None:
    started = start_decision("plain")
    if field == "workflowId":
        assert started[field] == DEFAULT_CHILD_ID
    else:
        assert field not in started  # left out: SWF takes the registered default


@pytest.mark.parametrize(("field", "option", "from_class", "from_submit"), FIELDS, ids=FIELD_IDS)
def test_the_class_attribute_sets_it(field: str, option: Any, from_class: Any, from_submit: Any) -> None:
    started = start_decision("configured")
    assert started.get(field) == from_class


@pytest.mark.parametrize(("field", "option", "from_class", "from_submit"), FIELDS, ids=FIELD_IDS)
def test_submit_wins_over_the_class(field: str, option: Any, from_class: Any, from_submit: Any) -> None:
    key, value = option
    assert start_decision("configured", {key: value})[field] == from_submit
    assert start_decision("plain", {key: value})[field] == from_submit


def test_every_option_at_once_changes_only_its_own_fields() -> None:
    options = {key: value for _, (key, value), _, _ in FIELDS}
    started = start_decision("plain", options)
    assert {field: started[field] for field in FIELD_IDS} == {field: new for field, _, _, new in FIELDS}
    assert started["workflowType"] == {"name": "fixtures.children.plain", "version": "1.0"}


@pytest.mark.parametrize(
    ("tags", "parent_tags", "expected"),
    [
        ("one", (), ["one"]),
        (["x", "y"], ("p",), ["x", "y"]),
        ("INHERIT_TAG_LIST", ("p1", "p2"), ["p1", "p2"]),
    ],
    ids=["single-string", "list", "inherit"],
)
def test_submit_tag_list_forms(tags: Any, parent_tags: tuple[str, ...], expected: list[str]) -> None:
    started = start_decision("configured", {"tag_list": tags}, tag_list=parent_tags)
    assert started["tagList"] == expected


def test_a_timedelta_timeout_is_whole_seconds() -> None:
    options = child_options({"__execution_timeout": datetime.timedelta(minutes=2)})
    assert options.execution_timeout == "120"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"__child_policy": "KILL"}, "must be one of TERMINATE, REQUEST_CANCEL, ABANDON"),
        ({"__child_policy": 3}, "must be a policy name"),
        ({"__parent_close_policy": "NEVER"}, "must be one of REQUEST_CANCEL, ABANDON"),
        ({"__parent_close_policy": "TERMINATE"}, "no SWF decision terminates another execution"),
        ({"__execution_timeout": -5}, "must be 0 to 99999999 seconds"),
        ({"__execution_timeout": "soon"}, "must be 0 to 99999999 seconds"),
        ({"__decision_tasks_timeout": 1.5}, "must be whole seconds"),
        ({"__tag_list": ["1", "2", "3", "4", "5", "6"]}, "has 6 tags; SWF allows at most 5"),
        ({"__tag_list": ["x" * 257]}, "at most 256 characters"),
        ({"__workflow_id": "a:b"}, "must not contain ':'"),
        ({"__workflow_id": "x" * 257}, "must be 1 to 256 characters long"),
        ({"__task_list": ""}, "must be 1 to 256 characters long"),
        ({"__lambda_role": ""}, "IAM role ARN"),
    ],
    ids=[
        "bad-child-policy",
        "child-policy-not-text",
        "bad-parent-close-policy",
        "terminate-on-parent-close",
        "negative-timeout",
        "timeout-not-a-number",
        "fractional-timeout",
        "six-tags",
        "long-tag",
        "id-with-colon",
        "id-too-long",
        "empty-task-list",
        "empty-lambda-role",
    ],
)
def test_bad_options_are_refused_naming_the_option(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidDecision, match="submit\\(__") as raised:
        child_options(options)
    assert message in str(raised.value)
    assert raised.value.field == f"submit({next(iter(options))}=)"


def test_a_bad_option_fails_the_parent_at_submit_with_its_message() -> None:
    run = Run(fixtures.OptionsParent, input={"args": ["plain", {"child_policy": "KILL"}], "kwargs": {}})
    decisions = run.step()
    assert Run.types(decisions) == ["FailWorkflowExecution"]  # nothing was started
    assert "submit(__child_policy=) 'KILL'" in attributes(decisions[0])["reason"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("activity", "submit(__task_list=) 'somewhere': is an option of child workflows"),
        ("canvas", "submit(__execution_timeout=) 10: is an option of one child workflow, not of Group"),
    ],
    ids=["activity", "canvas"],
)
def test_child_options_are_refused_for_what_is_no_child(target: str, message: str) -> None:
    decisions = Run(fixtures.MisusedOptionParent, input=[target]).step()
    assert Run.types(decisions) == ["FailWorkflowExecution"]
    assert message in attributes(decisions[0])["reason"]


def test_a_bad_class_parent_close_policy_is_reported_when_the_child_is_started() -> None:
    class TerminatingChild(fixtures.PlainChild):
        name = "fixtures.children.terminating"
        parent_close_policy = "TERMINATE"

    class Parent(fixtures.OptionsParent):
        name = "fixtures.children.terminating_parent"

        def run(self, *args: Any) -> Any:
            return self.submit(TerminatingChild).result

    decisions = Run(Parent, verify=False).step()
    assert Run.types(decisions) == ["FailWorkflowExecution"]
    assert "TerminatingChild.parent_close_policy 'TERMINATE'" in attributes(decisions[0])["reason"]


def test_no_options_is_empty_and_the_control_round_trips() -> None:
    assert ChildOptions().is_empty()
    assert not child_options({"__task_list": "q"}).is_empty()
    assert child_options({"__priority": 5, "__retry_policy": None}).is_empty()
    assert parent_close_policy_of('{"parent_close_policy":"REQUEST_CANCEL"}') == "REQUEST_CANCEL"
    for foreign in (None, "", "not json", "{bad", '["x"]', '{"parent_close_policy": "TERMINATE"}'):
        assert parent_close_policy_of(foreign) is None


def test_options_apply_to_a_task_and_win_over_the_id_hook() -> None:
    decisions = Run(fixtures.TaskFormParent).step()
    started = [attributes(decision) for decision in decisions]
    assert [d["workflowId"] for d in started] == [
        f"{PARENT_ID}--fixtures.children.plain-1",
        "hooked-1",
        "chosen",
    ]
    assert started[0]["taskList"] == {"name": "task-form"}
    assert "taskList" not in started[1]
