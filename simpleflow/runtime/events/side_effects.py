"""Side effects: a callable run once per execution, its JSON result recorded in a marker and read back.

Each is keyed by the callable's name and call number, or by its arguments for ``@cached``, and stored
with its result in a marker named :data:`~simpleflow.task.SIDE_EFFECT_MARKER`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from simpleflow import decisions, payload
from simpleflow.runtime.call_log import CallLog
from simpleflow.runtime.turn import Turn
from simpleflow.serializer import Serializer
from simpleflow.task import SIDE_EFFECT_MARKER

__all__ = ["SideEffects"]


class SideEffects:
    """The side effects of one run, recorded into its current turn."""

    def __init__(
        self,
        turn: Turn,
        log: CallLog,
        *,
        payload_store: payload.PayloadStore | None,
        serializer: Serializer | str | None,
    ) -> None:
        self.turn = turn
        self.log = log
        self.payload_store = payload_store
        self.serializer = serializer
        self._counts: Counter[str] = Counter()
        self._values: dict[str, Any] = {}
        # What the history records, by key: read once per decision task (the epoch it was read at).
        self._recorded_map: dict[str, Any] = {}
        self._recorded_epoch = 0

    def _recorded(self) -> Mapping[str, Any]:
        if self._recorded_epoch != self.turn.epoch:
            self._recorded_epoch = self.turn.epoch
            self._recorded_map = {}
            for marker in self.turn.history.markers(SIDE_EFFECT_MARKER):
                if marker.failed_cause is None:
                    body = payload.decode(marker.details, store=self.payload_store)
                    self._recorded_map[body["key"]] = body["result"]
        return self._recorded_map

    def made_keys(self) -> set[str]:
        """The keys of the side effects this run made so far (recorded now or read back)."""
        return set(self._values)

    def recorded_keys(self) -> dict[str, int]:
        """The keys of the side effects the history records, with the event that recorded each."""
        keys: dict[str, int] = {}
        for marker in self.turn.history.markers(SIDE_EFFECT_MARKER):
            if marker.failed_cause is None:
                keys.setdefault(
                    payload.decode(marker.details, store=self.payload_store)["key"], marker.event_id
                )
        return keys

    def _record_again(self, key: str, details: str | None) -> bool:
        """Decide a side effect's marker again while the history does not hold it (refused, or cut)."""
        if key in self._recorded():
            return False
        self.turn.decisions.append(decisions.record_marker(SIDE_EFFECT_MARKER, details=details))
        return True

    def run(
        self,
        name: str,
        call: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        cache_key: str | None = None,
    ) -> Any:
        """``call(*args, **kwargs)`` run once per execution, its JSON result recorded and read back after.

        Without ``cache_key`` each call of ``name`` is a new side effect (keyed ``name#n``); with it, calls
        sharing the key share one recorded result.
        """
        if cache_key is None:
            self._counts[name] += 1
            key = f"{name}#{self._counts[name]}"
        else:
            key = cache_key
        if key in self._values:
            return self._values[key]
        recorded = self._recorded()
        if key in recorded:
            value = recorded[key]
        else:
            text = payload.encode(
                {"key": key, "result": call(*args, **kwargs)},
                field=f"side effect {name}",
                serializer=self.serializer,
            )
            field = payload.fit("marker_details", text, store=self.payload_store, field=f"side effect {name}")
            self.turn.decisions.append(decisions.record_marker(SIDE_EFFECT_MARKER, details=field))
            # The value the run sees now must be what later replays will read back: the decoded JSON.
            value = payload.decode(text)["result"]
            if self.log.in_run_thread():
                self.log.record(lambda: self._record_again(key, field))
        self._values[key] = value
        return value
