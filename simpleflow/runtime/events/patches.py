"""Patches: ``Workflow.patched(change_id)`` and ``deprecate_patch``, for changing code under open runs.

A patch is a marker named :data:`PATCH_MARKER` whose details are the change id. ``patched(id)`` answers:

- True when the history holds the marker (this execution took the new branch before);
- True, and records the marker, when the replay is at the *frontier*: every remote task the history
  holds was produced by this replay already, so the old code never went past this point;
- False otherwise: the history holds tasks beyond this point that the old code decided without the
  marker, so the execution keeps the old branch.

The answer is kept for the run, so a live run (which does not run ``run()`` again) and a full replay of
the history it leaves give the same one. At the end of a fresh replay, a patch marker in the history
that the code no longer asks for raises :class:`~simpleflow.exceptions.PatchRemoved`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from simpleflow import decisions, payload
from simpleflow.exceptions import PATCH_MARKER_NAME, NondeterminismError, PatchRemoved
from simpleflow.history import TaskKind
from simpleflow.runtime.call_log import CallLog
from simpleflow.runtime.turn import Turn

__all__ = ["PATCH_MARKER", "Patches"]

#: The name of the markers ``patched()`` records (``list_markers()`` does not list them).
PATCH_MARKER = PATCH_MARKER_NAME


class Patches:
    """The patches of one run: which change ids it asked for, and their answers."""

    def __init__(
        self,
        turn: Turn,
        log: CallLog,
        *,
        produced: Mapping[tuple[TaskKind, str], Any],
        report: Callable[[NondeterminismError], None],
    ) -> None:
        self.turn = turn
        # Tells the scheduler: the error must fail the decision task even if run() catches it.
        self.report = report
        self.log = log
        # The scheduler's produced tasks, by (kind, id): read live, never copied.
        self.produced = produced
        self._answers: dict[str, bool] = {}

    def _recorded(self) -> set[str]:
        """The change ids whose marker the history holds (a refused marker counts: it is decided again)."""
        recorded = set()
        for marker in self.turn.history.markers(PATCH_MARKER):
            change_id = payload.decode(marker.details) if marker.details else None
            if isinstance(change_id, str):
                recorded.add(change_id)
        return recorded

    def _at_frontier(self) -> bool:
        return all((record.kind, record.task_id) in self.produced for record in self.turn.history.tasks())

    def _record(self, change_id: str) -> None:
        details = payload.encode(change_id, field=f"patch {change_id}")
        self.turn.decisions.append(decisions.record_marker(PATCH_MARKER, details=details))
        if self.log.in_run_thread():
            # A live run decides the marker again while the history does not hold it (cut by a limit).
            self.log.record(lambda: self._record_again(change_id, details))

    def _record_again(self, change_id: str, details: str | None) -> bool:
        if change_id in self._recorded():
            return False
        self.turn.decisions.append(decisions.record_marker(PATCH_MARKER, details=details))
        return True

    def patched(self, change_id: str) -> bool:
        """Whether this execution takes the new branch of ``change_id`` (see the module documentation)."""
        _check_id(change_id)
        if change_id not in self._answers:
            if change_id in self._recorded():
                self._answers[change_id] = True
            elif self._at_frontier():
                self._record(change_id)
                self._answers[change_id] = True
            else:
                self._answers[change_id] = False
        return self._answers[change_id]

    def deprecate(self, change_id: str) -> None:
        """The code takes the new branch only: accept (or record) the marker, refuse an old-branch history."""
        _check_id(change_id)
        if change_id in self._answers:
            return
        if change_id not in self._recorded():
            if not self._at_frontier():
                error = PatchRemoved(
                    change_id,
                    reason="deprecate_patch() replays a history that took the old branch (no marker)",
                )
                self.report(error)
                raise error
            self._record(change_id)
        self._answers[change_id] = True

    def check_unasked(self) -> None:
        """Raise :class:`PatchRemoved` for a patch marker of the history the code no longer asks for."""
        for change_id in sorted(self._recorded() - set(self._answers)):
            error = PatchRemoved(
                change_id, reason="the history holds its marker but the code no longer calls patched()"
            )
            self.report(error)
            raise error


def _check_id(change_id: str) -> None:
    if not isinstance(change_id, str) or not change_id:
        raise TypeError(f"a patch's change id is a non-empty string, not {change_id!r}")
