"""The recorded history of every example replays against the examples' current code; the deliberately
nondeterministic fixture fails with the divergence it was made for.

When an example changes on purpose, record its history again: ``.venv/bin/python
tests/fixtures/histories/record.py NAME``.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from simpleflow.cli.arguments import load_workflow
from simpleflow.storage import open_store
from simpleflow.testing import ReplayDivergence, Replayer
from tests.fixtures import nondeterministic_workflows

HISTORIES = Path(__file__).resolve().parents[2] / "fixtures" / "histories"
EXAMPLES_FOLDER = Path(__file__).resolve().parents[3] / "examples"


def _recorder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("history_recorder", HISTORIES / "record.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RECORDER = _recorder()


def _fixture_files() -> list[Path]:
    return sorted(HISTORIES.glob("*.json"))


def _example_of(path: Path) -> str:
    return path.name.split(".")[0]  # continue_as_new.run-2.json is a run of continue_as_new


def test_every_example_that_closes_has_a_recorded_history() -> None:
    examples = {path.stem for path in EXAMPLES_FOLDER.glob("*.py") if path.stem != "__init__"}
    assert set(RECORDER.EXAMPLES) == examples
    assert {_example_of(path) for path in _fixture_files()} == examples


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda path: path.name)
def test_a_recorded_example_history_replays(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    example = RECORDER.EXAMPLES[_example_of(path)]
    for name, value in RECORDER.environment_of(example).items():
        monkeypatch.setenv(name, value)
    workflow = load_workflow(example.workflow)
    store = open_store(RECORDER.payload_store_url())
    result = Replayer(workflow, payload_store=store).replay(path, raise_on_divergence=True)
    assert result.ok and result.decision_tasks >= 2, result.describe()


def test_a_history_replays_against_a_payload_store_moved_elsewhere(tmp_path: Path) -> None:
    # The recorded references name the recording checkout's folder; a replay reads them by digest.
    shutil.copytree(HISTORIES / RECORDER.PAYLOADS, tmp_path / "payloads")
    workflow = load_workflow(RECORDER.EXAMPLES["jumbo_fields"].workflow)
    store = open_store((tmp_path / "payloads").as_uri())
    assert Replayer(workflow, payload_store=store).replay(HISTORIES / "jumbo_fields.json").ok


def test_the_nondeterministic_fixture_replays_with_its_recording_code() -> None:
    result = Replayer(nondeterministic_workflows.PricesWorkflow).replay(
        HISTORIES / "nondeterministic" / "prices.json"
    )
    assert result.ok, result.describe()


def test_the_nondeterministic_fixture_fails_with_the_right_divergence() -> None:
    path = HISTORIES / "nondeterministic" / "prices.json"
    events = [row["event"] for row in json.loads(path.read_text())]
    total = next(
        e
        for e in events
        if e["eventType"] == "ActivityTaskScheduled"
        and e["activityTaskScheduledEventAttributes"]["activityType"]["name"].endswith(".total_of")
    )
    completed_id = total["activityTaskScheduledEventAttributes"]["decisionTaskCompletedEventId"]
    task_started = next(e for e in events if e["eventId"] == completed_id)[
        "decisionTaskCompletedEventAttributes"
    ]["startedEventId"]
    with pytest.raises(ReplayDivergence) as raised:
        Replayer(nondeterministic_workflows.DiscountedPricesWorkflow).replay(path, raise_on_divergence=True)
    error = raised.value
    assert (error.decision_task, error.event_id) == (task_started, total["eventId"])
    assert error.decision_task > events[2]["eventId"]  # not the first decision task: the one after the prices
    assert error.recorded["activityType"]["name"] == "tests.fixtures.nondeterministic_workflows.total_of"
    assert error.produced["activityType"]["name"] == "tests.fixtures.nondeterministic_workflows.discount"
    assert error.result.divergence is not None
    assert error.result.divergence.reason == "ScheduleActivityTask differs in activityId, activityType"
