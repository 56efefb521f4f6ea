"""Workflows timed by the benchmarks.

They use only the API that simpleflow 0.36.0 shares with this project (``activity.with_attributes``,
``Workflow.submit``, ``futures.wait``, ``Future.result``), so the very same file runs under both: the
reference run copies it next to simpleflow 0.36.0 and imports it there.
"""

import time

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="bench", version="1")
def nap(i):
    """Sleeps 50 ms: stands for I/O-bound work, where parallel workers pay off."""
    time.sleep(0.05)
    return i


@activity.with_attributes(task_list="bench", version="1")
def identity(i):
    """Does nothing: the run time is the framework's own overhead."""
    return i


class FanOutWorkflow(Workflow):
    """Submits ``count`` naps at once, then waits for them all."""

    name = "bench-fanout"
    version = "1"
    task_list = "bench"

    def run(self, count):
        naps = [self.submit(nap, i) for i in range(count)]
        futures.wait(*naps)
        return sum(f.result for f in naps)


class TrivialWorkflow(Workflow):
    """Submits ``count`` trivial activities at once, then waits for them all."""

    name = "bench-trivial"
    version = "1"
    task_list = "bench"

    def run(self, count):
        tasks = [self.submit(identity, i) for i in range(count)]
        futures.wait(*tasks)
        return sum(f.result for f in tasks)


class OneActivityWorkflow(Workflow):
    """One activity: its start-to-completed time is the engine's round-trip latency."""

    name = "bench-one-activity"
    version = "1"
    task_list = "bench"

    def run(self, value=1):
        return self.submit(identity, value).result


@activity.with_attributes(task_list="bench", version="1")
def inc(x):
    """Adds one: a trivial step whose result the next step needs."""
    return x + 1


class ChainWorkflow(Workflow):
    """``count`` activities one after the other, each waiting for the previous one's result.

    Every step is one decision task after one activity completion: the history grows by six events a
    step, so a decider that replays the whole history pays O(step) per decision and O(count²) per run.
    """

    name = "bench-chain"
    version = "1"
    task_list = "bench"

    def run(self, count):
        x = 0
        for _ in range(count):
            x = self.submit(inc, x).result
        return x


class ParkedChainWorkflow(Workflow):
    """A chain of ``count`` steps, then a wait for signal ``finish``: the run stays open, parked.

    A decider that keeps live runs holds every such run in its cache until the signal closes it.
    """

    name = "bench-parked-chain"
    version = "1"
    task_list = "bench"

    def run(self, count):
        x = 0
        for _ in range(count):
            x = self.submit(inc, x).result
        futures.wait(self.wait_signal("finish"))
        return x
