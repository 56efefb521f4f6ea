from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from simpleflow.children import ChildExited, ChildProcesses, simpleflow_command

# A parent that forks a grandchild, prints the grandchild's pid, then both sleep.
FORKING_CHILD = """
import os, sys, time
pid = os.fork()
if pid == 0:
    time.sleep(60)
    os._exit(0)
print(pid, flush=True)
time.sleep(60)
"""

# A parent that ignores SIGTERM: only the SIGKILL after the grace period stops it.
STUBBORN_CHILD = """
import signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)
"""


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers signal 0; it is dead for our purpose.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait_until(predicate, *, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_stop_kills_the_whole_process_tree():
    with ChildProcesses() as children:
        process = children.start("forker", [sys.executable, "-c", FORKING_CHILD], stdout=subprocess.PIPE)
        assert process.stdout is not None
        grandchild = int(process.stdout.readline())
        assert is_alive(grandchild)
    assert process.returncode is not None
    assert wait_until(lambda: not is_alive(grandchild))


def test_stop_kills_a_child_that_ignores_sigterm():
    children = ChildProcesses()
    process = children.start("stubborn", [sys.executable, "-c", STUBBORN_CHILD], stdout=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"ready"
    started = time.monotonic()
    children.stop(grace=0.2)
    assert process.returncode == -9
    assert time.monotonic() - started < 5


def test_check_reports_a_child_that_exited():
    with ChildProcesses() as children:
        process = children.start("quitter", [sys.executable, "-c", "raise SystemExit(3)"])
        process.wait(timeout=10)
        with pytest.raises(ChildExited, match=r"quitter exited unexpectedly \(exit code 3\)"):
            children.check()


def test_names_are_unique():
    with ChildProcesses() as children:
        children.start("one", [sys.executable, "-c", "pass"])
        with pytest.raises(ValueError, match="already started"):
            children.start("one", [sys.executable, "-c", "pass"])


def test_simpleflow_command_uses_this_interpreter():
    done = subprocess.run(simpleflow_command("--version"), capture_output=True, text=True, check=True)
    assert "simpleflow" in done.stdout
