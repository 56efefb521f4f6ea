"""simpleflow 0.x's import path of the step selection functions (see :mod:`simpleflow.step.selection`)."""

from simpleflow.step.selection import (
    get_step_force_reasons,
    get_step_skip_reasons,
    should_force_step,
    should_skip_step,
    step_is_forced,
    step_is_skipped_by_force,
    step_will_run,
)

__all__ = [
    "get_step_force_reasons",
    "get_step_skip_reasons",
    "should_force_step",
    "should_skip_step",
    "step_is_forced",
    "step_is_skipped_by_force",
    "step_will_run",
]
