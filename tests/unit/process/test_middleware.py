"""The interception point around activities, and upstream's middlewares built on it."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from simpleflow import activity
from simpleflow.exceptions import ConfigurationError
from simpleflow.process.dispatch import resolve_activity
from simpleflow.process.interception import ActivityCall, run_activity
from simpleflow.process.middleware import POST_OPTION, PRE_OPTION, MiddlewareInterceptor, Middlewares

calls: list[Any] = []


def pre(context: Any) -> None:
    calls.append(("pre", context))


def post(context: Any, result: Any) -> None:
    calls.append(("post", context, result))


@activity.with_attributes(name="tests.unit.process.add_one")
def add_one(x: int) -> int:
    calls.append(("activity", x))
    return x + 1


def plain_function(x: int) -> int:
    return x * 10


class PlainClass:
    def __init__(self, x: int) -> None:
        self.x = x

    def execute(self) -> int:
        return -self.x


@pytest.fixture(autouse=True)
def fresh_calls() -> None:
    calls.clear()


def call(x: int = 1) -> ActivityCall:
    return ActivityCall(add_one, [x], {}, context="ctx")


class Tagging:
    """An interceptor that wraps the result, to see the chain's order."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def intercept_activity(self, call: ActivityCall, proceed: Any) -> Any:
        calls.append(("enter", self.tag))
        return [self.tag, proceed()]


def test_without_interceptors_the_activity_runs() -> None:
    assert run_activity(call(4)) == 5
    assert calls == [("activity", 4)]


def test_the_first_interceptor_is_outermost() -> None:
    assert run_activity(call(1), [Tagging("a"), Tagging("b")]) == ["a", ["b", 2]]
    assert calls == [("enter", "a"), ("enter", "b"), ("activity", 1)]


def test_middlewares_call_pre_then_activity_then_post_with_the_result() -> None:
    interceptor = MiddlewareInterceptor([pre, pre], [post])
    assert run_activity(call(2), [interceptor]) == 3
    assert calls == [("pre", "ctx"), ("pre", "ctx"), ("activity", 2), ("post", "ctx", 3)]


def test_post_is_not_called_when_the_activity_raises() -> None:
    def failing(x: int) -> int:
        raise ValueError(x)

    broken = activity.with_attributes(name="tests.unit.process.failing")(failing)
    with pytest.raises(ValueError):
        run_activity(ActivityCall(broken, [1], {}, None), [MiddlewareInterceptor([pre], [post])])
    assert calls == [("pre", None)]


def test_a_raising_pre_stops_the_activity() -> None:
    def refuse(context: Any) -> None:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError, match="no"):
        run_activity(call(), [MiddlewareInterceptor([refuse], [post])])
    assert calls == []


def test_middlewares_load_by_dotted_path_and_travel_as_options() -> None:
    middlewares = Middlewares.of([f"{__name__}.pre"], [f"{__name__}.post"])
    loaded = middlewares.load()
    assert loaded.pre == (pre,) and loaded.post == (post,)
    assert middlewares.options() == [PRE_OPTION, f"{__name__}.pre", POST_OPTION, f"{__name__}.post"]
    assert pickle.loads(pickle.dumps(middlewares)) == middlewares
    assert Middlewares().interceptors() == ()
    assert not Middlewares.of(None, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        pytest.param("nodots", "expected a dotted path", id="not-dotted"),
        pytest.param("no_such_module_x.f", "no module named 'no_such_module_x'", id="no-module"),
        pytest.param(f"{__name__}.missing", "has no attribute 'missing'", id="no-attribute"),
        pytest.param(f"{__name__}.calls", "is not callable", id="not-callable"),
    ],
)
def test_a_bad_path_names_the_option_and_the_path(path: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=f"^{PRE_OPTION} '{path}': .*{message}"):
        Middlewares.of([path]).load()


def test_an_undecorated_function_or_class_runs_by_its_dotted_path() -> None:
    function = resolve_activity(f"{__name__}.plain_function")
    assert function.run([3]) == 30
    assert resolve_activity(f"{__name__}.PlainClass").run([3]) == -3
    assert resolve_activity("tests.unit.process.add_one") is add_one


def test_a_name_that_is_nothing_runnable_is_still_an_error() -> None:
    from simpleflow.exceptions import WorkflowImportError

    with pytest.raises(WorkflowImportError):
        resolve_activity(f"{__name__}.calls")
    with pytest.raises(WorkflowImportError):
        resolve_activity("no_such_module_y.f")
