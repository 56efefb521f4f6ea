"""simpleflow 0.x's small modules: constants, settings, log, steps, download, metrology, local executor."""

from __future__ import annotations

import importlib
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from simpleflow import activity, constants, settings
from simpleflow.exceptions import ConfigurationError
from simpleflow.step import selection


def test_constants_are_swf_limits_and_durations() -> None:
    assert (constants.MINUTE, constants.HOUR, constants.DAY) == (60, 3600, 86400)
    assert (constants.MAX_REASON_LENGTH, constants.MAX_INPUT_LENGTH) == (256, 32768)
    assert constants.MAX_HEARTBEAT_DETAILS_LENGTH == 2048


def test_upstream_settings_read_their_own_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METROLOGY_BUCKET", "metrics")
    monkeypatch.setenv("SIMPLEFLOW_S3_SSE", "true")
    monkeypatch.setenv("ACTIVITY_SIGTERM_WAIT_SEC", "2.5")
    monkeypatch.setenv("ACTIVITY_DEFAULT_TASK_LIST", "legacy-list")
    monkeypatch.setenv("ACTIVITY_START_TO_CLOSE_TIMEOUT", "12")
    try:
        reloaded = importlib.reload(settings)
        assert reloaded.METROLOGY_BUCKET == "metrics" and reloaded.SIMPLEFLOW_S3_SSE is True
        assert reloaded.ACTIVITY_SIGTERM_WAIT_SEC == 2.5
        assert reloaded.ACTIVITY_DEFAULT_TASK_LIST == "legacy-list"
        assert reloaded.ACTIVITY_START_TO_CLOSE_TIMEOUT == 12
        assert reloaded.STEP_BUCKET == "step_bucket" and reloaded.METROLOGY_PATH_PREFIX is None
    finally:
        monkeypatch.undo()
        importlib.reload(settings)


def test_our_variable_wins_over_upstream_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMPLEFLOW_ACTIVITY_START_TO_CLOSE", "7")
    monkeypatch.setenv("ACTIVITY_START_TO_CLOSE_TIMEOUT", "12")
    try:
        assert importlib.reload(settings).ACTIVITY_START_TO_CLOSE_TIMEOUT == 7
    finally:
        monkeypatch.undo()
        importlib.reload(settings)


def test_a_bad_upstream_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACTIVITY_SIGTERM_WAIT_SEC", "soon")
    try:
        with pytest.raises(ConfigurationError, match="ACTIVITY_SIGTERM_WAIT_SEC='soon'"):
            importlib.reload(settings)
    finally:
        monkeypatch.undo()
        importlib.reload(settings)


def test_put_setting_and_print_settings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "STEP_BUCKET", settings.STEP_BUCKET)
    settings.put_setting("STEP_BUCKET", "my-steps")
    assert settings.STEP_BUCKET == "my-steps"
    settings.print_settings()
    printed = capsys.readouterr().out.splitlines()
    assert "STEP_BUCKET='my-steps'" in printed and "ACTIVITY_DEFAULT_VERSION='1.0'" in printed


def test_simpleflow_formatter_formats_as_upstream() -> None:
    from simpleflow.log import SimpleflowFormatter

    record = logging.LogRecord("simpleflow", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    text = SimpleflowFormatter().format(record)
    assert text.endswith(f"INFO [process={record.processName}, pid={record.process}]: hello you")


@pytest.mark.parametrize(
    ("step", "force", "skip", "done", "runs"),
    [
        ("a.b", [], [], [], True),
        ("a.b", [], [], ["a.b"], False),
        ("a.b", ["a"], [], ["a.b"], True),
        ("a.b", ["*"], ["a.b"], ["a.b"], True),
        ("a.b", [], ["a"], [], False),
        ("ab", ["a"], [], ["ab"], False),
    ],
    ids=["new", "done", "forced-by-parent", "force-beats-skip", "skipped-by-parent", "prefix-is-not-parent"],
)
def test_which_steps_run(step: str, force: list[str], skip: list[str], done: list[str], runs: bool) -> None:
    assert selection.step_will_run(step, force, skip, done) is runs


def test_reasons_of_covering_patterns() -> None:
    reasons = {"a": {"asked"}, "a.b": {"dep"}, "c": {"other"}}
    assert selection.get_step_force_reasons("a.b.c", reasons) == ["asked", "dep"]


def test_activity_made_directly_takes_defaults_and_registers() -> None:
    class Job:
        def __init__(self, x: int) -> None:
            self.x = x
            self.post = False

        def execute(self) -> int:
            return self.x

    made = activity.Activity(Job, task_priority=activity.PRIORITY_NOT_SET)
    assert made.task_priority is None and made.version == settings.ACTIVITY_DEFAULT_VERSION
    assert activity.find_activity(made.name) is made
    assert made.run([3]) == 3


def test_post_execute_runs_after_execute() -> None:
    calls: list[str] = []

    class Job:
        def execute(self) -> str:
            calls.append("execute")
            return "done"

        def post_execute(self) -> None:
            calls.append("post_execute")

    assert activity.Activity(Job, name="tests.unit.post-execute").run() == "done"
    assert calls == ["execute", "post_execute"]


def test_download_binaries_once_into_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from simpleflow import download, storage

    source = tmp_path / "remote" / "tool"
    source.parent.mkdir()
    source.write_text("#!/bin/sh\necho tool\n")
    monkeypatch.setattr(settings, "SIMPLEFLOW_BINARIES_DIRECTORY", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", os.environ.get("PATH", ""))
    storage.BUCKET_CACHE.clear()

    @download.with_binaries({"tool": source.as_uri()})
    def uses_tool() -> str:
        return os.environ["PATH"].split(os.pathsep)[0]

    directory = uses_tool()
    cached = Path(directory) / "tool"
    assert cached.read_text() == source.read_text() and cached.stat().st_mode & stat.S_IXUSR
    source.write_text("changed")
    uses_tool()
    assert cached.read_text() != "changed"  # downloaded once


def test_download_refuses_other_schemes() -> None:
    from simpleflow.download import RemoteBinary

    with pytest.raises(ConfigurationError, match="use s3://bucket/key or file:///path"):
        RemoteBinary("tool", "https://example.com/tool")


def test_metrology_task_uploads_its_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from simpleflow import storage
    from simpleflow.metrology import MetrologyTask

    monkeypatch.setattr(settings, "METROLOGY_BUCKET", (tmp_path / "metrics").as_uri())

    class Count(MetrologyTask):
        def execute(self) -> int:
            with self.step("read") as step:
                step.read.bytes = 2 * 1024 * 1024
            return 1

    task = Count()
    task.context = {"workflow_id": "wf", "run_id": "r/1", "activity_id": "act-1"}
    task.execute()
    task.post_execute()
    report: Any = json.loads(storage.pull_content(settings.METROLOGY_BUCKET, "wf/r%2F1/activity.act-1.json"))
    assert [step["name"] for step in report["steps"]] == ["read"]
    assert report["steps"][0]["read"]["bytes"] == 2 * 1024 * 1024 and report["steps"][0]["read"]["mb_s"] > 0

    outside = Count()
    outside.post_execute()  # no execution: nothing to upload, and no error


def test_local_executor_runs_the_local_path() -> None:
    from simpleflow.local.executor import Executor
    from tests.compat.flows_modules import PlainWorkflow

    assert Executor(PlainWorkflow).run({"args": ["a"], "kwargs": {"suffix": "?"}}) == "A?"
    assert Executor(PlainWorkflow).run(["b"]) == "B!"


def test_local_executor_refuses_repair() -> None:
    from simpleflow.local.executor import Executor
    from tests.compat.flows_modules import PlainWorkflow

    with pytest.raises(ConfigurationError, match="standalone --repair"):
        Executor(PlainWorkflow, repair_with=object())
