"""The docs pages whose samples the suite runs: README.rst and every page under docs/."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


# What the build writes under docs/: its output, and the fragments conf.py generates for pages to include.
BUILD_OUTPUTS = (REPO / "docs" / "_build", REPO / "docs" / "_generated")


def docs_pages() -> list[Path]:
    """README.rst first, then docs/**/*.md in path order, less what the build writes."""
    pages = (REPO / "docs").rglob("*.md")
    return [
        REPO / "README.rst",
        *sorted(p for p in pages if not any(p.is_relative_to(o) for o in BUILD_OUTPUTS)),
    ]
