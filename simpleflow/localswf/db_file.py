"""Opening the embedded service's SQLite file, and saying in one line what is wrong when it cannot be used.

sqlite3 reports a missing directory, a read-only file and a file that is not a database alike, as
``OperationalError: unable to open database file`` or ``DatabaseError: file is not a database``, at the
first statement rather than at ``connect``. A user given ``--db`` needs to know which it is and what to do,
so the path is looked at before SQLite opens it, and what SQLite still refuses is translated after.

A write that fails once the service runs (the disk full, a file-size limit, an I/O error) is answered
with SWF's ``ServiceUnavailable`` (503, which clients retry) and the transaction rolled back: SQLite's
journal keeps the file as it was before the call, so nothing half-written is left behind.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import time

from simpleflow.exceptions import ConfigurationError
from simpleflow.localswf.faults import SWFFault

logger = logging.getLogger(__name__)
#: Seconds between two error lines about refused writes (the others go to the debug log).
_LOG_EVERY = 10.0
_last_logged = [-_LOG_EVERY]

MEMORY = ":memory:"
#: The first 16 bytes of every SQLite 3 database file (the file format's documented magic string).
SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseUnusable(ConfigurationError):
    """Raised when the embedded service's database file cannot be opened or is not an SQLite database.

    ``path`` is the file given; ``problem`` says what is wrong, and the message what to do about it.
    """

    def __init__(self, path: str, problem: str, *, remedy: str) -> None:
        super().__init__(f"cannot use the database {path}: {problem}; {remedy}")
        self.path = path
        self.problem = problem


def check_path(path: str) -> None:
    """Refuse, before SQLite sees it, a path whose directory is missing or that cannot be read and written."""
    if path == MEMORY or path.startswith("file:"):
        return  # :memory: needs no file; a URI's options are SQLite's to interpret
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise DatabaseUnusable(path, "it is a directory", remedy="give a file path inside it")
    if not os.path.exists(directory):
        parent = _existing_ancestor(directory)
        if parent is not None and not os.path.isdir(parent):
            raise DatabaseUnusable(
                path, f"{parent} is a file, not a directory", remedy="give a path in a directory"
            )
        raise DatabaseUnusable(
            path, f"the directory {directory} does not exist", remedy="create it, or give another path"
        )
    if not os.path.isdir(directory):
        raise DatabaseUnusable(path, f"{directory} is not a directory", remedy="give a path in a directory")
    if os.path.exists(path):
        if not os.access(path, os.R_OK | os.W_OK):
            raise DatabaseUnusable(
                path, "the file is not readable and writable by this user", remedy=_permission_remedy(path)
            )
        _check_header(path)
    # SQLite also writes its -wal and -shm files beside the database, so the directory must be writable
    # even when the file already exists.
    if not os.access(directory, os.W_OK | os.X_OK):
        raise DatabaseUnusable(
            path, f"the directory {directory} is not writable by this user", remedy=_permission_remedy(path)
        )


def connect(path: str) -> sqlite3.Connection:
    """An SQLite connection on ``path``, the file checked first; raises :class:`DatabaseUnusable`.

    The connection runs in autocommit mode (transactions are explicit) and may be shared between threads.
    """
    check_path(path)
    try:
        return sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as error:
        raise opening_failure(path, error) from error


def opening_failure(path: str, error: Exception) -> DatabaseUnusable:
    """What an error SQLite raised while opening ``path`` or reading its schema means to the user."""
    text = str(error)
    lowered = text.lower()
    if "not a database" in lowered or "malformed" in lowered or "encrypted" in lowered:
        return DatabaseUnusable(
            path,
            f"the file is not an SQLite database or is damaged ({text})",
            remedy="move it away and start with a new file, or restore it from a backup",
        )
    if "readonly" in lowered or "read-only" in lowered:
        return DatabaseUnusable(
            path, "the file or its directory is read-only", remedy=_permission_remedy(path)
        )
    if "locked" in lowered or "busy" in lowered:
        return DatabaseUnusable(
            path,
            "another process holds a lock on it",
            remedy="stop the other service using this file, or give another path",
        )
    if "disk i/o" in lowered or "full" in lowered:
        return DatabaseUnusable(
            path,
            f"the disk refused a write ({text}): it may be full, or over a file-size limit",
            remedy="free some space, or give a path on another disk",
        )
    if isinstance(error, OSError) and error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return DatabaseUnusable(path, error.strerror or text, remedy=_permission_remedy(path))
    return DatabaseUnusable(path, text, remedy="check the path, its permissions and the free disk space")


#: SQLite's result codes for a write the machine refused, as opposed to a statement the code got wrong.
_WRITE_FAILURES = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY")


def is_write_failure(error: sqlite3.Error) -> bool:
    """Whether SQLite refused a write for the machine's sake (disk, size limit, lock, read-only file)."""
    name = getattr(error, "sqlite_errorname", "") or ""
    return name.startswith(_WRITE_FAILURES)


def write_failure(error: sqlite3.Error) -> SWFFault:
    """The fault a call gets when the database could not be written (full disk, size limit, I/O error).

    Logged as an error (no traceback: the cause is the machine's, not a bug), without the request, at
    most every ten seconds; the refusals in between are logged at debug level.
    """
    lowered = str(error).lower()
    if "full" in lowered:
        cause = "the disk is full"
    elif "i/o" in lowered or "disk" in lowered:
        cause = "the disk refused a write"
    elif "locked" in lowered or "busy" in lowered:
        cause = "the database is locked by another process"
    else:
        cause = "the database failed"
    # A full disk refuses every call until it is fixed: one error line per episode, not one per call.
    now = time.monotonic()
    level = logging.ERROR if now - _last_logged[0] >= _LOG_EVERY else logging.DEBUG
    if level == logging.ERROR:
        _last_logged[0] = now
    logger.log(level, "localswf: %s (%s); the call was rolled back and refused", cause, error)
    return SWFFault(
        "ServiceUnavailable",
        f"The service could not record the call: {cause}. Nothing was changed; retry once it is fixed.",
        status=503,
    )


def _check_header(path: str) -> None:
    """A non-empty file must start with SQLite's magic string (SQLite itself only says so later)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DatabaseUnusable(path, error.strerror or str(error), remedy=_permission_remedy(path)) from error
    if head and head != SQLITE_HEADER:
        raise DatabaseUnusable(
            path,
            "the file is not an SQLite database",
            remedy="give the path of a database this service made, or a new file",
        )


def _existing_ancestor(directory: str) -> str | None:
    """The nearest existing path above ``directory`` (which itself does not exist)."""
    current = directory
    while True:
        parent = os.path.dirname(current)
        if parent == current:
            return None
        if os.path.exists(parent):
            return parent
        current = parent


def _permission_remedy(path: str) -> str:
    return f"run the service as a user who may write {path} and its directory, or give another path"
