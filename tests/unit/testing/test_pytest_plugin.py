"""The pytest plugin: its fixtures, options and marker, run in inner pytest sessions (``pytester``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

# Imported here, before any inner session: pytester drops the modules an inner session imported first,
# and the suite's later tests must not get second copies of them (and of their activities).
import examples.basic
import examples.timers  # noqa: F401
import simpleflow.testing.environment  # noqa: F401

pytest_plugins = ["pytester"]

HEADER = """
import threading

ENGINE_THREADS = ("simpleflow-local", "localswf")
import time

import pytest

from examples.basic import BasicWorkflow, increment
from examples.timers import ReminderWorkflow
from simpleflow.testing import ClockRefused
"""


#: The suite's other plugins stay out of the inner sessions (hypothesis' summary alone takes seconds).
QUIET = ("-p", "no:randomly", "-p", "no:hypothesispytest", "-p", "no:cacheprovider")


def run_inner(pytester: pytest.Pytester, *arguments: str) -> pytest.RunResult:
    return pytester.runpytest(*QUIET, *arguments)


def write_tests(pytester: pytest.Pytester, body: str, **files: str) -> None:
    # The inner session runs in this process: threads other tests of the outer session left behind are
    # there too, and are not the inner session's (``BEFORE``: the threads alive as the tests are written).
    before = f"BEFORE = {sorted(t.ident for t in threading.enumerate())!r}\n"
    pytester.makepyfile(test_inner=HEADER + before + textwrap.dedent(body), **files)


def test_the_fixture_runs_a_workflow_with_time_skipping(pytester: pytest.Pytester) -> None:
    write_tests(
        pytester,
        """
        def test_reminder(workflow_environment):
            began = time.monotonic()
            assert workflow_environment.execute(ReminderWorkflow, "tea", 7200) == "reminder: tea"
            assert time.monotonic() - began < 5
            assert not workflow_environment.real_time and not workflow_environment.processes
        """,
    )
    run_inner(pytester).assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("arguments", "real_time", "processes"),
    [
        ((), False, False),
        (("--simpleflow-real-time",), True, False),
        (("--simpleflow-processes",), False, True),
        (("--simpleflow-real-time", "--simpleflow-processes"), True, True),
    ],
    ids=["defaults", "real-time", "processes", "both"],
)
def test_the_options_reach_the_environment(
    pytester: pytest.Pytester, arguments: tuple[str, ...], real_time: bool, processes: bool
) -> None:
    write_tests(
        pytester,
        f"""
        def test_options(workflow_environment):
            assert workflow_environment.real_time is {real_time}
            assert workflow_environment.processes is {processes}
            if workflow_environment.real_time:
                with pytest.raises(ClockRefused):
                    workflow_environment.skip(1)
        """,
    )
    run_inner(pytester, *arguments).assert_outcomes(passed=1)


def test_the_marker_gives_options_and_wins_over_the_command_line(pytester: pytest.Pytester) -> None:
    write_tests(
        pytester,
        """
        def fake_increment(x):
            return x + 100

        @pytest.mark.simpleflow(activities={increment: fake_increment}, real_time=False)
        def test_faked(workflow_environment):
            assert not workflow_environment.real_time
            assert workflow_environment.execute(BasicWorkflow, 1, t=0) == 202

        def test_not_faked(workflow_environment):
            assert workflow_environment.real_time
            assert workflow_environment.execute(BasicWorkflow, 1, t=0) == 4
        """,
    )
    run_inner(pytester, "--strict-markers", "--simpleflow-real-time").assert_outcomes(passed=2)


def test_the_options_fixture_can_be_overridden_in_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        from examples.basic import double


        @pytest.fixture
        def workflow_environment_options():
            return {"activities": {double: lambda x: -x}}
        """
    )
    write_tests(
        pytester,
        """
        def test_faked(workflow_environment):
            assert workflow_environment.execute(BasicWorkflow, 1, t=0) == -2
        """,
    )
    run_inner(pytester).assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("@pytest.mark.simpleflow(procesess=True)", "unknown workflow_environment option(s) procesess"),
        ("@pytest.mark.simpleflow(True)", "takes keyword options only"),
        (
            '@pytest.mark.simpleflow(activities={"examples.basic.nothing": print})',
            "activity override 'examples.basic.nothing': no such activity",
        ),
    ],
    ids=["misspelt-option", "positional", "bad-override"],
)
def test_a_bad_marker_is_one_clear_error(pytester: pytest.Pytester, marker: str, message: str) -> None:
    write_tests(
        pytester,
        f"""
        {marker}
        def test_bad(workflow_environment):
            pass
        """,
    )
    outcome = run_inner(pytester)
    outcome.assert_outcomes(errors=1)
    outcome.stdout.fnmatch_lines([f"*{message}*"])


def test_the_environment_is_closed_after_its_test(pytester: pytest.Pytester) -> None:
    write_tests(
        pytester,
        """
        def engine_threads():
            current = [t for t in threading.enumerate() if t.ident not in BEFORE]
            return [t.name for t in current if t.name.startswith(ENGINE_THREADS)]

        def test_first(workflow_environment):
            workflow_environment.execute(BasicWorkflow, 1, t=0)
            assert engine_threads()

        def test_then():
            deadline = time.monotonic() + 5
            while engine_threads() and time.monotonic() < deadline:
                time.sleep(0.01)
            assert not engine_threads()
        """,
    )
    run_inner(pytester).assert_outcomes(passed=2)


def test_a_test_without_the_fixture_starts_nothing(pytester: pytest.Pytester) -> None:
    write_tests(
        pytester,
        """
        def test_plain():
            started = [t for t in threading.enumerate() if t.ident not in BEFORE]
            assert not [t for t in started if t.name.startswith(ENGINE_THREADS)]
        """,
    )
    run_inner(pytester).assert_outcomes(passed=1)


def test_loading_the_plugin_imports_no_runtime() -> None:
    """pytest imports the plugin in every project with simpleflow installed: it must stay light."""
    probe = (
        "import sys, simpleflow.testing.pytest_plugin; "
        "print(sorted(name for name in sys.modules if name.startswith(('simpleflow.local', 'boto'))))"
    )
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
