"""Process-tree helpers, exit descriptions, and the shutdown state machine."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from simpleflow.process.shutdown import Shutdown, ShutdownForced, ShutdownRequested
from simpleflow.process.tree import descendants, describe_exit, is_cleanup_enabled, kill_tree
from tests.fixtures.waiting import wait_for


@pytest.mark.parametrize(
    ("exitcode", "expected"),
    [
        (0, "exited with code 0"),
        (3, "exited with code 3"),
        (-signal.SIGKILL, "was killed by signal SIGKILL"),
        (-signal.SIGSEGV, "was killed by signal SIGSEGV"),
        (None, "is still running"),
    ],
    ids=["clean", "code", "sigkill", "segfault", "running"],
)
def test_describe_exit(exitcode: int | None, expected: str) -> None:
    assert describe_exit(exitcode) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("yes", True), ("1", True), ("", False), ("no", False)],
    ids=["yes", "1", "empty", "no"],
)
def test_cleanup_setting(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("SIMPLEFLOW_CLEANUP_PROCESSES", value)
    assert is_cleanup_enabled() is expected


def test_kill_tree_reaches_grandchildren() -> None:
    script = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        wait_for(lambda: len(descendants(parent.pid)) == 1, what="the grandchild started")
        grandchild = descendants(parent.pid)[0]
        assert set(kill_tree(parent.pid)) == {parent.pid, grandchild}
        assert parent.wait(timeout=10) == -signal.SIGKILL
    finally:
        parent.kill()
        parent.wait()


def test_first_signal_interrupts_only_an_idle_poll() -> None:
    shutdown = Shutdown()
    shutdown._on_signal(signal.SIGTERM, None)
    assert shutdown.is_requested
    with pytest.raises(ShutdownRequested), shutdown.interruptible():
        pass


def test_signal_during_an_idle_poll_abandons_it() -> None:
    shutdown = Shutdown()
    with pytest.raises(ShutdownRequested), shutdown.interruptible():
        shutdown._on_signal(signal.SIGTERM, None)
    assert shutdown.is_requested
    assert not shutdown.forced


def test_second_signal_forces() -> None:
    shutdown = Shutdown()
    shutdown._on_signal(signal.SIGTERM, None)
    with pytest.raises(ShutdownForced):
        shutdown._on_signal(signal.SIGINT, None)
    assert shutdown.forced


def test_request_is_seen_without_interrupting() -> None:
    shutdown = Shutdown()
    assert not shutdown.wait(0)
    shutdown.request()
    assert shutdown.wait(0)
    assert not shutdown.forced
