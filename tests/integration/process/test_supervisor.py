"""The supervisor, run as a real process: restarts, graceful SIGTERM, grace period, second signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from simpleflow.process.tree import descendants
from tests.fixtures.waiting import wait_for

StartSupervisor = Callable[..., "subprocess.Popen[bytes]"]
REPOSITORY = Path(__file__).resolve().parents[3]


def markers(directory: Path, name: str) -> list[Path]:
    return sorted(directory.glob(f"{name}.*"))


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def start_supervisor(tmp_path: Path) -> Iterator[StartSupervisor]:
    started: list[subprocess.Popen[bytes]] = []

    def start(target: str, *, processes: int = 1, grace_period: float = 10.0) -> subprocess.Popen[bytes]:
        script = (
            "import sys\n"
            "from simpleflow.process.supervisor import Supervisor\n"
            "from tests.fixtures import pollers\n"
            f"sys.exit(Supervisor(pollers.{target}, {str(tmp_path)!r}, processes={processes}, "
            f"grace_period={grace_period}).run())\n"
        )
        process = subprocess.Popen([sys.executable, "-c", script], cwd=REPOSITORY)
        started.append(process)
        return process

    yield start
    for process in started:
        for pid in descendants(process.pid):
            os.kill(pid, signal.SIGKILL)
        process.kill()
        process.wait()


def test_sigterm_stops_every_poller_gracefully(start_supervisor: StartSupervisor, tmp_path: Path) -> None:
    supervisor = start_supervisor("wait_for_stop", processes=3)
    wait_for(lambda: len(markers(tmp_path, "started")) == 3, what="3 pollers started")
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=30) == 0
    assert len(markers(tmp_path, "stopped")) == 3


def test_a_dead_poller_is_restarted(start_supervisor: StartSupervisor, tmp_path: Path) -> None:
    supervisor = start_supervisor("crash_first", processes=2)
    wait_for(lambda: len(markers(tmp_path, "started")) == 2, what="a replacement for the crashed poller")
    assert (tmp_path / "crashed").exists()
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=30) == 0


def test_finished_pollers_are_not_restarted(start_supervisor: StartSupervisor, tmp_path: Path) -> None:
    supervisor = start_supervisor("finish_at_once", processes=2)
    assert supervisor.wait(timeout=20) == 0
    assert len(markers(tmp_path, "finished")) == 2


def test_grace_period_over_kills_the_poller(start_supervisor: StartSupervisor, tmp_path: Path) -> None:
    supervisor = start_supervisor("ignore_stop", grace_period=0.5)
    started = wait_for(lambda: markers(tmp_path, "started"), what="the poller started")
    poller = int(started[0].read_text())
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=30) == 1
    wait_for(lambda: not is_alive(poller), what="the poller killed")


def test_second_signal_kills_at_once(start_supervisor: StartSupervisor, tmp_path: Path) -> None:
    supervisor = start_supervisor("ignore_stop", grace_period=60)
    started = wait_for(lambda: markers(tmp_path, "started"), what="the poller started")
    poller = int(started[0].read_text())
    supervisor.send_signal(signal.SIGTERM)
    supervisor.send_signal(signal.SIGINT)
    assert supervisor.wait(timeout=30) == 1
    wait_for(lambda: not is_alive(poller), what="the poller killed")
