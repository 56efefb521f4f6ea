"""Reads the code samples out of the docs (MyST Markdown) and README.rst, in page order.

A page is a list of :class:`Sample`, which :mod:`tests.docs.session` turns into one shell session:

- ``console`` blocks hold commands (``$ cmd``, a trailing ``\\`` continues a command on the next line)
  and the output each one shows (the lines up to the next ``$``);
- ``python`` blocks run with the virtualenv's ``python``; a ``text`` block right after one is its output;
- a block with a ``:caption:`` (reST: ``:name:``) that looks like a file name (``greet.py``) is that
  file: it is written to the session's directory, not run;
- ``<!-- docs-test: NAME -->`` (Markdown) or ``.. docs-test: NAME`` (reST) asks the session for a
  set-up step (see :data:`tests.docs.session.SETUPS`) from that point on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FILE_CAPTION = re.compile(r"^[\w./-]+\.(py|json|txt|cfg|toml|sh)$")
MD_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,})(?P<info>.*)$")
MD_SETUP = re.compile(r"^<!--\s*docs-test:\s*(?P<name>[\w-]+)\s*-->\s*$")
RST_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\. (code-block|code|sourcecode)::\s*(?P<lang>\S+)\s*$")
RST_SETUP = re.compile(r"^\s*\.\. docs-test:\s*(?P<name>[\w-]+)\s*$")
RUNNABLE = {"console", "python", "text"}


@dataclass(frozen=True)
class Command:
    """One ``$`` command of a console block and the output shown under it."""

    text: str
    shown: list[str]
    line: int


@dataclass(frozen=True)
class Sample:
    """One block of a page: ``console``, ``python``, ``text`` (an output), ``file`` or ``setup``."""

    kind: str
    body: str
    line: int
    caption: str = ""
    commands: list[Command] = field(default_factory=list)


def parse_console(body: str, *, first_line: int) -> list[Command]:
    """Split a console block into its commands, each with the lines shown under it."""
    commands: list[Command] = []
    lines = body.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("$ "):
            if not commands:
                raise ValueError(f"line {first_line + index}: console output before any '$ ' command")
            commands[-1].shown.append(line)
            index += 1
            continue
        start = index
        text = [line[2:]]
        while text[-1].endswith("\\") and index + 1 < len(lines):
            index += 1
            text.append(lines[index])
        commands.append(Command(text="\n".join(text), shown=[], line=first_line + start))
        index += 1
    return commands


def _sample(kind: str, body: str, *, line: int, caption: str) -> Sample | None:
    if caption and FILE_CAPTION.match(caption):
        return Sample("file", body, line, caption=caption)
    if kind == "console":
        return Sample(kind, body, line, commands=parse_console(body, first_line=line))
    if kind in RUNNABLE:
        return Sample(kind, body, line, caption=caption)
    return None


def parse_markdown(text: str) -> list[Sample]:
    """The samples of a MyST page: fenced blocks, ```{code-block} LANG`` directives and set-up comments."""
    samples: list[Sample] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        setup = MD_SETUP.match(lines[index])
        if setup:
            samples.append(Sample("setup", setup["name"], index + 1))
        fence = MD_FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        info = fence["info"].strip()
        directive = re.match(r"^\{(code-block|code)\}\s*(\S*)", info)
        kind = directive.group(2) if directive else info.split()[0] if info else ""
        start = index + 1
        index += 1
        caption = ""
        while directive and index < len(lines) and lines[index].strip().startswith(":"):
            option = re.match(r"^\s*:caption:\s*(.*)$", lines[index])
            caption = option.group(1).strip() if option else caption
            index += 1
        body: list[str] = []
        indent = len(fence["indent"])  # a fence inside a list item: its lines carry the item's indent
        while index < len(lines) and not lines[index].strip().startswith(fence["fence"]):
            line = lines[index]
            body.append(line[indent:] if not line[:indent].strip() else line)
            index += 1
        index += 1
        if info.startswith("{") and not directive:
            continue  # another directive ({note}, {eval-rst}, ...): prose, not a sample
        sample = _sample(kind, "\n".join(body) + "\n", line=start + 1, caption=caption)
        if sample:
            samples.append(sample)
    return samples


def parse_rst(text: str) -> list[Sample]:
    """The samples of a reST page: ``.. code-block:: LANG`` directives (literal ``::`` blocks are prose)."""
    samples: list[Sample] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        setup = RST_SETUP.match(lines[index])
        if setup:
            samples.append(Sample("setup", setup["name"], index + 1))
        directive = RST_DIRECTIVE.match(lines[index])
        index += 1
        if not directive:
            continue
        start = index
        caption = ""
        while index < len(lines) and lines[index].strip().startswith(":"):
            # Plain docutils (GitHub, PyPI) has no :caption:, so a reST file block is named with :name:.
            option = re.match(r"^\s*:(caption|name):\s*(.*)$", lines[index])
            caption = option.group(2).strip() if option else caption
            index += 1
        body: list[str] = []
        while index < len(lines) and (not lines[index].strip() or lines[index].startswith((" ", "\t"))):
            body.append(lines[index])
            index += 1
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        margin = min((len(b) - len(b.lstrip()) for b in body if b.strip()), default=0)
        dedented = "\n".join(b[margin:] for b in body) + "\n"
        sample = _sample(directive["lang"], dedented, line=start + 1, caption=caption)
        if sample:
            samples.append(sample)
    return samples


def parse_page(path: Path) -> list[Sample]:
    """The samples of a docs page or of README.rst, by its suffix."""
    text = path.read_text(encoding="utf-8")
    return parse_rst(text) if path.suffix == ".rst" else parse_markdown(text)


def matches(shown: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` output lines fit the ``shown`` ones.

    As in doctest's ELLIPSIS: a line that is only ``...`` stands for any number of lines, and ``...``
    inside a line for any text. Trailing spaces and blank lines at either end do not count.
    """
    want = _trimmed(shown)
    got = _trimmed(actual)
    return _match_lines(want, got)


def _trimmed(lines: list[str]) -> list[str]:
    stripped = [line.rstrip() for line in lines]
    while stripped and not stripped[-1]:
        stripped.pop()
    while stripped and not stripped[0]:
        stripped.pop(0)
    return stripped


def _line_pattern(line: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in line.split("...")) + "$")


def _match_lines(want: list[str], got: list[str]) -> bool:
    # Dynamic programming over (shown line, actual line): "..." lines may swallow any run of lines.
    reachable = {0}
    for line in want:
        if line == "...":
            reachable = set(range(min(reachable), len(got) + 1)) if reachable else set()
            continue
        pattern = _line_pattern(line)
        reachable = {at + 1 for at in reachable if at < len(got) and pattern.match(got[at])}
        if not reachable:
            return False
    return len(got) in reachable
