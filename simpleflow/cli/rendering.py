"""Output of the inspection commands: rows of one table, in the format the user picked, page by page.

A command describes its table with column names and hands over an iterable of *pages* (each a list of
rows). Nothing waits for the last page: every format writes a page as soon as it arrives, so that a
history of 25,000 events starts printing at once and memory holds one page at a time.

Formats (``--format``, or ``SIMPLEFLOW_FORMAT``; ``tabular`` by default):

- ``tabular``: a plain tabulate table; column widths only grow from one page to the next;
- ``csv`` / ``tsv``: one line per row (a header line only with ``--header``, as simpleflow did);
- ``json``: one JSON array of objects keyed by column, one object per line;
- ``jsonl``: one JSON object per line and nothing else (JSON Lines), for ``jq`` and log pipelines;
- ``prettyjson``: the same array as ``json``, indented;
- ``human``: each row as a block of ``column  value`` lines, for reading one execution or task. The
  ``info`` commands use it unless ``--format`` (or ``SIMPLEFLOW_FORMAT``) asks for another.

Times are shown in UTC. Text formats show a datetime as ``YYYY-MM-DD HH:MM:SS.mmm``; JSON shows it in
ISO 8601 with its offset.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from enum import Enum
from typing import Any, TextIO, TypeVar

import click

from simpleflow.exceptions import ConfigurationError

F = TypeVar("F", bound=Callable[..., Any])

FORMAT_ENVVAR = "SIMPLEFLOW_FORMAT"

Row = Sequence[Any]
Page = Sequence[Row]


class OutputFormat(str, Enum):
    """The output formats of the inspection commands."""

    TABULAR = "tabular"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    JSONL = "jsonl"
    PRETTYJSON = "prettyjson"
    HUMAN = "human"


FORMAT_NAMES = tuple(output_format.value for output_format in OutputFormat)


def parse_format(name: str | OutputFormat) -> OutputFormat:
    """The format called ``name`` (case-insensitive); raises ConfigurationError for an unknown one."""
    if isinstance(name, OutputFormat):
        return name
    try:
        return OutputFormat(name.strip().lower())
    except ValueError:
        raise ConfigurationError(
            f"unknown format {name!r}; choose one of {', '.join(FORMAT_NAMES)}"
        ) from None


@dataclass(frozen=True)
class OutputSettings:
    """What ``--format`` and ``--header/--no-header`` asked for.

    ``format_name`` stays a string until it is used, so that a bad ``SIMPLEFLOW_FORMAT`` is reported by
    the command as one line rather than by click while parsing; None when nothing asked for a format,
    so each command picks its own (``tabular`` for lists, ``human`` for ``info``). ``header`` None means
    the format's own default: shown by ``tabular``, hidden by ``csv`` and ``tsv``. The JSON formats
    name every value by its column and have no header.
    """

    format_name: str | None = None
    header: bool | None = None
    default_format: OutputFormat = OutputFormat.TABULAR

    @property
    def output_format(self) -> OutputFormat:
        """The parsed format; raises ConfigurationError when it is unknown."""
        return self.default_format if self.format_name is None else parse_format(self.format_name)

    @property
    def shows_header(self) -> bool:
        """Whether the column names are printed."""
        if self.header is not None:
            return self.header
        return self.output_format is OutputFormat.TABULAR


# -- cell formatting ------------------------------------------------------------------------------------


def format_time(value: datetime) -> str:
    """A datetime as text in UTC, to the millisecond (naive datetimes are taken as UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"


def cell_text(value: Any) -> str:
    """How a value shows in the text formats (tabular, csv, tsv, human)."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value == value else "nan"
    if isinstance(value, list | tuple | dict):
        return json.dumps(json_value(value), separators=(",", ":"), ensure_ascii=False)
    return str(value)


def json_value(value: Any) -> Any:
    """A value made JSON-able: datetimes as ISO 8601 strings, enums as their values."""
    if isinstance(value, Enum):
        return json_value(value.value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return value


def _one_line(text: str) -> str:
    # A newline inside a cell (a traceback in details) would break the one-row-per-line layout.
    return text.replace("\r", "\\r").replace("\n", "\\n")


# -- writers --------------------------------------------------------------------------------------------


class _Writer:
    """Writes the pages of one table to ``out``; subclasses implement one format each."""

    def __init__(self, columns: Sequence[str], *, out: TextIO, header: bool) -> None:
        self.columns = list(columns)
        self.out = out
        self.header = header
        self.rows_written = 0

    def start(self) -> None:
        """Called once before the first page."""

    def page(self, rows: Page) -> None:
        """Write one page of rows."""
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last page."""


class _TabularWriter(_Writer):
    """A tabulate ``plain`` table, one page at a time.

    tabulate sizes columns from the rows it is given; a page that follows gets a ruler row (dropped
    from the output) holding the widths so far, so columns stay aligned from page to page.
    """

    def __init__(self, columns: Sequence[str], *, out: TextIO, header: bool) -> None:
        super().__init__(columns, out=out, header=header)
        self.widths: list[int] = [len(column) for column in columns] if header else []

    def page(self, rows: Page) -> None:
        cells = [[_one_line(cell_text(value)) for value in row] for row in rows]
        if not cells:
            return
        show_header = self.header and self.rows_written == 0
        ruler = ["x" * width for width in self.widths] if self.widths else None
        # The header goes in as a plain row: tabulate pads a real header wider than its column.
        table = ([list(self.columns)] if show_header else []) + ([ruler] if ruler else []) + cells
        # Imported here: tabulate takes tens of milliseconds to import and most commands never print a table.
        from tabulate import tabulate

        text = tabulate(table, tablefmt="plain", disable_numparse=True)
        lines = text.split("\n")
        if ruler:
            del lines[1 if show_header else 0]
        self.out.write("".join(line.rstrip() + "\n" for line in lines))
        for row in cells:
            for index, text_cell in enumerate(row):
                if index >= len(self.widths):
                    self.widths.append(len(text_cell))
                else:
                    self.widths[index] = max(self.widths[index], len(text_cell))
        self.rows_written += len(cells)

    def finish(self) -> None:
        if self.rows_written == 0 and self.header:
            self.out.write("  ".join(self.columns).rstrip() + "\n")


class _DelimitedWriter(_Writer):
    """csv (RFC 4180 quoting) or tsv (tabs and newlines inside a cell escaped)."""

    def __init__(self, columns: Sequence[str], *, out: TextIO, header: bool, delimiter: str) -> None:
        super().__init__(columns, out=out, header=header)
        self.delimiter = delimiter
        self.csv_writer = csv.writer(out, lineterminator="\n") if delimiter == "," else None

    def _write(self, cells: list[str]) -> None:
        if self.csv_writer is not None:
            self.csv_writer.writerow(cells)
        else:
            self.out.write("\t".join(_one_line(cell).replace("\t", "\\t") for cell in cells) + "\n")

    def start(self) -> None:
        if self.header:
            self._write(self.columns)

    def page(self, rows: Page) -> None:
        for row in rows:
            self._write([cell_text(value) for value in row])
        self.rows_written += len(rows)


class _JSONWriter(_Writer):
    """One JSON array of objects keyed by column, written object by object (``pretty``: indented)."""

    def __init__(self, columns: Sequence[str], *, out: TextIO, pretty: bool) -> None:
        super().__init__(columns, out=out, header=False)
        self.pretty = pretty

    def page(self, rows: Page) -> None:
        for row in rows:
            value = _json_object(self.columns, row)
            if self.pretty:
                text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
                text = "\n".join("  " + line for line in text.split("\n"))
            else:
                text = json.dumps(value, ensure_ascii=False, default=str)
            self.out.write(("[\n" if self.rows_written == 0 else ",\n") + text)
            self.rows_written += 1

    def finish(self) -> None:
        self.out.write("[]\n" if self.rows_written == 0 else "\n]\n")


class _JSONLinesWriter(_Writer):
    """JSON Lines: one object keyed by column per line; an empty table writes nothing."""

    def page(self, rows: Page) -> None:
        for row in rows:
            self.out.write(
                json.dumps(_json_object(self.columns, row), ensure_ascii=False, default=str) + "\n"
            )
        self.rows_written += len(rows)


def _json_object(columns: Sequence[str], row: Row) -> dict[str, Any]:
    return dict(zip(columns, (json_value(value) for value in row), strict=False))


class _HumanWriter(_Writer):
    """Each row as a block of aligned ``column  value`` lines; blocks separated by a blank line."""

    def page(self, rows: Page) -> None:
        width = max((len(column) for column in self.columns), default=0)
        for row in rows:
            if self.rows_written:
                self.out.write("\n")
            for column, value in zip(self.columns, row, strict=False):
                text = cell_text(value)
                continuation = "\n" + " " * (width + 2)
                self.out.write(
                    f"{column.ljust(width)}  {text.replace(chr(10), continuation)}".rstrip() + "\n"
                )
            self.rows_written += 1


def _make_writer(columns: Sequence[str], *, settings: OutputSettings, out: TextIO) -> _Writer:
    output_format = settings.output_format
    header = settings.shows_header
    if output_format is OutputFormat.TABULAR:
        return _TabularWriter(columns, out=out, header=header)
    if output_format is OutputFormat.CSV:
        return _DelimitedWriter(columns, out=out, header=header, delimiter=",")
    if output_format is OutputFormat.TSV:
        return _DelimitedWriter(columns, out=out, header=header, delimiter="\t")
    if output_format in (OutputFormat.JSON, OutputFormat.PRETTYJSON):
        return _JSONWriter(columns, out=out, pretty=output_format is OutputFormat.PRETTYJSON)
    if output_format is OutputFormat.JSONL:
        return _JSONLinesWriter(columns, out=out, header=False)
    return _HumanWriter(columns, out=out, header=header)


def render(
    columns: Sequence[str],
    pages: Iterable[Page],
    *,
    settings: OutputSettings,
    out: TextIO,
) -> int:
    """Write the table of ``columns`` to ``out``, one page as it arrives; returns the number of rows.

    ``out`` is flushed after every page, so a reader at the other end of a pipe sees rows while later
    pages are still being fetched. A bad format is reported before anything is written.
    """
    writer = _make_writer(columns, settings=settings, out=out)
    writer.start()
    for page in pages:
        writer.page(page)
        out.flush()
    writer.finish()
    out.flush()
    return writer.rows_written


# -- click integration ------------------------------------------------------------------------------------


def _root_obj(ctx: click.Context) -> dict[str, Any]:
    root = ctx.find_root()
    root.ensure_object(dict)
    obj: dict[str, Any] = root.obj
    return obj


def output_settings(ctx: click.Context) -> OutputSettings:
    """The settings of this invocation (``main``'s options, overridden by the command's own)."""
    settings = _root_obj(ctx).get("output")
    if settings is None:
        settings = OutputSettings(format_name=os.environ.get(FORMAT_ENVVAR) or None)
    return settings


def _store_format(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        _root_obj(ctx)["output"] = replace(output_settings(ctx), format_name=value)


def _store_header(ctx: click.Context, param: click.Parameter, value: bool | None) -> None:
    if value is not None:
        _root_obj(ctx)["output"] = replace(output_settings(ctx), header=value)


def _complete_format(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    return [name for name in FORMAT_NAMES if name.startswith(incomplete.lower())]


def output_options(*, from_environment: bool = False) -> Callable[[F], F]:
    """``--format`` and ``--header/--no-header``, on ``main`` and on every command that prints a table.

    The same options are accepted before and after the command name
    (``simpleflow --format json workflow.list`` or ``simpleflow workflow.list --format json``); the
    command's own wins. Only ``main`` reads ``SIMPLEFLOW_FORMAT`` (``from_environment``), so the
    variable never overrides an option given on the command line.
    """

    def decorate(command: F) -> F:
        command = click.option(
            "--header/--no-header",
            default=None,
            expose_value=False,
            callback=_store_header,
            help="Print the column names (default: yes for tabular, no for csv and tsv; JSON has none).",
        )(command)
        return click.option(
            "--format",
            "format_name",
            metavar="|".join(FORMAT_NAMES),
            envvar=FORMAT_ENVVAR if from_environment else None,
            show_envvar=from_environment,
            expose_value=False,
            is_eager=True,
            callback=_store_format,
            shell_complete=_complete_format,
            help="Output format (default: tabular; human, one field a line, for info commands).",
        )(command)

    return decorate


def emit(
    ctx: click.Context,
    columns: Sequence[str],
    pages: Iterable[Page],
    *,
    default_format: OutputFormat = OutputFormat.TABULAR,
) -> int:
    """Render a table on stdout with the settings of ``ctx``; returns the number of rows.

    ``default_format`` applies when neither ``--format`` nor ``SIMPLEFLOW_FORMAT`` names one.
    """
    settings = replace(check_output_format(ctx), default_format=default_format)
    return render(columns, pages, settings=settings, out=sys.stdout)


def check_output_format(ctx: click.Context) -> OutputSettings:
    """The settings of ``ctx``, checked: raises ConfigurationError for an unknown format.

    Commands call this first thing, so a typo in ``--format`` fails before any SWF call.
    """
    settings = output_settings(ctx)
    settings.output_format  # noqa: B018 -- parsing is the check
    return settings
