"""``payloads.gc`` refuses a store that is not there, instead of reporting that it deleted nothing."""

from __future__ import annotations

import pytest

from simpleflow.cli.main import main


@pytest.mark.parametrize("kind", ["missing", "file"], ids=str)
def test_a_missing_store_is_an_error(cli_runner, tmp_path, kind):
    root = tmp_path / "payloads"
    if kind == "file":
        root.write_text("not a directory")
    problem = "does not exist" if kind == "missing" else "is not a directory"
    result = cli_runner.invoke(main, ["payloads.gc", "--store", root.as_uri(), "--older-than", "1"])
    assert result.exit_code == 2
    assert result.stderr == f"error: --store {root.as_uri()}: {root} {problem}; no payload store there\n"
    assert result.stdout == ""
    assert "deleted" not in result.output
