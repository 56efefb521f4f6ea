from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from simpleflow.inspection.tasks import TaskStatus, TaskSummary
from simpleflow.inspection.timeline import (
    DETAILED_LIMIT,
    PALETTES,
    format_duration,
    render_html,
    render_svg,
    render_timeline,
    tick_step,
)
from tests.fixtures.histories import START

SVG = "{http://www.w3.org/2000/svg}"


def record(index: int, *, state=TaskStatus.COMPLETED, name="examples.square", started=True) -> TaskSummary:
    scheduled = START + timedelta(seconds=index)
    return TaskSummary(
        task_id=f"activity-{name}-{index}",
        kind="activity",
        name=name,
        version="1",
        status=state,
        scheduled_time=scheduled,
        started_time=scheduled + timedelta(seconds=2) if started else None,
        closed_time=scheduled + timedelta(seconds=5) if state.is_closed else None,
    )


def rect_fills(svg_text: str) -> list[str]:
    root = ET.fromstring(svg_text)
    return [rect.get("fill") for rect in root.iter(f"{SVG}rect")]


def test_each_task_has_a_waiting_and_a_running_bar_coloured_by_outcome():
    records = [record(0), record(1, state=TaskStatus.FAILED), record(2, state=TaskStatus.STARTED)]
    fills = rect_fills(render_svg(records, title="t"))
    completed, failed = PALETTES[TaskStatus.COMPLETED], PALETTES[TaskStatus.FAILED]
    running = PALETTES[TaskStatus.STARTED]
    # Legend swatches account for one of each; the bars for the rest.
    assert fills.count(completed.waiting) == 2 and fills.count(completed.running) == 2
    assert fills.count(failed.running) == 2
    assert fills.count(running.running) == 2


def test_labels_every_task_up_to_the_detailed_limit():
    records = [record(i) for i in range(3)]
    svg = render_svg(records, title="basic-1")
    for item in records:
        assert item.task_id in svg
    assert "basic-1" in svg and "3 tasks" in svg


def test_many_tasks_are_grouped_by_name_with_counts():
    records = [record(i, name="a.fast") for i in range(1500)] + [
        record(i, name="b.slow", state=TaskStatus.FAILED) for i in range(DETAILED_LIMIT + 200)
    ]
    svg = render_svg(records, title="fanout")
    root = ET.fromstring(svg)
    assert "1500 tasks: 1500 completed" in svg and "500 tasks: 500 failed" in svg
    assert "activity-a.fast-7" not in [text.text for text in root.iter(f"{SVG}text")]
    # Thin rows stay distinct: the picture grows (and scrolls) instead of squeezing bars together.
    assert float(root.get("height")) > 2000 * 5


def test_html_keeps_the_axis_sticky():
    html = render_html([record(0)], title="basic")
    assert html.startswith("<!DOCTYPE html>") and "position:sticky" in html
    assert "activity-examples.square-0" in html


def test_open_tasks_end_at_now():
    open_task = record(0, state=TaskStatus.STARTED)
    svg = render_svg([open_task], title="t", now=START + timedelta(seconds=100))
    assert "1m40s" in svg or "1m30s" in svg


@pytest.mark.parametrize(
    ("path", "start"),
    [pytest.param("x.svg", "<svg", id="svg"), pytest.param("X.HTML", "<!DOCTYPE", id="html")],
)
def test_format_follows_the_suffix(path, start):
    assert render_timeline([record(0)], title="t", path=path).startswith(start)


def test_unknown_suffix():
    with pytest.raises(ValueError, match=r"must end in \.svg or \.html"):
        render_timeline([record(0)], title="t", path="x.png")


def test_no_tasks():
    assert "no tasks" in render_svg([], title="t")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        pytest.param(0, "0s", id="zero"),
        pytest.param(0.25, "250ms", id="ms"),
        pytest.param(12, "12s", id="s"),
        pytest.param(90, "1m30s", id="m"),
        pytest.param(7500, "2h05m", id="h"),
        pytest.param(3 * 86400 + 4 * 3600, "3d4h", id="d"),
    ],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("span", "step"),
    [pytest.param(10, 1, id="10s"), pytest.param(170, 20, id="3m"), pytest.param(86400, 10800, id="day")],
)
def test_tick_step(span, step):
    assert tick_step(span) == step
