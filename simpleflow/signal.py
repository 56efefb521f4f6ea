"""``WaitForSignal``: what ``Workflow.wait_signal(name)`` describes, as upstream names it."""

from __future__ import annotations

from simpleflow.task import EventTask

__all__ = ["WaitForSignal"]


class WaitForSignal(EventTask):
    """Wait for signal ``signal_name``: submitted, its future finishes with the signal's input.

    The n-th wait for a name in ``run()`` takes the n-th signal of that name the execution received,
    whether it arrived before or after.
    """

    kind = "wait_signal"

    def __init__(self, signal_name: str) -> None:
        self.signal_name = signal_name

    @property
    def name(self) -> str:
        """The awaited signal's name."""
        return self.signal_name

    def __repr__(self) -> str:
        return f"WaitForSignal({self.signal_name!r})"
