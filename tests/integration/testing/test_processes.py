"""The test environment with activities in child processes: fakes reach them by dotted path."""

from __future__ import annotations

import os
import threading
import time

import pytest

from simpleflow.testing import WorkflowEnvironment
from tests.integration.testing.fakes import fake_greet
from tests.unit.testing.workflows import GreetBothWorkflow, NapWorkflow, greet

pytestmark = [pytest.mark.integration]


def child_pids() -> set[int]:
    """The live processes whose parent is this one (Linux /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.add(int(entry))
    return found


HELPERS = {"forkserver", "resource_tracker"}


def command_of(pid: int) -> str:
    """``forkserver`` or ``resource_tracker`` for multiprocessing's helpers, else the command line."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read().replace(b"\0", b" ").decode()
    except OSError:
        return "gone"
    for helper in HELPERS:
        if f"multiprocessing.{helper}" in command or f"from multiprocessing.{helper} import" in command:
            return helper
    return command


def left_behind(threads: set[threading.Thread], children: set[int]) -> tuple[set[str], set[str]]:
    """The threads and child processes (not multiprocessing's helpers) started since the snapshot."""
    new_threads = {thread.name for thread in set(threading.enumerate()) - threads}
    new_children = {command_of(pid) for pid in child_pids() - children} - HELPERS
    return new_threads, new_children


def test_fakes_by_object_and_by_path_run_in_activity_processes() -> None:
    threads, children = set(threading.enumerate()), child_pids()
    overrides = {
        greet: fake_greet,
        "tests.unit.testing.workflows.shout": "tests.integration.testing.fakes.fake_shout",
    }
    with WorkflowEnvironment(activities=overrides, processes=True, nb_workers=1) as env:
        result = env.execute(GreetBothWorkflow, "ada")
        # A two-hour timer is skipped with processes too (no activity runs while it waits).
        began = time.monotonic()
        assert env.start(NapWorkflow, 7200).result(timeout=30) == "rested!"
        assert time.monotonic() - began < 10
    greeting, _, rest = result.partition(" from ")
    pid, _, name = rest.partition(" as ")
    assert greeting == "hi ada"
    assert int(pid) != os.getpid()  # the fake ran in the activity's child process
    assert name == f"{greet.name}!"  # its activity context was bound; then shout's fake added the "!"
    deadline = time.monotonic() + 10
    while left_behind(threads, children) != (set(), set()) and time.monotonic() < deadline:
        time.sleep(0.05)
    # Only multiprocessing's own helpers may stay: the forkserver every activity process forks from,
    # kept for the next environment (Python stops it at exit), and its resource tracker.
    assert left_behind(threads, children) == (set(), set())
