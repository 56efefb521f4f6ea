"""``simpleflow workflow.replay --file``: a line per history, exit 0, 1 on a divergence, 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from simpleflow.cli.main import main
from tests.fixtures import replay_workflows as flows
from tests.fixtures.replay_workflows import record

ORDER = "tests.fixtures.replay_workflows.OrderWorkflow"
CHANGED_TIMER = "tests.fixtures.replay_workflows.ChangedTimerWorkflow"


def save(path: Path, events: list[dict[str, Any]]) -> Path:
    """As ``workflow.history --of raw --format json`` prints it."""
    rows = [
        {"event_id": e["eventId"], "event": {**e, "eventTimestamp": e["eventTimestamp"].isoformat()}}
        for e in events
    ]
    path.write_text(json.dumps(rows, indent=2))
    return path


@pytest.fixture(scope="module")
def histories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("histories")
    save(folder / "order-1.json", record(flows.OrderWorkflow, ["ab", "cde"]).events)
    save(folder / "order-2.json", record(flows.OrderWorkflow, ["x"], workflow_id="order-2").events)
    return folder


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, ["workflow.replay", *args])


def test_a_folder_that_replays_exits_0_with_one_line_per_history(histories: Path) -> None:
    result = invoke(ORDER, "--file", str(histories))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [
        f"ok {histories / 'order-1.json'}: 4 decision task(s) replayed",
        f"ok {histories / 'order-2.json'}: 4 decision task(s) replayed",
    ]
    assert "2 histories replayed, 0 nondeterministic" in result.stderr


def test_one_file_replays(histories: Path) -> None:
    result = invoke(ORDER, "--file", str(histories / "order-2.json"))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"ok {histories / 'order-2.json'}: 4 decision task(s) replayed\n"


def test_what_the_workflow_prints_goes_to_stderr() -> None:
    # examples.basic prints its result from run(): the report lines alone stay on stdout.
    result = invoke("examples.basic.BasicWorkflow", "--file", "tests/fixtures/histories/basic.json")
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok tests/fixtures/histories/basic.json: 4 decision task(s) replayed\n"
    assert "(1 + 1) * 2 = 4" in result.stderr


def test_a_divergence_exits_1_naming_task_event_and_both_sides(histories: Path) -> None:
    result = invoke(CHANGED_TIMER, "--file", str(histories / "order-1.json"))
    assert result.exit_code == 1, result.output
    line = result.stdout.strip()
    assert line.startswith(f"nondeterministic {histories / 'order-1.json'}: decision task ")
    assert "StartTimer differs in startToFireTimeout" in line
    assert "'startToFireTimeout': '60'" in line and "'startToFireTimeout': '120'" in line
    assert "\n" not in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param([ORDER], "nothing to replay: give --file PATH", id="nothing"),
        pytest.param(
            [ORDER, "--file", "nowhere.json"], "nowhere.json: no such file or folder", id="missing-file"
        ),
        pytest.param(
            ["tests.fixtures.replay_workflows.Nope", "--file", "x.json"],
            "has no attribute 'Nope'",
            id="unknown",
        ),
        pytest.param(
            ["no_such_module.Workflow", "--file", "x.json"],
            "no module named 'no_such_module'",
            id="no-module",
        ),
        pytest.param(
            [ORDER, "--file", "x.json", "--last", "2"], "give --file or --last, not both", id="file-and-last"
        ),
        pytest.param(
            [ORDER, "--domain", "D", "--workflow-id", "w", "--last", "2"], "not both", id="id-and-last"
        ),
        pytest.param(
            [ORDER, "--file", "x.json", "--run-id", "r"], "--run-id needs --workflow-id", id="run-id-alone"
        ),
        pytest.param([ORDER, "--workflow-id", "w"], "no domain given", id="no-domain"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.delenv("SWF_DOMAIN", raising=False)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("not json", "not JSON (Expecting value at line 1 column 1)", id="not-json"),
        pytest.param('{"hello": "world"}', "not a workflow history", id="not-a-history"),
    ],
)
def test_a_file_that_is_not_a_history_is_exit_2(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = invoke(ORDER, "--file", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip().startswith(f"error: {path}: {message}")


def test_a_history_of_another_type_is_exit_2(histories: Path) -> None:
    result = invoke("tests.fixtures.replay_workflows.ParentWorkflow", "--file", str(histories))
    assert result.exit_code == 2
    assert "a history of workflow type 'replay-tests.order', not 'replay-tests.parent'" in result.stderr


def test_last_must_be_positive() -> None:
    result = invoke(ORDER, "--domain", "D", "--last", "0")
    assert result.exit_code == 2
    assert "0 is not in the range x>=1" in result.stderr


def test_a_payload_the_store_cannot_give_is_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    # The jumbo example's history refers to payloads out of band: without a store, no verdict.
    monkeypatch.delenv("SIMPLEFLOW_PAYLOAD_STORE", raising=False)
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", raising=False)
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "histories" / "jumbo_fields.json"
    result = invoke("examples.jumbo_fields.JumboFieldsWorkflow", "--file", str(fixture))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {fixture}: ")
    assert "it refers to out-of-band payloads (simpleflow+payload:sha256:" in result.stderr
    assert "but no payload store is configured" in result.stderr
