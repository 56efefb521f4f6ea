from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import click
import pytest

from simpleflow.cli.rendering import (
    OutputFormat,
    OutputSettings,
    cell_text,
    emit,
    output_options,
    parse_format,
    render,
)
from simpleflow.exceptions import ConfigurationError

COLUMNS = ["task_id", "state", "started", "seconds"]
WHEN = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)
PAGES = [
    [["activity-a-1", "completed", WHEN, 1.5]],
    [["activity-long-name-2", None, None, 12.25]],
]


def rendered(settings: OutputSettings, pages=PAGES) -> str:
    out = io.StringIO()
    render(COLUMNS, pages, settings=settings, out=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("format_name", "header", "expected"),
    [
        pytest.param(
            "tabular",
            None,
            "task_id       state      started                  seconds\n"
            "activity-a-1  completed  2026-01-02 03:04:05.678  1.5\n"
            "activity-long-name-2" + " " * 38 + "12.25\n",
            id="tabular-keeps-page-one-widths",
        ),
        pytest.param(
            "csv",
            None,
            "activity-a-1,completed,2026-01-02 03:04:05.678,1.5\nactivity-long-name-2,,,12.25\n",
            id="csv-no-header-by-default",
        ),
        pytest.param(
            "csv",
            True,
            "task_id,state,started,seconds\n"
            "activity-a-1,completed,2026-01-02 03:04:05.678,1.5\nactivity-long-name-2,,,12.25\n",
            id="csv-honours-header",
        ),
        pytest.param(
            "tsv",
            True,
            "task_id\tstate\tstarted\tseconds\n"
            "activity-a-1\tcompleted\t2026-01-02 03:04:05.678\t1.5\nactivity-long-name-2\t\t\t12.25\n",
            id="tsv",
        ),
        pytest.param(
            "json",
            None,
            '[\n{"task_id": "activity-a-1", "state": "completed", '
            '"started": "2026-01-02T03:04:05.678000+00:00", '
            '"seconds": 1.5},\n'
            '{"task_id": "activity-long-name-2", "state": null, "started": null, "seconds": 12.25}\n]\n',
            id="json-objects-one-per-line",
        ),
        pytest.param(
            "json",
            True,
            '[\n{"task_id": "activity-a-1", "state": "completed", '
            '"started": "2026-01-02T03:04:05.678000+00:00", '
            '"seconds": 1.5},\n'
            '{"task_id": "activity-long-name-2", "state": null, "started": null, "seconds": 12.25}\n]\n',
            id="json-has-no-header-row",
        ),
        pytest.param(
            "jsonl",
            None,
            '{"task_id": "activity-a-1", "state": "completed", '
            '"started": "2026-01-02T03:04:05.678000+00:00", '
            '"seconds": 1.5}\n'
            '{"task_id": "activity-long-name-2", "state": null, "started": null, "seconds": 12.25}\n',
            id="jsonl-one-object-per-line",
        ),
        pytest.param(
            "human",
            None,
            "task_id  activity-a-1\nstate    completed\nstarted  2026-01-02 03:04:05.678\nseconds  1.5\n\n"
            "task_id  activity-long-name-2\nstate\nstarted\nseconds  12.25\n",
            id="human-blocks",
        ),
    ],
)
def test_formats(format_name, header, expected):
    assert rendered(OutputSettings(format_name=format_name, header=header)) == expected


@pytest.mark.parametrize("format_name", ["json", "prettyjson"], ids=str)
def test_json_objects_keyed_by_column(format_name):
    parsed = json.loads(rendered(OutputSettings(format_name=format_name)))
    assert parsed == [
        {"task_id": "activity-a-1", "state": "completed", "started": WHEN.isoformat(), "seconds": 1.5},
        {"task_id": "activity-long-name-2", "state": None, "started": None, "seconds": 12.25},
    ]


@pytest.mark.parametrize("format_name", [f.value for f in OutputFormat], ids=str)
def test_empty_table_is_still_well_formed(format_name):
    text = rendered(OutputSettings(format_name=format_name), pages=[[], []])
    if format_name in ("json", "prettyjson"):
        assert json.loads(text) == []
    elif format_name == "jsonl":
        assert text == ""
    elif format_name == "tabular":
        assert text == "task_id  state  started  seconds\n"
    else:
        assert text == ""


def test_tabular_keeps_one_row_per_line_for_multiline_cells():
    text = rendered(
        OutputSettings(format_name="tabular", header=False), pages=[[["a", "line1\nline2", None, 1]]]
    )
    assert text == "a  line1\\nline2    1\n"


class RecordingOut(io.StringIO):
    """Remembers what had been written at each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[str] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


@pytest.mark.parametrize("format_name", [f.value for f in OutputFormat], ids=str)
def test_each_page_is_written_and_flushed_before_the_next_is_fetched(format_name):
    out = RecordingOut()
    seen_before_fetch: list[str] = []

    def pages():
        yield [["first-page-row", "completed", WHEN, 1.0]]
        seen_before_fetch.append(out.getvalue())
        yield [["second-page-row", "failed", WHEN, 2.0]]

    render(COLUMNS, pages(), settings=OutputSettings(format_name=format_name), out=out)
    assert "first-page-row" in seen_before_fetch[0]
    assert "second-page-row" not in seen_before_fetch[0]
    assert "first-page-row" in out.flushed[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, "", id="none"),
        pytest.param(True, "true", id="bool"),
        pytest.param(0.1 + 0.2, "0.3", id="float-rounded"),
        pytest.param(3.0, "3", id="float-integral"),
        pytest.param({"args": [1]}, '{"args":[1]}', id="dict-as-json"),
        pytest.param(OutputFormat.CSV, "csv", id="enum"),
        pytest.param(datetime(2026, 1, 1, 12), "2026-01-01 12:00:00.000", id="naive-is-utc"),
    ],
)
def test_cell_text(value, expected):
    assert cell_text(value) == expected


def test_unknown_format_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="unknown format 'xml'; choose one of tabular, csv"):
        parse_format("xml")


@output_options()
@click.command("show")
@click.pass_context
def show(ctx):
    emit(ctx, ["a", "b"], [[[1, "x"]]])


@output_options(from_environment=True)
@click.group()
def root():
    """A stand-in for simpleflow's main group."""


root.add_command(show)


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        pytest.param(["show"], {}, "a  b\n1  x\n", id="default-tabular"),
        pytest.param(["--format", "csv", "show"], {}, "1,x\n", id="global-option"),
        pytest.param(["show", "--format", "csv", "--header"], {}, "a,b\n1,x\n", id="command-option"),
        pytest.param(["--format", "json", "show", "--format", "csv"], {}, "1,x\n", id="command-wins"),
        pytest.param(["show"], {"SIMPLEFLOW_FORMAT": "tsv"}, "1\tx\n", id="environment"),
        pytest.param(
            ["show", "--format", "csv"], {"SIMPLEFLOW_FORMAT": "tsv"}, "1,x\n", id="option-beats-env"
        ),
        pytest.param(["--no-header", "show"], {}, "1  x\n", id="no-header"),
        pytest.param(["show", "--format", "jsonl"], {}, '{"a": 1, "b": "x"}\n', id="jsonl-after"),
        pytest.param(["--format", "jsonl", "show"], {}, '{"a": 1, "b": "x"}\n', id="jsonl-before"),
    ],
)
def test_options_before_or_after_the_command(cli_runner, args, env, expected):
    result = cli_runner.invoke(root, args, env=env)
    assert result.exit_code == 0, result.output
    assert result.output == expected


def test_bad_format_fails_when_the_command_renders(cli_runner):
    result = cli_runner.invoke(root, ["--format", "xml", "show"])
    assert isinstance(result.exception, ConfigurationError)
