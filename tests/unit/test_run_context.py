"""Run context, activity context, class hooks and workflow construction, as upstream's users read them."""

from __future__ import annotations

from typing import Any

import pytest

from simpleflow import Workflow, activity
from simpleflow.exceptions import ConfigurationError
from simpleflow.executor import make_workflow
from simpleflow.run_context import (
    INHERIT_TAG_LIST,
    ExecutorView,
    RunContext,
    call_class_hook,
    resolve_tags,
    start_choices,
)

CONTEXT = RunContext(
    workflow_id="wf",
    run_id="run",
    workflow_name="my.Workflow",
    workflow_version="2",
    task_list="deciders",
    tag_list=("a", "b"),
    input={"args": [1], "kwargs": {}},
    parent_workflow_id="parent",
    domain_name="dom",
)


def test_run_context_reads_as_upstreams_dict_and_as_attributes() -> None:
    assert CONTEXT["name"] == CONTEXT.workflow_name == "my.Workflow"
    assert CONTEXT["version"] == "2"
    assert CONTEXT.get("tag_list") == ["a", "b"] and CONTEXT.tag_list == ("a", "b")
    assert "run_id" in CONTEXT and "nope" not in CONTEXT
    assert CONTEXT.get("nope", "default") == "default"
    assert dict(CONTEXT)["domain_name"] == "dom"
    assert {"parent_workflow_id", "parent_run_id", "continued_execution_run_id"} <= set(CONTEXT)
    with pytest.raises(KeyError):
        CONTEXT["nope"]


def test_activity_context_reads_as_upstreams_dict() -> None:
    context = activity.ActivityContext(
        workflow_id="wf",
        run_id="run",
        activity_id="activity-x-1",
        domain="dom",
        task_list="q",
        activity_name="x",
        activity_version="1",
        input='{"args": [1]}',
    )
    assert context["domain_name"] == context["domain"] == "dom"
    assert (context["name"], context["version"], context["input"]) == ("x", "1", '{"args": [1]}')
    assert context.workflow_id == context["workflow_id"] == "wf"


class ClassMethodHooks:
    @classmethod
    def get_tag_list(cls, *args: Any, **kwargs: Any) -> Any:
        return [cls.__name__, *args, *kwargs]


class PlainFunctionHooks:
    def get_tag_list(cls: type, *args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]  # noqa: N805 - upstream form
        return [cls.__name__, *args]


@pytest.mark.parametrize(
    ("cls", "expected"),
    [(ClassMethodHooks, ["ClassMethodHooks", 1, "k"]), (PlainFunctionHooks, ["PlainFunctionHooks", 1])],
    ids=["classmethod", "plain-function"],
)
def test_class_hooks_get_the_input(cls: type, expected: list[Any]) -> None:
    assert call_class_hook(cls, "get_tag_list", [1], {"k": 2}) == expected


def test_a_missing_class_hook_gives_none() -> None:
    assert call_class_hook(ClassMethodHooks, "get_workflow_id", [], {}) is None


@pytest.mark.parametrize(
    ("tags", "parent", "expected"),
    [
        (INHERIT_TAG_LIST, ("p",), ["p"]),
        (INHERIT_TAG_LIST, None, None),
        ("one", None, ["one"]),
        (("a", "b"), ("p",), ["a", "b"]),
        (None, ("p",), None),
    ],
    ids=["inherit", "inherit-top-level", "string", "tuple", "none"],
)
def test_resolve_tags(tags: Any, parent: Any, expected: Any) -> None:
    assert resolve_tags(tags, parent=parent) == expected


class StartHooks(Workflow):
    name = "unit_start_hooks"
    tag_list = INHERIT_TAG_LIST

    @classmethod
    def get_workflow_id(cls, *args: Any, **kwargs: Any) -> Any:
        return kwargs.get("my_id")

    @classmethod
    def get_task_list(cls, *args: Any, **kwargs: Any) -> Any:
        return f"list-{args[0]}" if args else None


def test_start_choices_prefer_what_was_given_then_the_hooks() -> None:
    hooked = start_choices(StartHooks, {"args": [3], "kwargs": {"my_id": "chosen"}})
    assert (hooked.workflow_id, hooked.tags, hooked.task_list) == ("chosen", [], "list-3")
    given = start_choices(StartHooks, [3], workflow_id="given", tags=["t"], task_list="l")
    assert (given.workflow_id, given.tags, given.task_list) == ("given", ["t"], "l")
    assert start_choices(StartHooks, None).workflow_id is None


class UpstreamInit(Workflow):
    def __init__(self, executor: Any) -> None:
        super().__init__(executor)
        self.seen = executor


class OwnInit(Workflow):
    def __init__(self) -> None:
        super().__init__()
        self.ready = True


def test_workflows_are_built_with_or_without_the_executor() -> None:
    view = ExecutorView.__new__(ExecutorView)
    assert make_workflow(UpstreamInit, view).seen is view  # type: ignore[attr-defined]
    assert make_workflow(UpstreamInit, view).executor is view
    own = make_workflow(OwnInit, view)
    assert own.ready is True  # type: ignore[attr-defined]
    assert make_workflow(Workflow, view).executor is view


def test_executor_outside_a_replay_says_so() -> None:
    with pytest.raises(ConfigurationError, match="not being replayed"):
        OwnInit().executor  # noqa: B018


def test_overriding_upstreams_dead_aliases_warns() -> None:
    with pytest.warns(DeprecationWarning, match=r"before_run\(\) is never called .* override before_replay"):

        class OldStyle(Workflow):
            name = "unit_old_style_hooks"

            def before_run(self, history: Any) -> None:
                pass
