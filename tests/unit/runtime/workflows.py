"""Workflows for the live-run tests: plain importable classes, as the decider loads them."""

from __future__ import annotations

from typing import Any

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="quick", version="1")
def inc(x: int) -> int:
    return x + 1


@activity.with_attributes(task_list="quick", version="1", raises_on_failure=False)
def may_fail(x: int) -> int:
    return x


class Chain(Workflow):
    """``n`` increments one after the other; counts how often ``run()`` starts."""

    name = "runtime-chain"
    version = "1"
    task_list = "runtime"
    starts = 0

    def run(self, n: int) -> int:
        type(self).starts += 1
        x = 0
        for _ in range(n):
            x = self.submit(inc, x).result
        return x


class PeeksAtFinished(Workflow):
    """Branches on ``finished`` of a future it does not wait on: a replay would branch otherwise later."""

    name = "runtime-peek"
    version = "1"
    task_list = "runtime"

    def run(self) -> list[Any]:
        a = self.submit(inc, 1)
        b = self.submit(inc, 2)
        extra = [self.submit(inc, 10)] if a.finished else []
        return [b.result, *[f.result for f in extra]]


class FirstCompleted(Workflow):
    """Waits for the first of two, then for the other."""

    name = "runtime-first"
    version = "1"
    task_list = "runtime"

    def run(self) -> list[int]:
        a, b = self.submit(inc, 1), self.submit(may_fail, 2)
        done, _ = futures.wait_for(a, b, return_when=futures.FIRST_COMPLETED)
        follow = self.submit(inc, done[0].result or 0)
        return [a.result, b.result, follow.result]


class Unwinds(Workflow):
    """Parks inside ``try/finally``; records that the ``finally`` ran when the run was dropped."""

    name = "runtime-unwinds"
    version = "1"
    task_list = "runtime"
    unwound = 0

    def run(self, padding: str = "") -> int:
        try:
            return self.submit(inc, len(padding)).result  # type: ignore[no-any-return]
        finally:
            type(self).unwound += 1


class SwallowsEverything(Workflow):
    """A bare ``except`` around the park: the unwinding must still end the thread."""

    name = "runtime-swallows"
    version = "1"
    task_list = "runtime"

    def run(self) -> int:
        for _ in range(3):
            try:
                return self.submit(inc, 1).result  # type: ignore[no-any-return]
            except BaseException:
                pass
        return -1


class LogsOnce(Workflow):
    """Logs before each blocking point through ``self.logger``."""

    name = "runtime-logs"
    version = "1"
    task_list = "runtime"

    def run(self, n: int) -> int:
        self.logger.info("starting %d steps", n)
        x = 0
        for _ in range(n):
            x = self.submit(inc, x).result
            self.logger.info("got %d", x)
        return x


@activity.with_attributes(task_list="quick", version="1", retry=1)
def flaky(x: int) -> int:
    return x


class Child(Workflow):
    """A child workflow for the generated orders (the test closes it from outside)."""

    name = "runtime-child"
    version = "1"
    task_list = "runtime"

    def run(self, x: int) -> int:
        return x


class Mixed(Workflow):
    """A bit of everything a history can bring, in an order the test generates."""

    name = "runtime-mixed"
    version = "1"
    task_list = "runtime"

    def run(self) -> Any:
        from simpleflow.canvas import Chain as Sequence
        from simpleflow.canvas import Group

        a = self.submit(flaky, 1)
        b = self.submit(may_fail, 2)
        timer = self.start_timer("pause", 30)
        go = self.wait_signal("go")
        child = self.submit(Child, 3)
        group = self.submit(Group((inc, 10), (may_fail, 11), (inc, 12), max_parallel=2))
        chain = self.submit(Sequence((inc, 20), (inc, 21), send_result=True))
        first = futures.wait_for(a, b, child, return_when=futures.FIRST_COMPLETED)
        self.logger.info("first done: %d", len(first.done))
        after = self.submit(inc, 100)
        values = futures.wait(a, b, after)
        timer.result  # noqa: B018 - waits for the timer
        signal = go.result
        return [values, child.result, group.result, chain.result, signal]


class WaitsOnAFailingGroup(Workflow):
    """Reads a group's result while its items run; one fails (and does not raise)."""

    name = "runtime-group"
    version = "1"
    task_list = "runtime"

    def run(self) -> Any:
        from simpleflow.canvas import Group

        return self.submit(Group((inc, 1), (may_fail, 2))).result


class WideFanOut(Workflow):
    """``n`` increments submitted at once, then waited on together; counts how often ``run()`` starts."""

    name = "runtime-wide-fan-out"
    version = "1"
    task_list = "runtime"
    starts = 0

    def run(self, n: int) -> int:
        type(self).starts += 1
        tasks = [self.submit(inc, i) for i in range(n)]
        futures.wait(*tasks)
        return sum(task.result for task in tasks)
