"""SWF's quotas, as the embedded service enforces them (configurable so tests can reach them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Limits:
    """Counts SWF enforces per execution, domain or request; defaults are Amazon SWF's."""

    max_events: int = 25_000
    max_open_activities: int = 1_000
    max_open_timers: int = 1_000
    max_open_children: int = 1_000
    max_open_lambdas: int = 50
    max_page_size: int = 1_000
    max_resource_tags: int = 50
    lambda_start_to_close_timeout: float = 300.0
    #: Decisions a second, per decision type (see :mod:`simpleflow.localswf.rates`): SWF documents
    #: 2,000 scheduled activity tasks a second per task list, and publishes no figure for the others.
    creation_rates: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"ScheduleActivityTask": 2_000.0})
    )
