"""A database file the service cannot use: one line saying what is wrong and what to do, no traceback."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from simpleflow.cli.main import main
from simpleflow.exceptions import ConfigurationError, SimpleflowError
from simpleflow.localswf import db_file
from simpleflow.localswf.db_file import DatabaseUnusable
from simpleflow.localswf.service import SWFService


def random_bytes(path: Path) -> str:
    path.write_bytes(os.urandom(8192))
    return str(path)


def header_then_garbage(path: Path) -> str:
    """A real SQLite file's first 100 bytes (magic string, page size, ...), then noise where pages were."""
    good = path.with_name("good.db")
    with sqlite3.connect(good) as connection:
        connection.execute("CREATE TABLE t (x)")
    path.write_bytes(good.read_bytes()[:100] + os.urandom(8192))
    return str(path)


def under_a_file(path: Path) -> str:
    path.write_text("not a directory")
    return str(path / "swf.db")


BAD_DATABASES = [
    ("missing-directory", lambda tmp: str(tmp / "no-such-dir" / "swf.db"), "does not exist; create it"),
    ("under-a-file", lambda tmp: under_a_file(tmp / "plain-file"), "is not a directory"),
    ("a-directory", lambda tmp: str(tmp), "it is a directory"),
    ("random-bytes", lambda tmp: random_bytes(tmp / "swf.db"), "not an SQLite database"),
    ("header-then-garbage", lambda tmp: header_then_garbage(tmp / "swf.db"), "damaged"),
]


@pytest.mark.parametrize(
    ("make", "expected"), [b[1:] for b in BAD_DATABASES], ids=[b[0] for b in BAD_DATABASES]
)
def test_the_cli_says_what_is_wrong_in_one_line(cli_runner, tmp_path, make, expected):
    db = make(tmp_path)
    before = Path(db).read_bytes() if Path(db).is_file() else None
    result = cli_runner.invoke(main, ["localswf.start", "--port", "0", "--db", db])
    assert result.exit_code == ConfigurationError.exit_code
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"error: cannot use the database {db}: ")
    assert expected in lines[0]
    if before is not None:
        assert Path(db).read_bytes() == before  # a bad file is left as it was, for the user to look at


@pytest.mark.parametrize(
    ("make", "expected"), [b[1:] for b in BAD_DATABASES], ids=[b[0] for b in BAD_DATABASES]
)
def test_the_embedded_service_raises_a_simpleflow_error(tmp_path, make, expected):
    db = make(tmp_path)
    with pytest.raises(DatabaseUnusable, match=expected) as raised:
        SWFService(db)
    assert isinstance(raised.value, SimpleflowError)
    assert raised.value.path == db


@pytest.fixture
def immutable_database(tmp_path: Path) -> Iterator[Path]:
    """A database file nobody may write, root included (file modes do not stop root, which runs the suite)."""
    db = tmp_path / "swf.db"
    SWFService(str(db)).close()
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(db)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here to make a file that root cannot write")
    try:
        yield db
    finally:
        subprocess.run([chattr, "-i", str(db)], check=True)


def test_a_file_that_cannot_be_written_is_one_line(cli_runner, immutable_database):
    result = cli_runner.invoke(main, ["localswf.start", "--port", "0", "--db", str(immutable_database)])
    assert result.exit_code == ConfigurationError.exit_code
    assert result.output.count("\n") == 1
    assert "not readable and writable by this user" in result.output
    assert "run the service as a user who may write" in result.output


def test_the_cli_shows_the_traceback_with_debug(cli_runner, tmp_path):
    result = cli_runner.invoke(
        main, ["--debug", "localswf.start", "--port", "0", "--db", random_bytes(tmp_path / "x.db")]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, DatabaseUnusable)


def test_a_new_file_in_an_existing_directory_is_fine(tmp_path):
    db = tmp_path / "fresh.db"
    SWFService(str(db)).close()
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_refused_writes_are_one_error_line_per_episode(caplog, monkeypatch):
    monkeypatch.setattr(db_file, "_last_logged", [-db_file._LOG_EVERY])
    caplog.set_level(logging.DEBUG, logger=db_file.__name__)
    full = sqlite3.OperationalError("database or disk is full")
    faults = [db_file.write_failure(full) for _ in range(5)]
    assert {(fault.code, fault.status) for fault in faults} == {("ServiceUnavailable", 503)}
    assert "the disk is full" in faults[0].message
    levels = [record.levelno for record in caplog.records]
    assert levels == [logging.ERROR] + [logging.DEBUG] * 4
