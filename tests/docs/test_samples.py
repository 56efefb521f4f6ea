"""Every code sample of README.rst and docs/ runs as shown, as a reader would paste it.

Each page is one session (:mod:`tests.docs.session`). Pages under docs/ run in a directory holding a copy
of ``examples/`` and ``.venv`` (this virtualenv), with its ``bin`` first on ``PATH``: the state the README's
set-up leaves a reader in. README.rst runs on a fresh copy of the repository with no virtualenv at all,
set-up commands included, so they are proven on an empty machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simpleflow.runtime.cache import VERIFY_VARIABLE
from tests.docs.conftest import REPO, docs_pages
from tests.docs.samples import parse_page
from tests.docs.session import plan, problems, run

pytestmark = pytest.mark.docs

PAGES = docs_pages()


def _session_env(tmp: Path, *, with_venv: bool) -> dict[str, str]:
    env = dict(os.environ)
    venv_bin = str(Path(sys.prefix) / "bin")
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin]
    env["PATH"] = os.pathsep.join([venv_bin, *path] if with_venv else path)
    # The suite's own check of every live run (tests/conftest.py) replays each run afresh beside it: a
    # reader's run does not, and a workflow's print would show twice.
    env.pop(VERIFY_VARIABLE, None)
    for name in (
        "VIRTUAL_ENV",
        "AWS_ENDPOINT_URL_SWF",
        "SWF_DOMAIN",
        "SIMPLEFLOW_PAYLOAD_STORE",
        "PYTHONPATH",
    ):
        env.pop(name, None)
    env["DOCS_SESSION_TMP"] = str(tmp)
    return env


def _fresh_checkout(target: Path) -> None:
    # The repository's files as git knows them (tracked or new, not ignored): what a clone would hold.
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _reader_directory(target: Path) -> None:
    shutil.copytree(REPO / "examples", target / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    (target / ".venv").symlink_to(sys.prefix)


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_page_samples_run_as_shown(page: Path, tmp_path: Path) -> None:
    samples = parse_page(page)
    script, steps = plan(samples)
    if page.name == "README.rst":
        pytest.importorskip("pip")  # the set-up installs with pip, from the package index
    work = tmp_path / "work"
    work.mkdir()
    fresh = page.name == "README.rst"
    _fresh_checkout(work) if fresh else _reader_directory(work)
    outcomes = run(script, cwd=work, env=_session_env(tmp_path, with_venv=not fresh), timeout=270)
    found = problems(steps, outcomes, page=str(page.relative_to(REPO)))
    assert not found, "\n\n".join(found)


# Every page but the table of contents shows something to run: a page of prose only makes claims that
# nothing checks.
CONTENT_PAGES = [page for page in PAGES if page != REPO / "docs" / "index.md"]


@pytest.mark.parametrize("page", CONTENT_PAGES, ids=[str(p.relative_to(REPO)) for p in CONTENT_PAGES])
def test_page_has_samples(page: Path) -> None:
    assert plan(parse_page(page))[1], f"{page} has no runnable sample"


def test_readme_is_plain_restructuredtext() -> None:
    # GitHub and PyPI render README.rst with docutils alone: no Sphinx directive or option may slip in.
    docutils_core = pytest.importorskip("docutils.core")
    docutils_core.publish_string(
        (REPO / "README.rst").read_text(encoding="utf-8"),
        writer_name="null",
        settings_overrides={"halt_level": 2, "report_level": 2, "warning_stream": False},
    )
