"""The docs collector itself: it reads samples as written and it fails when a page is wrong."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.docs.samples import matches, parse_markdown, parse_rst
from tests.docs.session import plan, problems, run

pytestmark = pytest.mark.docs

PATH = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}

MARKDOWN = """\
Some prose.

```{code-block} python
:caption: greet.py

print("hello from a file")
```

```console
$ python greet.py
hello from a file
$ echo one \\
  two
one two
$ false
$ echo $?
1
```

```python
print(6 * 7)
```

```text
42
```
"""


def test_markdown_samples_are_read_in_page_order() -> None:
    samples = parse_markdown(MARKDOWN)
    assert [s.kind for s in samples] == ["file", "console", "python", "text"]
    assert samples[0].caption == "greet.py"
    commands = samples[1].commands
    assert [c.text for c in commands] == ["python greet.py", "echo one \\\n  two", "false", "echo $?"]
    assert commands[1].shown == ["one two"]


def test_a_directive_other_than_code_is_prose() -> None:
    assert parse_markdown("```{note}\n$ not a command\n```\n") == []


def test_an_rst_block_named_like_a_file_is_that_file() -> None:
    samples = parse_rst(".. code-block:: python\n    :name: quickstart.py\n\n    print(1)\n")
    assert [(s.kind, s.caption, s.body) for s in samples] == [("file", "quickstart.py", "print(1)\n")]


def test_rst_code_blocks_are_dedented_and_literal_blocks_ignored() -> None:
    text = "Intro::\n\n    $ ignored\n\n.. code-block:: console\n\n    $ echo hi\n    hi\n"
    samples = parse_rst(text)
    assert len(samples) == 1
    assert samples[0].commands[0].text == "echo hi"
    assert samples[0].commands[0].shown == ["hi"]


@pytest.mark.parametrize(
    ("shown", "actual", "expected"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "c"], False),
        (["a", "...", "z"], ["a", "x", "y", "z"], True),
        (["a", "...", "z"], ["a", "z"], True),
        (["...", "z"], ["z", "q"], False),
        (["id: basic-..."], ["id: basic-20250101"], True),
        ([], ["unexpected"], False),
        (["a", ""], ["a"], True),
    ],
    ids=[
        "same",
        "differs",
        "ellipsis-lines",
        "ellipsis-empty",
        "tail-differs",
        "in-line",
        "silence",
        "blank",
    ],
)
def test_output_matching(shown: list[str], actual: list[str], expected: bool) -> None:
    assert matches(shown, actual) is expected


def test_a_session_runs_the_page_and_reports_nothing_when_it_fits(tmp_path: Path) -> None:
    script, steps = plan(parse_markdown(MARKDOWN))
    outcomes = run(script, cwd=tmp_path, env=PATH, timeout=60)
    assert problems(steps, outcomes, page="page.md") == []


def test_a_session_reports_the_wrong_output_and_the_failing_command(tmp_path: Path) -> None:
    page = "```console\n$ echo actual\nshown\n$ false\n$ echo never\nnever\n```\n"
    script, steps = plan(parse_markdown(page))
    outcomes = run(script, cwd=tmp_path, env=PATH, timeout=60)
    found = problems(steps, outcomes, page="page.md")
    assert len(found) == 2
    assert "page.md:2: $ echo actual" in found[0] and "it printed:\n        actual" in found[0]
    assert "page.md:4: $ false" in found[1] and "exited 1" in found[1]


def test_background_jobs_end_with_the_session(tmp_path: Path) -> None:
    page = "```console\n$ sleep 300 & echo $! > pid\n```\n"
    script, _ = plan(parse_markdown(page))
    run(script, cwd=tmp_path, env=PATH, timeout=60)
    pid = int((tmp_path / "pid").read_text())
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
