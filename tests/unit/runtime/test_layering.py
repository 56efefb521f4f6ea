"""The replay runtime imports one way: each module only imports modules below it in ``LAYERS``.

Every import counts: at module level, inside functions, and under ``if TYPE_CHECKING:`` (a type-only
import of a module above is still a cycle, only hidden). Each module also imports alone in a fresh
interpreter, so no import order is needed for it to load.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import simpleflow

#: Lowest first. A module may import the ones before it, never the ones after.
LAYERS = [
    "simpleflow.runtime.parking",
    "simpleflow.futures",
    "simpleflow.run_context",
    "simpleflow.task_failure",
    "simpleflow.task",
    "simpleflow.signal",
    "simpleflow.submit_options",
    "simpleflow.runtime.resolution",
    "simpleflow.runtime.call_log",
    "simpleflow.runtime.turn",
    "simpleflow.runtime.events.backoff",
    "simpleflow.runtime.events.event_future",
    "simpleflow.runtime.events.signals",
    "simpleflow.runtime.events.side_effects",
    "simpleflow.runtime.events.patches",
    "simpleflow.runtime.events.replay_events",
    "simpleflow.runtime.canvas",
    "simpleflow.runtime.scheduling.call",
    "simpleflow.runtime.scheduling.failure_handling",
    "simpleflow.runtime.scheduling.retrying",
    "simpleflow.runtime.scheduling.scheduler",
    "simpleflow.workflow",
    "simpleflow.canvas",
    "simpleflow.step.selection",
    "simpleflow.step.tasks",
    "simpleflow.step.submittable",
    "simpleflow.step.workflow",
    "simpleflow.runtime.bounds",
    "simpleflow.runtime.answer",
    "simpleflow.runtime.instance",
    "simpleflow.runtime.closing",
    "simpleflow.runtime.live_run",
    "simpleflow.runtime.cache",
    "simpleflow.executor",
    "simpleflow.swf.executor",
]
#: Packages whose ``__init__`` only documents their modules: importing them brings nothing above.
DOCUMENTING_PACKAGES = {"simpleflow.runtime", "simpleflow.runtime.events", "simpleflow.runtime.scheduling"}

PACKAGE_ROOT = Path(simpleflow.__file__).parent


def source_of(module: str) -> str:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    return Path(spec.origin).read_text()


def is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def imported_modules(source: str, *, package: str) -> set[str]:
    """Every ``simpleflow`` module ``source`` imports, wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                # ``from simpleflow.runtime import parking`` imports the module simpleflow.runtime.parking.
                candidate = f"{base}.{alias.name}"
                found.add(candidate if is_module(candidate) else base)
    return {name for name in found if name == "simpleflow" or name.startswith("simpleflow.")}


def upward_imports(module: str, source: str) -> list[str]:
    """The modules ``module`` imports that sit at or above it in :data:`LAYERS`."""
    rank = LAYERS.index(module)
    package = module.rpartition(".")[0]
    return sorted(
        name
        for name in imported_modules(source, package=package)
        if name in LAYERS and LAYERS.index(name) >= rank and name != module
    )


@pytest.mark.parametrize("module", LAYERS, ids=LAYERS)
def test_each_module_imports_only_modules_below_it(module: str) -> None:
    assert upward_imports(module, source_of(module)) == []


def test_the_check_sees_an_upward_import_even_when_hidden() -> None:
    hidden = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from simpleflow.workflow import Workflow\n"
        "def late():\n"
        "    from simpleflow.runtime import live_run\n"
    )
    assert upward_imports("simpleflow.runtime.scheduling.scheduler", hidden) == [
        "simpleflow.runtime.live_run",
        "simpleflow.workflow",
    ]


def test_what_the_runtime_stands_on_imports_nothing_of_it() -> None:
    """The modules below the layers (payload, history, decisions, ...) never reach back into them."""
    foundations: set[str] = set()
    for module in LAYERS:
        package = module.rpartition(".")[0]
        foundations |= {
            name
            for name in imported_modules(source_of(module), package=package)
            if name not in LAYERS and name not in DOCUMENTING_PACKAGES and name != "simpleflow"
        }
    reaching_back = {
        name: sorted(set(LAYERS) & imported_modules(source_of(name), package=name.rpartition(".")[0]))
        for name in sorted(foundations)
    }
    assert {name: found for name, found in reaching_back.items() if found} == {}


def test_the_documenting_packages_import_nothing() -> None:
    for package in DOCUMENTING_PACKAGES:
        assert imported_modules(source_of(package), package=package) == set(), package


@pytest.mark.parametrize("module", LAYERS, ids=LAYERS)
def test_each_module_imports_alone_in_a_fresh_interpreter(module: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
