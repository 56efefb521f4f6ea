"""The typed user surface, as a user's mypy sees it: generic futures and activities, the package found."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simpleflow import activity
from simpleflow.activity import ActivityContext, bind_context
from simpleflow.exceptions import ConfigurationError, NotInActivityError

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "typed_user"


def test_user_project_is_checked_against_the_installed_package(tmp_path: Path) -> None:
    # Run from a temp dir on a copy: mypy finds simpleflow only through the venv's editable install.
    source = tmp_path / "app.py"
    source.write_text((FIXTURE / "app.py").read_text())
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--config-file", "/dev/null", "app.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = run.stdout + run.stderr
    assert "import-not-found" not in output, output
    assert 'app.py:16: note: Revealed type is "int"' in output, output
    assert 'app.py:17: note: Revealed type is "simpleflow.activity.ActivityContext"' in output, output
    assert 'app.py:18: error: No overload variant of "submit"' in output, output
    assert run.returncode == 1, output


def test_editable_install_uses_a_static_path() -> None:
    # setuptools writes a plain .pth (a path mypy follows) only when the root is the package directory.
    # (tomllib is 3.11+, and the project supports 3.10: read the line itself.)
    lines = (ROOT / "pyproject.toml").read_text().splitlines()
    section = lines[lines.index("[tool.setuptools]") :]
    assert 'package-dir = { "" = "." }' in section[: section.index("") if "" in section else None]
    assert (ROOT / "simpleflow" / "py.typed").exists()


def test_context_outside_an_activity_is_a_clear_error() -> None:
    with pytest.raises(NotInActivityError, match=r"activity\.context\(\) was called outside an activity"):
        activity.context()
    assert issubclass(NotInActivityError, ConfigurationError)
    assert activity.get_context() is None


def test_context_inside_an_activity() -> None:
    bound = ActivityContext(workflow_id="w", run_id="r", activity_id="1", domain="d", task_list="t")
    with bind_context(bound):
        assert activity.context() is bound
        assert activity.get_context() is bound


def test_heartbeat_outside_an_activity_names_the_call() -> None:
    with pytest.raises(NotInActivityError, match=r"activity\.heartbeat\(\)"):
        activity.heartbeat()
