"""Patches: ``Workflow.patched(change_id)`` and ``deprecate_patch``, for changing code under open runs.

A patch is a marker named :data:`PATCH_MARKER_NAME` whose details are the change id. ``patched(id)``
answers:

- True when the history holds the marker (this execution took the new branch before);
- True, and records the marker, when the replay is at the *frontier*: every decision the history holds
  (activities, Lambda functions, children, timers, markers, side effects, signals sent) was made by this
  replay already, so the old code never went past this point;
- True, and records the marker again, when SWF refused the marker (``RecordMarkerFailed``, which does
  not name the change id) and the replay was at the frontier as of that refused decision;
- False otherwise: the history holds decisions beyond this point that the old code made without the
  marker, so the execution keeps the old branch.

Cancellations are not counted: a cancel the old code decided past the point, of a task or timer it
decided before the point, does not keep the old branch by itself.

The answer is kept for the run, so a live run (which does not run ``run()`` again) and a full replay of
the history it leaves give the same one. At the end of a fresh replay, a patch marker in the history
that the code no longer asks for raises :class:`~simpleflow.exceptions.PatchRemoved`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from simpleflow import decisions, payload
from simpleflow.exceptions import NondeterminismError, PatchRemoved
from simpleflow.history import TaskKind
from simpleflow.runtime.call_log import CallLog
from simpleflow.runtime.turn import Turn

__all__ = ["PATCH_MARKER_NAME", "Patches"]

#: The name of the markers ``patched()`` records (``list_markers()`` does not list them).
PATCH_MARKER_NAME = "simpleflow.patch"


class Patches:
    """The patches of one run: which change ids it asked for, and their answers."""

    def __init__(
        self,
        turn: Turn,
        log: CallLog,
        *,
        produced: Mapping[tuple[TaskKind, str], Any],
        first_unmade_event: Callable[[], int | None],
        report: Callable[[NondeterminismError], None],
    ) -> None:
        self.turn = turn
        # Tells the scheduler: the error must fail the decision task even if run() catches it.
        self.report = report
        self.log = log
        # The scheduler's produced tasks, by (kind, id): read live, never copied.
        self.produced = produced
        # The earliest timer, marker or signal of the history run() did not make (ReplayEvents's).
        self.first_unmade_event = first_unmade_event
        self._answers: dict[str, bool] = {}
        # The refused patch markers already taken as this run's (by event id).
        self._refusals_taken: set[int] = set()

    def _recorded(self) -> set[str]:
        """The change ids whose marker the history records (a refused marker names none)."""
        recorded = set()
        for marker in self.turn.history.markers(PATCH_MARKER_NAME):
            if marker.failed_cause is None and marker.details:
                change_id = payload.decode(marker.details)
                if isinstance(change_id, str):
                    recorded.add(change_id)
        return recorded

    def _first_unproduced(self) -> int | None:
        """The earliest event of a decision in the history this replay has not made (again) yet."""
        unproduced = [
            record.attempts[0].scheduled_event_id
            for record in self.turn.history.tasks()
            if (record.kind, record.task_id) not in self.produced
        ]
        unmade = self.first_unmade_event()
        if unmade is not None:
            unproduced.append(unmade)
        return min(unproduced, default=None)

    def _refusal_to_take(self, first_unproduced: int | None) -> int | None:
        """A refused patch marker this call decided: the replay was at the frontier as of its decision."""
        for marker in self.turn.history.markers(PATCH_MARKER_NAME):
            if marker.failed_cause is None or marker.event_id in self._refusals_taken:
                continue
            if first_unproduced is None or first_unproduced > marker.event_id:
                return marker.event_id
            return None  # the earliest refusal not taken came before this point: not this call's
        return None

    def _takes_new_branch(self, change_id: str) -> bool:
        """Whether ``change_id``'s new branch is taken here; decides its marker when it is not recorded."""
        if change_id in self._recorded():
            return True
        first_unproduced = self._first_unproduced()
        refusal = self._refusal_to_take(first_unproduced)
        if refusal is not None:
            self._refusals_taken.add(refusal)
        elif first_unproduced is not None:
            return False
        self._record(change_id)
        return True

    def _record(self, change_id: str) -> None:
        details = payload.encode(change_id, field=f"patch {change_id}")
        self.turn.decisions.append(decisions.record_marker(PATCH_MARKER_NAME, details=details))
        if self.log.in_run_thread():
            # A live run decides the marker again while the history does not hold it (refused, or cut).
            self.log.record(lambda: self._record_again(change_id, details))

    def _record_again(self, change_id: str, details: str | None) -> bool:
        if change_id in self._recorded():
            return False
        self.turn.decisions.append(decisions.record_marker(PATCH_MARKER_NAME, details=details))
        return True

    def patched(self, change_id: str) -> bool:
        """Whether this execution takes the new branch of ``change_id`` (see the module documentation)."""
        _check_id(change_id)
        if change_id not in self._answers:
            self._answers[change_id] = self._takes_new_branch(change_id)
        return self._answers[change_id]

    def deprecate(self, change_id: str) -> None:
        """The code takes the new branch only: accept (or record) the marker, refuse an old-branch history."""
        _check_id(change_id)
        if change_id in self._answers:
            return
        if not self._takes_new_branch(change_id):
            error = PatchRemoved(
                change_id,
                reason="deprecate_patch() replays a history that took the old branch (no marker)",
                marker_recorded=False,
            )
            self.report(error)
            raise error
        self._answers[change_id] = True

    def check_unasked(self) -> None:
        """Raise :class:`PatchRemoved` for a patch marker of the history the code no longer asks for."""
        for change_id in sorted(self._recorded() - set(self._answers)):
            error = PatchRemoved(
                change_id,
                reason="the history holds its marker but the code no longer calls patched()",
                marker_recorded=True,
            )
            self.report(error)
            raise error


def _check_id(change_id: str) -> None:
    if not isinstance(change_id, str) or not change_id:
        raise TypeError(f"a patch's change id is a non-empty string, not {change_id!r}")
