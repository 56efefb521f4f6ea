"""A service outage of a few seconds mid-run: the workers and the decider ride it out.

The HTTP service is stopped while activities run, and started again a few seconds later on the same
port and database. Nothing may exit, no finished result may be dropped (so no activity runs twice:
nothing here times out), and the outage is logged once per poller and reporter, with its end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.chaos_cluster import Cluster
from tests.fixtures.waiting import wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.integration]

OUTAGE_SECONDS = 3.0


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    deployment = Cluster(tmp_path, worker_processes=3)
    deployment.start_service()
    deployment.start_command("decider")
    deployment.start_command("worker")
    try:
        yield deployment
    finally:
        deployment.stop()


def test_an_outage_of_a_few_seconds_loses_nothing(cluster: Cluster) -> None:
    cluster.start_runs(4, seconds=1.0)
    # Stop the service while activities run, so that they finish (and report) during the outage.
    wait_for(lambda: cluster.log_lines("start") >= 3, timeout=30, what="three activities running")
    running = cluster.log_lines("start") - cluster.log_lines("end")
    assert running > 0
    cluster.stop_service()
    down_since = time.monotonic()
    wait_for(
        lambda: cluster.log_lines("end") >= cluster.log_lines("start"),
        timeout=10,
        what="the running activities to finish during the outage",
    )
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_since)))  # the outage itself
    cluster.start_service()
    cluster.wait_closed(timeout=60)

    processes = {name: process.poll() for name, process in cluster.commands.items()}
    assert processes == {"decider": None, "worker": None}, f"a command exited:\n{cluster.logs()}"
    timed_out = cluster.check_runs()
    assert timed_out == {}, f"a finished result was dropped and its task timed out: {timed_out}"
    logs = cluster.logs()
    assert "restarting it" not in logs, f"a poller crashed during the outage:\n{logs}"
    assert "Traceback" not in logs, logs
    began = logs.count("retrying with back-off until it works")
    assert began >= 1, logs
    # Once per poller or reporter, never once per attempt: 3 workers, 2 decider lists, a few reports.
    assert began <= 3 + 2 + running, logs
    assert "works again" in logs, logs
    cluster.stop()
    cluster.check_integrity()
