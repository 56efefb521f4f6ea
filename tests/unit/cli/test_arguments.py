from __future__ import annotations

import io
import sys

import pytest

from simpleflow.cli.arguments import add_working_directory_to_path, load_object, read_input
from simpleflow.exceptions import ConfigurationError, WorkflowImportError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1, 5]", [1, 5]),
        ('{"args": [1], "kwargs": {"t": 5}}', {"args": [1], "kwargs": {"t": 5}}),
        ("3", 3),
        ("null", None),
    ],
    ids=["list", "args-kwargs", "scalar", "null"],
)
def test_read_input_decodes_json(text, expected):
    assert read_input(text, None) == expected


def test_read_input_without_input_is_none():
    assert read_input(None, None) is None


@pytest.mark.parametrize(
    "text", ["[1, 5", "{'x': 1}", "", "1 2"], ids=["unclosed", "single-quotes", "empty", "two-values"]
)
def test_malformed_input_is_one_clear_line(text):
    with pytest.raises(ConfigurationError) as caught:
        read_input(text, None)
    message = str(caught.value)
    assert message.startswith("--input is not valid JSON (")
    assert "\n" not in message


def test_read_input_file(tmp_path):
    path = tmp_path / "input.json"
    path.write_text('{"kwargs": {"x": 1}}')
    assert read_input(None, str(path)) == {"kwargs": {"x": 1}}


def test_read_input_file_malformed_names_the_file(tmp_path):
    path = tmp_path / "input.json"
    path.write_text("[1,")
    with pytest.raises(ConfigurationError, match=r"--input-file .*input\.json is not valid JSON"):
        read_input(None, str(path))


def test_read_input_file_missing(tmp_path):
    with pytest.raises(ConfigurationError, match=r"cannot read --input-file .*: No such file"):
        read_input(None, str(tmp_path / "nope.json"))


def test_read_input_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("[2]"))
    assert read_input(None, "-") == [2]


def test_read_input_refuses_both(tmp_path):
    with pytest.raises(ConfigurationError, match="not both"):
        read_input("[1]", str(tmp_path / "x.json"))


def test_load_object_finds_attribute():
    assert load_object("simpleflow.exceptions.ConfigurationError") is ConfigurationError


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("nodots", "expected a dotted path"),
        ("tests.fixtures.no_such_module.Workflow", "no module named 'tests.fixtures.no_such_module'"),
        ("no_such_package.module.Workflow", "no module named 'no_such_package'"),
        ("tests.fixtures.broken_import.Workflow", "importing tests.fixtures.broken_import failed: No module"),
        ("tests.fixtures.raising_import.Workflow", "failed: RuntimeError: boom at import time"),
        ("simpleflow.exceptions.NoSuchThing", "has no attribute 'NoSuchThing'"),
    ],
    ids=["no-dot", "missing-module", "missing-package", "missing-dependency", "raising-module", "no-attr"],
)
def test_load_object_errors(path, problem):
    with pytest.raises(WorkflowImportError) as caught:
        load_object(path)
    assert problem in str(caught.value)
    assert str(caught.value).startswith(f"cannot load {path!r}")


def test_working_directory_is_put_on_path(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    (tmp_path / "user_module_for_path_test.py").write_text("VALUE = 42\n")
    add_working_directory_to_path()
    assert load_object("user_module_for_path_test.VALUE") == 42
    sys.modules.pop("user_module_for_path_test", None)
