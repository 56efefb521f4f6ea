"""Activities: attributes and defaults, the registry, lookup by dotted path, and the worker-side context."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from simpleflow import activity, settings
from simpleflow.exceptions import ConfigurationError, InvalidDecision, WorkflowImportError
from tests.fixtures import activity_kinds


def test_function_activity_keeps_its_function() -> None:
    increment = activity_kinds.increment
    assert isinstance(increment, activity.Activity)
    assert increment(1) == 2
    assert increment.run([41], {}) == 42
    assert increment.__name__ == "increment"
    assert increment.__doc__ == "Adds one."
    assert increment.name == "tests.fixtures.activity_kinds.increment"
    assert (increment.version, increment.task_list) == ("2", "fixtures")


def test_defaults_come_from_settings() -> None:
    bare = activity_kinds.bare
    assert bare.name == "tests.fixtures.activity_kinds.bare"
    assert bare.version == settings.ACTIVITY_DEFAULT_VERSION == "1.0"
    assert bare.task_list == settings.ACTIVITY_DEFAULT_TASK_LIST == "default"
    assert bare.start_to_close_timeout == 300
    assert bare.schedule_to_start_timeout == 3600
    assert bare.schedule_to_close_timeout == "NONE"
    assert bare.heartbeat_timeout == "NONE"
    assert (bare.retry, bare.raises_on_failure, bare.idempotent, bare.meta, bare.serializer) == (
        0,
        False,
        None,
        {},
        None,
    )


def test_defaults_are_read_at_decoration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "ACTIVITY_DEFAULT_TASK_LIST", "other")
    monkeypatch.setattr(activity, "registry", {})

    @activity.with_attributes(serializer="zlib-json", meta={"owner": "team"}, idempotent=True)
    def local(x: int) -> int:
        return x

    assert local.task_list == "other"
    assert (local.serializer, local.meta, local.idempotent) == ("zlib-json", {"owner": "team"}, True)
    assert activity.registry[local.name] is local


def test_class_activity_runs_execute() -> None:
    multiply = activity_kinds.Multiply
    assert multiply.is_class
    assert multiply.run([3], {"factor": 4}) == 12
    assert isinstance(multiply(3), activity_kinds.Multiply.wrapped)  # calling it builds it, as the class does
    assert multiply.heartbeat_timeout == 30
    assert multiply.name == "tests.fixtures.activity_kinds.Multiply"


def test_class_without_execute_is_refused() -> None:
    with pytest.raises(TypeError, match="needs an execute"):

        @activity.with_attributes()
        class NoExecute:
            pass


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        pytest.param({"name": "a:b"}, "':'", id="name-with-colon"),
        pytest.param({"version": "v" * 65}, "1 to 64", id="long-version"),
        pytest.param({"task_list": "q|x"}, "'|'", id="task-list-with-bar"),
    ],
)
def test_bad_names_are_refused_at_decoration(options: dict[str, Any], problem: str) -> None:
    with pytest.raises(InvalidDecision, match=problem):
        activity.with_attributes(**options)(lambda: None)


def test_negative_retry_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="retry must be a non-negative integer"):
        activity.with_attributes(name="retry-test", retry=-1)(lambda: None)


def test_two_definitions_under_one_name_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(activity, "registry", {})

    def first() -> None: ...

    def second() -> None: ...

    activity.with_attributes(name="shared")(first)
    activity.with_attributes(name="shared")(first)  # the same definition again (a reload) is fine
    with pytest.raises(ConfigurationError, match="two activities are named 'shared'"):
        activity.with_attributes(name="shared")(second)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("tests.fixtures.activity_kinds.increment", "increment", id="dotted-path"),
        pytest.param("fixtures-renamed", "renamed", id="registered-custom-name"),
        pytest.param("tests.fixtures.activity_kinds.Multiply", "Multiply", id="class"),
        pytest.param("tests.fixtures.activity_kinds.Namespace.nested", None, id="nested-attribute"),
    ],
)
def test_find_activity(name: str, expected: str | None) -> None:
    found = activity.find_activity(name)
    assert found.name == name
    if expected:
        assert found is getattr(activity_kinds, expected)


def test_find_activity_after_the_registry_is_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(activity, "registry", {})
    found = activity.find_activity("tests.fixtures.activity_kinds.increment")
    assert found.run([1]) == 2


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        pytest.param("nothing", "not a dotted path", id="not-dotted"),
        pytest.param("no_such_package.module.fn", "no module 'no_such_package'", id="unknown-module"),
        pytest.param(
            "tests.fixtures.activity_kinds.missing", "has no attribute 'missing'", id="unknown-attribute"
        ),
        pytest.param(
            "tests.fixtures.activity_kinds.not_an_activity",
            "not an activity; decorate it",
            id="not-an-activity",
        ),
        pytest.param(
            "tests.fixtures.raising_import.fn", "RuntimeError: boom at import time", id="import-raises"
        ),
        pytest.param(
            "tests.fixtures.broken_import.fn",
            "simpleflow_no_such_dependency",
            id="missing-dependency-of-module",
        ),
    ],
)
def test_find_activity_errors(name: str, problem: str) -> None:
    with pytest.raises(WorkflowImportError, match=problem) as caught:
        activity.find_activity(name)
    assert caught.value.path == name
    assert str(caught.value).startswith(f"cannot load {name!r}")


def test_context_outside_a_worker() -> None:
    assert activity.get_context() is None
    with pytest.raises(ConfigurationError, match="outside an activity run by a worker"):
        activity.heartbeat()


CONTEXT = activity.ActivityContext(
    workflow_id="wf", run_id="run", activity_id="activity-x-1", domain="d", task_list="q", attempt=2
)


def test_bind_context_exposes_context_and_heartbeat() -> None:
    beats: list[Any] = []

    def send(details: Any) -> bool:
        beats.append(details)
        return True

    with activity.bind_context(CONTEXT, send) as bound:
        assert bound is CONTEXT
        assert activity_kinds.report_context() == {"activity_id": "activity-x-1", "cancel": True}
    assert beats == [{"p": 1}]
    assert activity.get_context() is None


def test_bind_context_without_callback_heartbeats_nowhere() -> None:
    with activity.bind_context(CONTEXT):
        assert activity.heartbeat("progress") is False


def test_bind_context_is_per_thread() -> None:
    seen: list[Any] = []
    with activity.bind_context(CONTEXT):
        thread = threading.Thread(target=lambda: seen.append(activity.get_context()))
        thread.start()
        thread.join()
        assert activity.get_context() is CONTEXT
    assert seen == [None]


def test_bind_context_resets_after_an_error() -> None:
    with pytest.raises(RuntimeError), activity.bind_context(CONTEXT):
        raise RuntimeError("activity failed")
    assert activity.get_context() is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({}, 300, id="default"),
        pytest.param({"V": "60"}, 60, id="seconds"),
        pytest.param({"V": "none"}, "NONE", id="none-any-case"),
        pytest.param({"V": " "}, 300, id="blank-is-default"),
    ],
)
def test_settings_read_timeout(env: dict[str, str], expected: Any) -> None:
    assert settings.read_timeout("V", 300, environ=env) == expected


def test_settings_bad_timeout_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="SIMPLEFLOW_X='5m': expected whole seconds"):
        settings.read_timeout("SIMPLEFLOW_X", 300, environ={"SIMPLEFLOW_X": "5m"})


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({}, None, id="unset"),
        pytest.param({"SIMPLEFLOW_PAYLOAD_STORE": "file:///tmp/p"}, "file:///tmp/p", id="store-url"),
        pytest.param(
            {"SIMPLEFLOW_JUMBO_FIELDS_BUCKET": "bucket/jumbo/"},
            "simpleflow+s3://bucket/jumbo",
            id="jumbo-alias",
        ),
        pytest.param(
            {"SIMPLEFLOW_PAYLOAD_STORE": "file:///a", "SIMPLEFLOW_JUMBO_FIELDS_BUCKET": "b"},
            "file:///a",
            id="store-wins-over-alias",
        ),
    ],
)
def test_settings_payload_store(env: dict[str, str], expected: str | None) -> None:
    assert settings.read_payload_store(env) == expected
