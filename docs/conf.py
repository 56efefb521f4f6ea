"""Sphinx configuration for simpleflow's documentation (built by script/docs, warnings as errors)."""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))  # examples/ (the pictures run them) and simpleflow from the checkout
sys.path.insert(0, str(DOCS / "_tools"))

import console_screenshot  # noqa: E402
import decision_diagram  # noqa: E402
import timeline_picture  # noqa: E402

project = "simpleflow"
author = "simpleflow contributors"
copyright = "simpleflow contributors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx_click",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_tools", "_generated", "Thumbs.db", ".DS_Store"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "simpleflow"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

# The pictures are drawn from the code at every build, so they cannot drift from it.
GENERATED = DOCS / "_generated"
GENERATED.mkdir(exist_ok=True)
decision_diagram.main(str(GENERATED / "decision-task.svg"))
timeline_picture.main(str(GENERATED / "fanout-timeline.svg"))

# The console's screenshot needs Chromium; without it the page includes a note instead of the picture.
_CONSOLE_SHOT = GENERATED / "console-execution.png"
_CONSOLE_SHOT.unlink(missing_ok=True)
if console_screenshot.main(str(_CONSOLE_SHOT)):
    _console_figure = (
        "![The console's page of a completed fan-out run: summary, input and result]"
        "(/_generated/console-execution.png)\n"
    )
else:
    _console_figure = (
        "```{note}\nThe screenshot of this page is taken with Chromium when the docs are built;"
        " Chromium was not installed for this build.\n```\n"
    )
(GENERATED / "console-figure.md").write_text(_console_figure)
