"""Workflows the schedule tests run on a schedule, importable by path as a decider imports them."""

from __future__ import annotations

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="schedules-tests", version="1.0")
def double(value: int) -> int:
    """Twice ``value``."""
    return value * 2


class Nightly(Workflow):
    """One activity: what a schedule starts in the tests."""

    name = "tests.schedules.Nightly"
    version = "1.0"
    task_list = "schedules-tests"

    def run(self, value: int) -> int:
        return self.submit(double, value).result


class Fragile(Workflow):
    """A workflow that would raise into its parent: a schedule must not fail with it."""

    name = "tests.schedules.Fragile"
    version = "1.0"
    raises_on_failure = True

    def run(self) -> None:
        self.fail("always")
