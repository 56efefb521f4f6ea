"""``python -m benchmarks.profiling BENCHMARK [ARGS]``: run a benchmark with every thread of every process
profiled (see ``sitecustomize.py`` here), then print the hotspots of each role, by own time.

Roles are told apart by command line: the ``decider.start`` tree, the ``worker.start`` tree, the
``standalone`` process (it holds the embedded service with ``--local-swf``), and the benchmark's own
process (which holds the embedded service in the loopback benchmarks, and the whole run in the ``--local``
ones). The times are CPU time of each thread (interpreter start-up and imports included); cProfile slows
what it measures, so read the percentages rather than the seconds.
"""

from __future__ import annotations

import os
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.reference import REPO_ROOT

PROFILE_DIRECTORY_VARIABLE = "SIMPLEFLOW_BENCH_PROFILE_DIR"
SITE_DIRECTORY = Path(__file__).resolve().parent
TOP = 15
# Cumulative time is shown for these files only: where the project's time goes, and botocore's share.
CUMULATIVE_SOURCES = ("/simpleflow/", "/botocore/client.py", "/botocore/endpoint.py")


def role_of(ancestry: list[str]) -> str:
    """The role of a process from its command line and its ancestors', nearest first."""
    markers = (("decider.start", "decider"), ("worker.start", "workers"), (" standalone ", "service"))
    for command in ancestry:
        for marker, role in markers:
            if marker in command:
                return role
        if "benchmarks/" in command:
            break
    return "benchmark process"


def print_hotspots(role: str, stats: pstats.Stats) -> None:
    """The ``TOP`` functions of ``stats`` by own time, each with its share of the role's total."""
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in entries.values()) or 1.0
    print(f"== {role}: {total:.2f} s of profiled own time")
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:TOP]
    for (filename, line, name), (_, calls, own, cumulative, _) in ranked:
        where = f"{Path(filename).name}:{line}({name})" if line else name
        share = own / total * 100
        print(f"  {share:5.1f}%  own {own:7.3f} s  cum {cumulative:7.3f} s  {calls:>9,} calls  {where}")
    print(f"  -- by cumulative time (simpleflow, botocore's client and endpoint), % of {total:.2f} s:")
    ours = [item for item in entries.items() if any(part in item[0][0] for part in CUMULATIVE_SOURCES)]
    for (filename, line, name), (_, calls, _, cumulative, _) in sorted(
        ours, key=lambda item: item[1][3], reverse=True
    )[:TOP]:
        source = filename.split("/simpleflow/", 1)[-1] if "/simpleflow/" in filename else Path(filename).name
        share = cumulative / total * 100
        print(f"  {share:5.1f}%  cum {cumulative:7.3f} s  {calls:>9,} calls  {source}:{line}({name})")


def main(argv: list[str]) -> int:
    if not argv:
        raise SystemExit("usage: python -m benchmarks.profiling benchmarks/bench_NAME.py [ARGS]")
    with tempfile.TemporaryDirectory(prefix="simpleflow-bench-profile-") as directory:
        env = {**os.environ, PROFILE_DIRECTORY_VARIABLE: directory}
        env["PYTHONPATH"] = os.pathsep.join([str(SITE_DIRECTORY), str(REPO_ROOT)])
        returncode = subprocess.run([sys.executable, *argv], cwd=REPO_ROOT, env=env, check=False).returncode
        by_role: dict[str, pstats.Stats] = {}
        for profile in sorted(Path(directory).glob("*.prof")):
            role = role_of(profile.with_suffix(".cmd").read_text().splitlines())
            if role in by_role:
                by_role[role].add(str(profile))
            else:
                by_role[role] = pstats.Stats(str(profile))
        for role, stats in sorted(by_role.items()):
            print_hotspots(role, stats)
    return returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
