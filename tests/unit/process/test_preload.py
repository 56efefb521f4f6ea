"""Which activity modules a child reports for its forkserver to preload, and how the forkserver imports."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from simpleflow.process.preload import (
    PRELOAD_ENV,
    ModuleImported,
    PreloadPlan,
    import_preloaded,
    import_watched,
)

CLEAN = "RESULT = 1\n"
STARTS_A_THREAD = """
import threading
STOP = threading.Event()
threading.Thread(target=STOP.wait, daemon=True).start()
"""
OPENS_A_FILE = "import os\nHANDLE = open(os.devnull)\n"


@pytest.fixture
def make_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Writes ``preload_probe_<n>.py`` modules on a temporary path; unloads them (and stops threads) after."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made: list[str] = []

    def make(source: str) -> str:
        name = f"preload_probe_{len(made)}"
        (tmp_path / f"{name}.py").write_text(source)
        made.append(name)
        return name

    yield make
    for name in made:
        module = sys.modules.pop(name, None)
        if module is not None and hasattr(module, "STOP"):
            module.STOP.set()
        if module is not None and hasattr(module, "HANDLE"):
            module.HANDLE.close()


def resolve_by_import(name: str) -> str:
    module_name, _, attribute = name.rpartition(".")
    importlib.import_module(module_name)
    return attribute


@pytest.mark.parametrize(
    ("source", "reported"),
    [(CLEAN, True), (STARTS_A_THREAD, False), (OPENS_A_FILE, False)],
    ids=["clean-import-reported", "import-starting-a-thread-not", "import-opening-a-file-not"],
)
def test_a_module_is_reported_only_when_its_import_is_clean(make_module, source: str, reported: bool) -> None:
    name = make_module(source)
    resolved, report = import_watched(f"{name}.activity", resolve_by_import)
    assert resolved == "activity"
    assert (report.module if report else None) == (name if reported else None)
    if report is not None:
        assert report.cpu_seconds > 0


def test_a_module_imported_before_is_not_reported(make_module) -> None:
    name = make_module(CLEAN)
    importlib.import_module(name)
    assert import_watched(f"{name}.activity", resolve_by_import) == ("activity", None)


def test_the_longest_imported_prefix_is_reported(make_module, tmp_path: Path) -> None:
    package = tmp_path / "preload_probe_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "tasks.py").write_text(CLEAN)
    try:

        def resolve(_: str) -> object:
            return importlib.import_module("preload_probe_pkg.tasks")

        _, report = import_watched("preload_probe_pkg.tasks.Task.execute", resolve)
    finally:
        sys.modules.pop("preload_probe_pkg.tasks", None)
        sys.modules.pop("preload_probe_pkg", None)
    assert report is not None and report.module == "preload_probe_pkg.tasks"


def test_an_activity_of_the_main_script_is_never_reported() -> None:
    before = sys.modules.pop("__main__")
    try:

        def resolve(name: str) -> str:
            sys.modules["__main__"] = before
            return name

        assert import_watched("__main__.activity", resolve) == ("__main__.activity", None)
    finally:
        sys.modules["__main__"] = before


def test_a_failing_resolution_raises_as_it_did() -> None:
    def resolve(name: str) -> str:
        raise LookupError(name)

    with pytest.raises(LookupError, match=r"missing\.activity"):
        import_watched("missing.activity", resolve)


def test_the_plan_is_stale_until_a_forkserver_takes_its_modules() -> None:
    plan = PreloadPlan(replace_after_seconds=0.0)
    assert not plan.is_stale
    assert plan.environment() == {}
    plan.add(ModuleImported("tasks.a"))
    plan.add(ModuleImported("tasks.a"))
    assert plan.modules == ("tasks.a",)
    assert plan.is_stale
    assert plan.environment() == {PRELOAD_ENV: "tasks.a"}
    assert not plan.is_stale
    plan.add(ModuleImported("tasks.b"))
    assert plan.environment() == {PRELOAD_ENV: "tasks.a,tasks.b"}


@pytest.mark.parametrize(
    ("reports", "stale"),
    [
        ([("a", 0.1)], False),
        ([("a", 0.1), ("a", 0.1)], False),
        ([("a", 0.1), ("a", 0.1), ("a", 0.1)], True),
        ([("a", 0.15), ("b", 0.15)], True),
    ],
    ids=[
        "one-import-is-cheaper-than-a-forkserver",
        "two-still",
        "three-pay-for-it",
        "missing-modules-add-up",
    ],
)
def test_the_forkserver_is_replaced_once_imports_cost_what_a_new_one_does(
    reports: list[tuple[str, float]], stale: bool
) -> None:
    plan = PreloadPlan(replace_after_seconds=0.25)
    for module, seconds in reports:
        plan.add(ModuleImported(module, seconds))
    assert plan.is_stale is stale


def test_imports_of_modules_already_loaded_do_not_count() -> None:
    plan = PreloadPlan(replace_after_seconds=0.25)
    plan.add(ModuleImported("a", 0.3))
    plan.environment()  # a forkserver with "a" started
    plan.add(ModuleImported("a", 0.3))  # a child of the old forkserver, still running then
    plan.add(ModuleImported("b", 0.1))
    assert not plan.is_stale


def test_the_plan_stops_adding_modules_at_its_limit() -> None:
    plan = PreloadPlan(limit=2, replace_after_seconds=0.0)
    for name in ("a", "b", "c"):
        plan.add(ModuleImported(name))
    assert plan.environment() == {PRELOAD_ENV: "a,b"}
    plan.add(ModuleImported("d"))
    assert not plan.is_stale


def test_the_forkserver_imports_what_it_can_and_logs_the_rest(
    make_module, caplog: pytest.LogCaptureFixture
) -> None:
    good, bad = make_module(CLEAN), make_module("raise ValueError('not here')\n")
    environ = {PRELOAD_ENV: f"{good},{bad},", "OTHER": "kept"}
    with caplog.at_level(logging.WARNING, logger="simpleflow.process.preload"):
        assert import_preloaded(environ) == (good,)
    assert good in sys.modules
    assert environ == {"OTHER": "kept"}  # children do not see the variable
    assert f"could not preload {bad}" in caplog.text
