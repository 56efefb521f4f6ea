"""The docs pages whose samples the suite runs: README.rst and every page under docs/."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def docs_pages() -> list[Path]:
    """README.rst first, then docs/**/*.md in path order."""
    return [REPO / "README.rst", *sorted((REPO / "docs").rglob("*.md"))]
