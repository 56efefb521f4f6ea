"""Draws the decision-task diagram of docs/concepts/replay.md from a real replay, as an SVG.

It drives :class:`simpleflow.Executor` over a :class:`simpleflow.testing.HistoryBuilder` history of
``examples.basic.BasicWorkflow`` to its second decision task, then draws what that task carried (the
history), what ``run()`` did with it (each submission resolved from the history or new), and the decisions
the replay returned. Everything in the picture comes from that run, so it changes when the code does.

    python docs/_tools/decision_diagram.py OUT.svg
"""

from __future__ import annotations

import inspect
import sys
import textwrap
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from examples.basic import BasicWorkflow
from simpleflow import Executor
from simpleflow.testing import HistoryBuilder

COLUMN_WIDTH = 400
GAP = 40
LINE = 19
TOP = 70
FONT = "font-family='DejaVu Sans Mono, Menlo, Consolas, monospace' font-size='12.5'"


def second_decision_task() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The events of BasicWorkflow's second decision task and the decisions its replay returns."""
    builder = HistoryBuilder(BasicWorkflow, input=[1, 5])
    first = Executor(BasicWorkflow).replay(builder.decision_task())
    builder.record_decisions(first.decisions)
    builder.activity_completed("activity-examples.basic.increment-1", result=2)
    task = builder.decision_task()
    return task["events"], Executor(BasicWorkflow).replay(task).decisions


def _event_line(event: dict[str, Any]) -> str:
    attributes: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventAttributes")), {})
    detail = attributes.get("activityId", "").rpartition(".")[2] or attributes.get("result") or ""
    detail = detail or attributes.get("input") or ""
    return f"{event['eventId']:>2} {event['eventType']}" + (f"  {detail}" if detail else "")


def _code_lines(events: list[dict[str, Any]], decisions: list[dict[str, Any]]) -> list[tuple[str, str]]:
    in_history = {
        e["activityTaskScheduledEventAttributes"]["activityId"]
        for e in events
        if e["eventType"] == "ActivityTaskScheduled"
    }
    decided = {d["scheduleActivityTaskDecisionAttributes"]["activityId"] for d in decisions}
    lines: list[tuple[str, str]] = []
    for raw in textwrap.dedent(inspect.getsource(BasicWorkflow.run)).splitlines():
        if raw.strip().startswith("#"):
            continue
        note = ""
        if "self.submit(" in raw:
            name = raw.split("self.submit(")[1].split(",")[0].strip()
            task_id = f"activity-examples.basic.{name}-1"
            note = "resolved from the history" if task_id in in_history else ""
            note = note or ("new: becomes a decision" if task_id in decided else "")
        elif "futures.wait(" in raw:
            note = "not all done: run() parks here"
        lines.append((raw, note))
    return lines


def _height(rows: list[tuple[str, str]]) -> int:
    return TOP + LINE * (len(rows) + sum(1 for _, note in rows if note) + 1)


def _column(x: int, title: str, rows: list[tuple[str, str]], *, colour: str, height: int) -> str:
    parts = [
        f"<rect x='{x}' y='40' width='{COLUMN_WIDTH}' height='{height - 40}' rx='8' fill='{colour}' "
        "stroke='#8c959f'/>",
        f"<text x='{x + 12}' y='62' font-family='DejaVu Sans, Helvetica, sans-serif' font-size='15' "
        f"font-weight='bold'>{escape(title)}</text>",
    ]
    y = TOP + LINE
    for text, note in rows:
        parts.append(f"<text x='{x + 12}' y='{y}' {FONT} xml:space='preserve'>{escape(text[:52])}</text>")
        y += LINE
        if note:
            parts.append(
                f"<text x='{x + 28}' y='{y - 3}' {FONT} fill='#0969da' font-style='italic'>"
                f"{escape(note)}</text>"
            )
            y += LINE
    return "\n".join(parts)


def render(events: list[dict[str, Any]], decisions: list[dict[str, Any]]) -> str:
    """The three-column SVG: history in, run() replayed, decisions out."""
    history_rows = [(_event_line(e), "") for e in events]
    decision_rows = [
        (d["decisionType"], d["scheduleActivityTaskDecisionAttributes"]["activityId"]) for d in decisions
    ]
    code_rows = _code_lines(events, decisions)
    height = max(_height(rows) for rows in (history_rows, code_rows, decision_rows))
    left = _column(10, "Decision task: the whole history", history_rows, colour="#f6f8fa", height=height)
    middle_x = 10 + COLUMN_WIDTH + GAP
    middle = _column(middle_x, "run() against it", code_rows, colour="#fff8c5", height=height)
    right_x = middle_x + COLUMN_WIDTH + GAP
    right = _column(right_x, "Decisions sent back", decision_rows, colour="#dafbe1", height=height)
    height += 10
    width = right_x + COLUMN_WIDTH + 10
    arrows = [
        f"<line x1='{x + COLUMN_WIDTH + 4}' y1='120' x2='{x + COLUMN_WIDTH + GAP - 6}' y2='120' "
        "stroke='#57606a' stroke-width='2' marker-end='url(#arrow)'/>"
        for x in (10, middle_x)
    ]
    return "\n".join(
        [
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"viewBox='0 0 {width} {height}'>",
            "<defs><marker id='arrow' markerWidth='10' markerHeight='8' refX='9' refY='4' orient='auto'>"
            "<path d='M0,0 L10,4 L0,8 z' fill='#57606a'/></marker></defs>",
            "<rect width='100%' height='100%' fill='white'/>",
            "<text x='10' y='24' font-family='DejaVu Sans, Helvetica, sans-serif' font-size='16'>"
            "examples.basic.BasicWorkflow, second decision task (increment has completed)</text>",
            left,
            middle,
            right,
            *arrows,
            "</svg>",
        ]
    )


def main(target: str) -> None:
    """Write the diagram to ``target``."""
    events, decisions = second_decision_task()
    Path(target).write_text(render(events, decisions) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
