"""Profiles every thread of every Python process started with this directory on ``PYTHONPATH``.

Enabled only when ``SIMPLEFLOW_BENCH_PROFILE_DIR`` is set: each process then writes, at its exit, the
cProfile statistics of its main thread and of its threads that had finished, as ``<pid>.prof`` in that
directory, beside ``<pid>.cmd`` (its command line, then its ancestors', one a line). The clock is each
thread's own CPU time, so waiting (polls, locks, sockets) costs nothing and the figures are CPU hotspots.
A thread still running at exit is left out: reading a profiler from another thread than its own is not
safe. Processes that end with ``os._exit`` or SIGKILL
(a worker's process per activity) write nothing. ``python -m benchmarks.profiling`` runs a benchmark
this way and prints the hotspots by role.
"""

import os

_DIRECTORY = os.environ.get("SIMPLEFLOW_BENCH_PROFILE_DIR", "")

if _DIRECTORY:
    import atexit
    import cProfile
    import threading
    import time

    _finished: list[cProfile.Profile] = []
    _original_run = threading.Thread.run

    def _profiled_run(self: threading.Thread) -> None:
        profile = cProfile.Profile(time.thread_time)
        profile.enable()
        try:
            _original_run(self)
        finally:
            profile.disable()
            _finished.append(profile)

    def _dump() -> None:
        import pstats

        _main.disable()
        stats = pstats.Stats(_main)
        for profile in list(_finished):
            stats.add(profile)
        stats.dump_stats(os.path.join(_DIRECTORY, f"{os.getpid()}.prof"))
        with open(os.path.join(_DIRECTORY, f"{os.getpid()}.cmd"), "w") as file:
            file.write("\n".join(_ancestry(os.getpid())))

    def _ancestry(pid: int) -> list[str]:
        """The command lines of ``pid`` and of each of its ancestors, nearest first."""
        lines = []
        while pid > 1:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as file:
                    lines.append(file.read().replace(b"\0", b" ").decode(errors="replace"))
                with open(f"/proc/{pid}/stat") as file:
                    pid = int(file.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                break
        return lines

    threading.Thread.run = _profiled_run  # type: ignore[method-assign]
    atexit.register(_dump)
    _main = cProfile.Profile(time.thread_time)
    _main.enable()
