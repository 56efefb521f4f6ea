"""Children tied to their parent (parent-death signal, lifeline pipe), and signals as exit codes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from simpleflow.process.exit_signals import StoppedBySignal, exit_code_of, exit_on_signals
from simpleflow.process.lifeline import (
    LIFELINE_FD_ENV,
    ORPHANED_EXIT,
    PARENT_PID_ENV,
    TiedChildProcesses,
    bind_to_parent,
)
from tests.fixtures.localswf_process import PROJECT_ROOT

# A child that ties itself to its parent, says so, then waits (for a lifeline's end, or forever).
TIED_CHILD = textwrap.dedent(
    """
    import sys, threading
    from simpleflow.process.lifeline import bind_to_parent
    print(bind_to_parent(), flush=True)
    threading.Event().wait(60)
    """
)


def child_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **extra}


def test_a_child_stops_when_its_lifeline_reaches_its_end() -> None:
    children = TiedChildProcesses(grace=1.0)
    write_end = children._lifeline_fds[1]
    process = children.start(
        "tied", [sys.executable, "-c", TIED_CHILD], env=child_env(), stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"True"
    # What a dead parent does to the pipe: its last write end closes. (We are still alive, so only the
    # lifeline, not the parent-death signal, can end the child here.)
    os.close(write_end)
    assert process.wait(10) == ORPHANED_EXIT
    process.stdout.close()
    children.stop()


def test_a_child_whose_parent_is_already_gone_exits_at_once() -> None:
    # The pid of a parent it does not have: as if the parent had died before the child could tie itself.
    env = child_env(**{PARENT_PID_ENV: str(os.getpid() + 999_999)})
    done = subprocess.run(
        [sys.executable, "-c", TIED_CHILD], env=env, capture_output=True, timeout=30, check=False
    )
    assert done.returncode == ORPHANED_EXIT, done.stderr


def test_binding_removes_the_variables_so_grandchildren_do_not_inherit_them() -> None:
    script = textwrap.dedent(
        f"""
        import os
        from simpleflow.process.lifeline import bind_to_parent
        print(bind_to_parent(), os.environ.get({PARENT_PID_ENV!r}), os.environ.get({LIFELINE_FD_ENV!r}))
        """
    )
    env = child_env(**{PARENT_PID_ENV: str(os.getpid())})
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, timeout=30, check=False
    )
    assert done.stdout.split() == [b"True", b"None", b"None"], done.stderr


@pytest.mark.parametrize(
    "environ",
    [{}, {PARENT_PID_ENV: "not-a-pid"}],
    ids=["untied", "garbage"],
)
def test_a_process_without_a_valid_parent_pid_is_not_tied(environ: dict[str, str]) -> None:
    assert bind_to_parent(dict(environ)) is False


@pytest.mark.parametrize(
    ("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["sigint", "sigterm"]
)
def test_a_stop_signal_becomes_its_exit_code_and_the_handlers_come_back(sig: int, code: int) -> None:
    before = signal.getsignal(sig)
    cleaned = []
    with pytest.raises(StoppedBySignal) as stopped, exit_on_signals():
        try:
            os.kill(os.getpid(), sig)  # Python runs the handler as soon as this call returns
            raise AssertionError("the signal did not interrupt the block")
        finally:
            cleaned.append(True)
    assert stopped.value.code == code == exit_code_of(sig)
    assert stopped.value.signal_name == signal.Signals(sig).name
    assert cleaned == [True]
    assert signal.getsignal(sig) is before
