"""What a replay found: the first divergence between the code and a recorded history, and the errors.

:class:`Divergence` is the first point where the decisions the current code makes differ from the ones a
history recorded; :class:`ReplayResult` is the outcome of replaying one history (``ok``, or its
divergence); :class:`ReplayDivergence` raises a divergence, as a
:class:`~simpleflow.exceptions.NondeterminismError`. :class:`UnreadableHistory` is bad input: a file
that is missing, not JSON, or not a workflow history, or a history of another workflow type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simpleflow.exceptions import MESSAGE_STRING_LIMIT, ConfigurationError, NondeterminismError

__all__ = ["Divergence", "ReplayDivergence", "ReplayResult", "UnreadableHistory", "shortened"]


def shortened(value: Any, *, limit: int = MESSAGE_STRING_LIMIT) -> Any:
    """``value`` with every string longer than ``limit`` (also in dicts and lists) cut to ``limit``
    characters, its length said: an input can be megabytes and would drown the report."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[: limit - 30]}... ({len(value):,} characters)"
    if isinstance(value, dict):
        return {key: shortened(item, limit=limit) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(shortened(item, limit=limit) for item in value)
    return value


@dataclass(frozen=True)
class Divergence:
    """The first place where the code and a history disagree.

    ``decision_task`` is the ``startedEventId`` of the decision task being replayed (the
    ``DecisionTaskStarted`` event whose decisions diverge), ``event_id`` the event of the history that
    no longer fits (``None`` when the code produced a decision the history has nothing for), and
    ``recorded`` / ``produced`` what the history holds and what the code made there, as small dicts with
    long strings shortened (``None`` for nothing). ``reason`` says it in words.
    """

    decision_task: int
    event_id: int | None
    recorded: Any
    produced: Any
    reason: str

    def describe(self) -> str:
        """One line: which decision task and event, and both sides."""
        where = f"event {self.event_id}" if self.event_id is not None else "after the recorded events"
        return (
            f"decision task {self.decision_task}, {where}: {self.reason}; "
            f"history has {self.recorded!r}, code produced {self.produced!r}"
        )


@dataclass(frozen=True)
class ReplayResult:
    """The outcome of replaying one history: ``ok`` when every decision task gave the recorded decisions.

    ``source`` names the history (its file, or ``domain/workflow id/run id``), ``decision_tasks`` counts
    the decision tasks replayed (up to the divergence, included), ``divergence`` is the first one found.
    """

    source: str
    workflow_id: str
    run_id: str
    decision_tasks: int
    divergence: Divergence | None = None

    @property
    def ok(self) -> bool:
        """Whether the history replayed without divergence."""
        return self.divergence is None

    def describe(self) -> str:
        """One line for this history: ``ok`` with the number of decision tasks, or the divergence."""
        if self.divergence is None:
            return f"ok {self.source}: {self.decision_tasks} decision task(s) replayed"
        return f"nondeterministic {self.source}: {self.divergence.describe()}"

    def raise_on_divergence(self) -> ReplayResult:
        """Raise :class:`ReplayDivergence` when the replay diverged; return this result otherwise."""
        if self.divergence is not None:
            raise ReplayDivergence(self)
        return self


class ReplayDivergence(NondeterminismError):
    """Raised when a replayed history no longer fits the code (``Replayer.replay(...,
    raise_on_divergence=True)``).

    ``result`` is the :class:`ReplayResult`; ``source``, ``decision_task``, ``event_id``, ``recorded`` and
    ``produced`` are its divergence's (``task_id`` is ``"decision task N"``).
    """

    def __init__(self, result: ReplayResult) -> None:
        divergence = result.divergence
        assert divergence is not None
        super().__init__(
            f"decision task {divergence.decision_task}",
            recorded=divergence.recorded,
            produced=divergence.produced,
        )
        self.args = (result.describe(),)
        self.result = result
        self.source = result.source
        self.decision_task = divergence.decision_task
        self.event_id = divergence.event_id


class UnreadableHistory(ConfigurationError):
    """Raised when a history to replay cannot be read: a missing file or folder, text that is not JSON,
    JSON that is not a workflow history, or the history of another workflow type than the replayer's.

    ``source`` names what was given.
    """

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem
