"""A picture of an execution: one bar per task on a time axis, as SVG or as an HTML page.

Each bar is split in two: the time the task waited in its queue (pale) and the time it ran (full
colour), both coloured by the task's outcome. Up to :data:`DETAILED_LIMIT` tasks, every task has its own
labelled row. Beyond that the rows are grouped by task name, each group under a header that counts its
outcomes, and rows shrink to thin bars: 2,000 tasks make a tall picture that scrolls (the HTML page
keeps the axis in view), never a smear. Hovering a bar shows the task's details.

Pure: task records in, text out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import groupby
from xml.sax.saxutils import escape

from simpleflow.inspection.tasks import TaskStatus, TaskSummary

DETAILED_LIMIT = 300

LABEL_WIDTH = 300
PLOT_WIDTH = 1040
RIGHT_MARGIN = 30
WIDTH = LABEL_WIDTH + PLOT_WIDTH + RIGHT_MARGIN
AXIS_HEIGHT = 34
DETAILED_ROW = 20
DETAILED_BAR = 13
COMPACT_ROW = 6
COMPACT_BAR = 5
GROUP_HEADER = 24
GROUP_GAP = 8
FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'"


@dataclass(frozen=True)
class Palette:
    """The colours of one outcome: ``waiting`` (pale) and ``running`` (full)."""

    label: str
    waiting: str
    running: str


OPEN = Palette("open", "#c6dbef", "#2171b5")
PALETTES: dict[TaskStatus, Palette] = {
    TaskStatus.COMPLETED: Palette("completed", "#c7e9c0", "#238b45"),
    TaskStatus.FIRED: Palette("completed", "#c7e9c0", "#238b45"),
    TaskStatus.FAILED: Palette("failed", "#fcbba1", "#cb181d"),
    TaskStatus.SCHEDULE_FAILED: Palette("failed", "#fcbba1", "#cb181d"),
    TaskStatus.TIMED_OUT: Palette("timed out", "#fdd0a2", "#d94801"),
    TaskStatus.CANCELED: Palette("canceled", "#d9d9d9", "#636363"),
    TaskStatus.TERMINATED: Palette("terminated", "#dadaeb", "#6a51a3"),
    TaskStatus.SCHEDULED: OPEN,
    TaskStatus.STARTED: OPEN,
    TaskStatus.CANCEL_REQUESTED: OPEN,
}
LEGEND = ("completed", "failed", "timed out", "canceled", "terminated", "open")

# Tick steps in seconds: 1-2-5 below a minute, then the units people count time in.
_TICK_STEPS = sorted(
    [m * 10.0**e for e in range(-3, 1) for m in (1, 2, 5)]
    + [10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0]
    + [21600.0, 43200.0]
    + [86400.0 * days for days in (1, 2, 7, 14, 30)]
)


def format_duration(seconds: float) -> str:
    """A duration for people: ``850ms``, ``12s``, ``1m30s``, ``2h05m``, ``3d4h``."""
    if seconds < 1 and seconds != 0:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.3g}s" if seconds != int(seconds) else f"{int(seconds)}s"
    total = round(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    return f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"


def tick_step(span_seconds: float, *, target_ticks: int = 10) -> float:
    """The smallest nice step giving at most ``target_ticks`` ticks over ``span_seconds``."""
    for step in _TICK_STEPS:
        if span_seconds / step <= target_ticks:
            return step
    return _TICK_STEPS[-1] * math.ceil(span_seconds / (_TICK_STEPS[-1] * target_ticks))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class _Scale:
    """Maps times to x coordinates of the plot."""

    def __init__(self, start: datetime, end: datetime) -> None:
        self.start = start
        self.span = max((end - start).total_seconds(), 0.001)

    def offset(self, when: datetime) -> float:
        return (when - self.start).total_seconds()

    def x(self, when: datetime) -> float:
        return LABEL_WIDTH + PLOT_WIDTH * self.offset(when) / self.span


@dataclass(frozen=True)
class _Row:
    record: TaskSummary
    y: float
    bar_height: float
    label: str | None


def _time_bounds(records: Sequence[TaskSummary], now: datetime | None) -> tuple[datetime, datetime]:
    starts = [_utc(record.scheduled_time) for record in records]
    ends = [_utc(record.closed_time or record.last_state_time) for record in records]
    start = min(starts)
    end = max([*ends, *starts, _utc(now)] if now else [*ends, *starts])
    return start, end


def _tooltip(record: TaskSummary) -> str:
    lines = [
        f"{record.task_id} ({record.name}): {record.status.value}",
        f"scheduled {_utc(record.scheduled_time)}",
    ]
    if record.waiting_seconds is not None:
        lines.append(f"waited {format_duration(record.waiting_seconds)}")
    if record.running_seconds is not None:
        lines.append(f"ran {format_duration(record.running_seconds)}")
    if record.attempts > 1:
        lines.append(f"attempts {record.attempts}")
    if record.reason:
        lines.append(f"reason: {record.reason}")
    return "\n".join(lines)


def _bar(row: _Row, scale: _Scale, end: datetime) -> str:
    record = row.record
    palette = PALETTES.get(record.status, OPEN)
    scheduled = _utc(record.scheduled_time)
    started = _utc(record.started_time) if record.started_time else None
    closed = _utc(record.closed_time) if record.closed_time else None
    # An open task is drawn up to the end of the picture: it is still waiting or running then.
    waiting_end = started or closed or end
    parts = []
    x0, x1 = scale.x(scheduled), scale.x(waiting_end)
    if x1 > x0:
        parts.append(
            f"<rect x='{x0:.1f}' y='{row.y:.1f}' width='{x1 - x0:.1f}' height='{row.bar_height}' "
            f"fill='{palette.waiting}'/>"
        )
    if started is not None:
        x2 = scale.x(closed or end)
        parts.append(
            f"<rect x='{x1:.1f}' y='{row.y:.1f}' width='{max(x2 - x1, 1.5):.1f}' height='{row.bar_height}' "
            f"fill='{palette.running}'/>"
        )
    elif closed is not None:
        # Closed without starting (failed to schedule, canceled or timed out in the queue): a tick
        # in the outcome's colour marks the moment it ended.
        parts.append(
            f"<rect x='{x1 - 1:.1f}' y='{row.y:.1f}' width='2' height='{row.bar_height}' "
            f"fill='{palette.running}'/>"
        )
    return f"<g><title>{escape(_tooltip(record))}</title>{''.join(parts)}</g>"


def _layout(records: Sequence[TaskSummary], top: float) -> tuple[list[_Row], list[str], float]:
    """Rows and their y positions, the SVG of labels and group headers, and the height used."""
    decorations: list[str] = []
    rows: list[_Row] = []
    y = top
    if len(records) <= DETAILED_LIMIT:
        for index, record in enumerate(records):
            if index % 2:
                decorations.append(
                    f"<rect x='0' y='{y:.1f}' width='{WIDTH}' height='{DETAILED_ROW}' fill='#f5f5f5'/>"
                )
            label = record.task_id if len(record.task_id) <= 44 else record.task_id[:41] + "..."
            decorations.append(
                f"<text x='{LABEL_WIDTH - 8}' y='{y + DETAILED_ROW - 6:.1f}' text-anchor='end' "
                f"font-size='11' fill='#252525'>{escape(label)}</text>"
            )
            rows.append(_Row(record, y + (DETAILED_ROW - DETAILED_BAR) / 2, DETAILED_BAR, label))
            y += DETAILED_ROW
        return rows, decorations, y - top
    # A stable sort: within a group, tasks keep the order given (history order, from the collector).
    by_name = sorted(records, key=lambda record: record.name)
    for name, group_iter in groupby(by_name, key=lambda record: record.name):
        group = list(group_iter)
        counts: dict[str, int] = {}
        for record in group:
            outcome = PALETTES.get(record.status, OPEN).label
            counts[outcome] = counts.get(outcome, 0) + 1
        summary = ", ".join(f"{counts[label]} {label}" for label in LEGEND if label in counts)
        decorations.append(
            f"<rect x='0' y='{y:.1f}' width='{WIDTH}' height='{GROUP_HEADER}' fill='#eeeeee'/>"
            f"<text x='8' y='{y + 16:.1f}' font-size='12' fill='#525252'>"
            f"<tspan font-weight='bold' fill='#252525'>{escape(name)}</tspan>"
            f"  {len(group)} tasks: {escape(summary)}</text>"
        )
        y += GROUP_HEADER + 2
        for record in group:
            rows.append(_Row(record, y, COMPACT_BAR, None))
            y += COMPACT_ROW
        y += GROUP_GAP
    return rows, decorations, y - top


def _axis(scale: _Scale, *, y: float, grid_bottom: float | None) -> str:
    """Tick labels (offsets from the first schedule) along ``y``, with grid lines down to ``grid_bottom``."""
    step = tick_step(scale.span)
    right = LABEL_WIDTH + PLOT_WIDTH
    parts = [f"<line x1='{LABEL_WIDTH}' y1='{y:.1f}' x2='{right}' y2='{y:.1f}' stroke='#737373'/>"]
    count = int(scale.span / step + 1e-9)
    for index in range(count + 1):
        offset = index * step
        x = LABEL_WIDTH + PLOT_WIDTH * offset / scale.span
        parts.append(
            f"<line x1='{x:.1f}' y1='{y - 4:.1f}' x2='{x:.1f}' y2='{y:.1f}' stroke='#737373'/>"
            f"<text x='{x:.1f}' y='{y - 8:.1f}' text-anchor='middle' font-size='11' fill='#252525'>"
            f"{format_duration(offset)}</text>"
        )
        if grid_bottom is not None:
            parts.append(
                f"<line x1='{x:.1f}' y1='{y:.1f}' x2='{x:.1f}' y2='{grid_bottom:.1f}' stroke='#e0e0e0'/>"
            )
    return "".join(parts)


def _legend(y: float) -> str:
    parts = []
    x = LABEL_WIDTH
    for label in LEGEND:
        palette = next(p for p in (*PALETTES.values(), OPEN) if p.label == label)
        parts.append(
            f"<rect x='{x}' y='{y - 10}' width='14' height='10' fill='{palette.waiting}'/>"
            f"<rect x='{x + 14}' y='{y - 10}' width='14' height='10' fill='{palette.running}'/>"
            f"<text x='{x + 33}' y='{y}' font-size='11' fill='#252525'>{label}</text>"
        )
        x += 48 + 7 * len(label)
    parts.append(
        f"<text x='{x + 10}' y='{y}' font-size='11' fill='#525252'>"
        "pale: waiting in queue, full: running</text>"
    )
    return "".join(parts)


def _summary(records: Sequence[TaskSummary], scale: _Scale) -> str:
    started = scale.start.strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{len(records)} tasks, first scheduled {started}, spanning {format_duration(scale.span)}"


def render_svg(records: Sequence[TaskSummary], *, title: str, now: datetime | None = None) -> str:
    """The timeline as a standalone SVG document (an axis on top, and at the bottom when it is tall).

    ``now`` is where open tasks end (default: the latest time in the records).
    """
    if not records:
        return _empty_svg(title)
    start, end = _time_bounds(records, now)
    scale = _Scale(start, end)
    header = 70
    rows, decorations, body_height = _layout(records, header + AXIS_HEIGHT)
    bottom = header + AXIS_HEIGHT + body_height
    tall = body_height > 600
    height = bottom + (AXIS_HEIGHT if tall else 10)
    return "".join(
        [
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height:.0f}' "
            f"viewBox='0 0 {WIDTH} {height:.0f}' {FONT}>",
            f"<rect width='{WIDTH}' height='{height:.0f}' fill='white'/>",
            f"<text x='8' y='22' font-size='16' font-weight='bold' fill='#000'>{escape(title)}</text>",
            f"<text x='8' y='42' font-size='12' fill='#525252'>{escape(_summary(records, scale))}</text>",
            _legend(60),
            *decorations,
            _axis(scale, y=header + AXIS_HEIGHT - 6, grid_bottom=bottom),
            *(_bar(row, scale, end) for row in rows),
            _axis(scale, y=bottom + AXIS_HEIGHT - 14, grid_bottom=None) if tall else "",
            "</svg>\n",
        ]
    )


def render_html(records: Sequence[TaskSummary], *, title: str, now: datetime | None = None) -> str:
    """The timeline as one HTML page; the time axis stays in view while the tasks scroll under it."""
    if not records:
        body = _empty_svg(title)
        return _page(title, "", body)
    start, end = _time_bounds(records, now)
    scale = _Scale(start, end)
    rows, decorations, body_height = _layout(records, 4)
    axis = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{AXIS_HEIGHT}' {FONT}>"
        f"<rect width='{WIDTH}' height='{AXIS_HEIGHT}' fill='white'/>"
        f"{_axis(scale, y=AXIS_HEIGHT - 4, grid_bottom=None)}</svg>"
    )
    height = body_height + 8
    chart = "".join(
        [
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height:.0f}' {FONT}>",
            *decorations,
            _axis(scale, y=0, grid_bottom=height).replace("<text", "<text display='none'"),
            *(_bar(row, scale, end) for row in rows),
            "</svg>",
        ]
    )
    legend = f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='18' {FONT}>{_legend(14)}</svg>"
    header = f"<h1>{escape(title)}</h1><p>{escape(_summary(records, scale))}</p>{legend}"
    return _page(title, header, f"<div class='axis'>{axis}</div>{chart}")


def _page(title: str, header: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>"
        "body{margin:0 12px;font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;background:#fff}"
        "h1{font-size:18px;margin:12px 0 4px}p{margin:0 0 6px;color:#525252;font-size:13px}"
        ".axis{position:sticky;top:0;background:#fff;z-index:1}"
        f"</style></head><body>{header}{body}</body></html>\n"
    )


def _empty_svg(title: str) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='80' {FONT}>"
        f"<rect width='{WIDTH}' height='80' fill='white'/>"
        f"<text x='8' y='22' font-size='16' font-weight='bold'>{escape(title)}</text>"
        "<text x='8' y='48' font-size='12' fill='#525252'>no tasks</text></svg>\n"
    )


def render_timeline(
    records: Sequence[TaskSummary], *, title: str, path: str, now: datetime | None = None
) -> str:
    """The timeline in the format named by ``path``'s suffix (``.svg`` or ``.html``/``.htm``).

    Returns the document; writing it is the caller's business. Raises ValueError for another suffix.
    """
    lowered = path.lower()
    if lowered.endswith(".svg"):
        return render_svg(records, title=title, now=now)
    if lowered.endswith((".html", ".htm")):
        return render_html(records, title=title, now=now)
    raise ValueError(f"timeline file must end in .svg or .html, not {path!r}")


__all__ = ["format_duration", "render_html", "render_svg", "render_timeline", "tick_step"]
