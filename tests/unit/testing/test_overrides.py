"""Activity overrides in threads: fakes by activity or by name, and the errors of a bad override."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest

from simpleflow import activity
from simpleflow.exceptions import WorkflowFailed
from simpleflow.observability.interceptors import INTERCEPTORS_ENV
from simpleflow.testing import ActivityOverrideError, WorkflowEnvironment
from simpleflow.testing.overrides import OVERRIDES_ENV
from tests.unit.testing.workflows import GreetBothWorkflow, greet, shout


def fake_greet(name: str) -> str:
    return f"hi {name}"


@pytest.mark.parametrize(
    "key",
    [greet, "tests.unit.testing.workflows.greet"],
    ids=["by-activity", "by-name"],
)
def test_a_fake_runs_in_place_of_the_activity(key: Any) -> None:
    with WorkflowEnvironment(activities={key: fake_greet}) as env:
        assert env.execute(GreetBothWorkflow, "ada") == "HI ADA"


def test_any_callable_in_threads_with_the_activity_context_bound() -> None:
    calls: list[tuple[str, str]] = []

    def spy(text: str) -> str:
        calls.append((text, activity.context().activity_name))
        return text[::-1]

    with WorkflowEnvironment(activities={shout: spy, greet: lambda name: f"yo {name}"}) as env:
        handle = env.start(GreetBothWorkflow, "ada")
        assert handle.result(timeout=10) == "ada oy"
        history = handle.history()
    assert calls == [("yo ada", shout.name)]
    # The history is the real activity's: the fake is invisible to the decider.
    scheduled = [
        event["activityTaskScheduledEventAttributes"]["activityType"]["name"]
        for event in history
        if event["eventType"] == "ActivityTaskScheduled"
    ]
    assert scheduled == [greet.name, shout.name]


def test_a_fake_given_by_dotted_path() -> None:
    with WorkflowEnvironment(activities={greet: "tests.unit.testing.test_overrides.fake_greet"}) as env:
        assert env.execute(GreetBothWorkflow, "ada") == "HI ADA"


def test_a_fake_that_raises_fails_the_activity() -> None:
    def broken(name: str) -> str:
        raise RuntimeError(f"no greeting for {name}")

    with (
        WorkflowEnvironment(activities={greet: broken}) as env,
        pytest.raises(WorkflowFailed, match="RuntimeError: no greeting for ada"),
    ):
        env.execute(GreetBothWorkflow, "ada")


def test_an_override_applies_to_its_own_environment_only() -> None:
    with WorkflowEnvironment(activities={greet: fake_greet}) as faked, WorkflowEnvironment() as real:
        assert real.execute(GreetBothWorkflow, "ada") == "HELLO ADA"
        assert faked.execute(GreetBothWorkflow, "ada") == "HI ADA"
    with WorkflowEnvironment() as after:
        assert after.execute(GreetBothWorkflow, "ada") == "HELLO ADA"


def closure() -> Any:
    def inner(name: str) -> str:
        return name

    return inner


@pytest.mark.parametrize(
    ("activities", "processes", "message"),
    [
        ({"tests.unit.testing.workflows.nothing_here": fake_greet}, False, "no such activity"),
        ({"nodots": fake_greet}, False, "no such activity"),
        ({42: fake_greet}, False, "expected an activity or an activity's name"),
        ({greet: "hi there"}, False, "expected a dotted path"),
        ({greet: "tests.unit.testing.workflows.absent"}, False, "has no attribute 'absent'"),
        ({greet: "no_such_module_here.fake"}, False, "no module named 'no_such_module_here'"),
        ({greet: 42}, False, "the fake must be callable, not 42"),
        ({greet: lambda name: name}, True, "cannot reach an activity process"),
        ({greet: closure()}, True, "cannot reach an activity process"),
    ],
    ids=[
        "unknown-name",
        "not-a-dotted-name",
        "key-not-an-activity",
        "path-not-dotted",
        "path-missing-attribute",
        "path-missing-module",
        "not-callable",
        "lambda-in-processes",
        "closure-in-processes",
    ],
)
def test_a_bad_override_is_refused_before_anything_starts(
    activities: dict[Any, Any], processes: bool, message: str
) -> None:
    before = set(threading.enumerate())
    environ = {name: os.environ.get(name) for name in (OVERRIDES_ENV, INTERCEPTORS_ENV)}
    with pytest.raises(ActivityOverrideError, match=message) as caught:
        WorkflowEnvironment(activities=activities, processes=processes)
    assert "activity override" in str(caught.value)
    assert set(threading.enumerate()) <= before
    assert {name: os.environ.get(name) for name in environ} == environ
