"""Which steps run: forced steps run, skipped steps do not, the others run unless already done.

A step name is dotted (``"import.users"``); forcing or skipping ``"import"`` covers ``"import.users"``
too, and ``"*"`` covers every step. Forcing wins over skipping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = [
    "get_step_force_reasons",
    "get_step_skip_reasons",
    "should_force_step",
    "should_skip_step",
    "step_is_forced",
    "step_is_skipped_by_force",
    "step_will_run",
]


def _covers(pattern: str, step_name: str) -> bool:
    return pattern == "*" or pattern == step_name or step_name.startswith(pattern + ".")


def should_force_step(step_name: str, force_steps: Iterable[str]) -> bool:
    """Whether one of ``force_steps`` covers ``step_name``."""
    return any(_covers(pattern, step_name) for pattern in force_steps)


def should_skip_step(step_name: str, skipped_steps: Iterable[str]) -> bool:
    """Whether one of ``skipped_steps`` covers ``step_name``."""
    return should_force_step(step_name, skipped_steps)


def step_will_run(
    step_name: str,
    force_steps: Iterable[str],
    skipped_steps: Iterable[str],
    steps_done: Iterable[str],
    force: bool = False,
) -> bool:
    """Whether the step runs: forced (by ``force`` or ``force_steps``), else not skipped and not done."""
    if force or should_force_step(step_name, force_steps):
        return True
    if should_skip_step(step_name, skipped_steps):
        return False
    return step_name not in set(steps_done)


def step_is_forced(step_name: str, force_steps: Iterable[str], force: bool) -> bool:
    """Whether the step runs because it is forced."""
    return force or should_force_step(step_name, force_steps)


def step_is_skipped_by_force(step_name: str, skipped_steps: Iterable[str]) -> bool:
    """Whether the step is skipped because it is listed as skipped (not because it was done)."""
    return should_skip_step(step_name, skipped_steps)


def _reasons(step_name: str, reasons: Mapping[str, Iterable[str]]) -> list[str]:
    return sorted(
        {reason for pattern, given in reasons.items() if _covers(pattern, step_name) for reason in given}
    )


def get_step_force_reasons(step_name: str, step_force_reasons: Mapping[str, Iterable[str]]) -> list[str]:
    """The reasons given for forcing the patterns that cover ``step_name``."""
    return _reasons(step_name, step_force_reasons)


def get_step_skip_reasons(step_name: str, step_skip_reasons: Mapping[str, Iterable[str]]) -> list[str]:
    """The reasons given for skipping the patterns that cover ``step_name``."""
    return _reasons(step_name, step_skip_reasons)
