"""``kill -9`` of a worker, a decider or the service at a random point of a run, then a restart.

Each test asserts what a user cares about: every acknowledged start completes with the right result,
no activity runs twice unless its task timed out, event ids stay dense, and the database passes
``PRAGMA integrity_check``. The kill point is random, between the first and the last activity of the
run; the seed is printed (shown on failure), and ``SIMPLEFLOW_CHAOS_SEED=N`` replays it.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.chaos_cluster import Cluster, wait_gone
from tests.fixtures.waiting import wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.integration]

RUNS = 4
ACTIVITIES = 3 * RUNS
SEED = int(os.environ.get("SIMPLEFLOW_CHAOS_SEED", random.randrange(1 << 30)))


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    deployment = Cluster(tmp_path)
    deployment.start_service()
    deployment.start_command("decider")
    deployment.start_command("worker")
    try:
        yield deployment
    finally:
        deployment.stop()


@pytest.mark.parametrize("target", ["worker", "decider", "service"])
def test_a_kill_9_loses_nothing_acknowledged(cluster: Cluster, target: str) -> None:
    print(f"chaos seed: SIMPLEFLOW_CHAOS_SEED={SEED}")
    rng = random.Random(f"{SEED}-{target}")
    cluster.start_runs(RUNS, seconds=0.3)
    # Somewhere between the first activity's start and the run's last activity.
    point = rng.randrange(1, ACTIVITIES - 1)
    wait_for(lambda: cluster.log_lines("start") >= point, timeout=30, what=f"{point} activities started")
    if target == "service":
        cluster.kill_service()
        cluster.start_service()
    else:
        tree = cluster.kill_command(target)
        # The supervisor's pollers and their activities go with it: none is left polling as an orphan.
        assert wait_gone(tree, timeout=10) == [], f"seed {SEED}: {target}'s processes outlived it"
        cluster.start_command(target)
    cluster.wait_closed(timeout=60)
    timed_out = cluster.check_runs()
    if target == "decider":
        assert not timed_out, f"seed {SEED}: a decider's death timed out activities: {timed_out}"
    cluster.stop()
    cluster.check_integrity()
    assert "Traceback" not in cluster.logs()
