"""Which activity modules a child reports for its forkserver to preload, and how the forkserver imports."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from simpleflow.process.preload import PRELOAD_ENV, PreloadPlan, import_preloaded, import_watched

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
    resolved, imported = import_watched(f"{name}.activity", resolve_by_import)
    assert resolved == "activity"
    assert imported == (name if reported else None)


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

        _, imported = import_watched("preload_probe_pkg.tasks.Task.execute", resolve)
    finally:
        sys.modules.pop("preload_probe_pkg.tasks", None)
        sys.modules.pop("preload_probe_pkg", None)
    assert imported == "preload_probe_pkg.tasks"


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
    plan = PreloadPlan()
    assert not plan.is_stale
    assert plan.environment() == {}
    plan.add("tasks.a")
    plan.add("tasks.a")
    assert plan.is_stale
    assert plan.environment() == {PRELOAD_ENV: "tasks.a"}
    assert not plan.is_stale
    plan.add("tasks.b")
    assert plan.environment() == {PRELOAD_ENV: "tasks.a,tasks.b"}


def test_the_plan_stops_adding_modules_at_its_limit() -> None:
    plan = PreloadPlan(limit=2)
    for name in ("a", "b", "c"):
        plan.add(name)
    assert plan.environment() == {PRELOAD_ENV: "a,b"}
    plan.add("d")
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
