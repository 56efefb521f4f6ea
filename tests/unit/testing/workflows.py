"""Workflows and activities for the test environment's tests (importable: workers find them by name)."""

from __future__ import annotations

from typing import Any

from simpleflow import Workflow, activity, futures

#: The activity task list of these activities (an environment routes every activity to its own).
TASK_LIST = "testing"


@activity.with_attributes(task_list=TASK_LIST, version="1", raises_on_failure=True)
def greet(name: str) -> str:
    return f"hello {name}"


@activity.with_attributes(task_list=TASK_LIST, version="1")
def shout(text: str) -> str:
    return text.upper()


class SignalThenGreetWorkflow(Workflow):
    """Greets, waits for signal ``name`` (at most ten virtual minutes), greets whom it names."""

    name = "testing.signal_then_greet"
    version = "1"
    task_list = "testing"
    execution_timeout = 600

    def run(self, first: str) -> str:
        opening = self.submit(greet, first).result
        signal: dict[str, Any] = self.wait_signal("name").result
        return f"{opening}, {self.submit(greet, signal['args'][0]).result}"


class NapWorkflow(Workflow):
    """Sleeps ``seconds`` (two hours by default) on a timer, then shouts."""

    name = "testing.nap"
    version = "1"
    task_list = "testing"
    execution_timeout = 86400

    def run(self, seconds: int = 7200) -> str:
        futures.wait(self.start_timer("nap", seconds))
        return self.submit(shout, "rested").result


class GreetBothWorkflow(Workflow):
    """Two activities: greet, then shout the greeting."""

    name = "testing.greet_both"
    version = "1"
    task_list = "testing"

    def run(self, name: str) -> str:
        return self.submit(shout, self.submit(greet, name).result).result


class CountdownWorkflow(Workflow):
    """Continues as new until ``n`` reaches 0: one run per step."""

    name = "testing.countdown"
    version = "1"
    task_list = "testing"

    def run(self, n: int) -> str:
        if n > 0:
            self.continue_as_new(n - 1)
        return "liftoff"
