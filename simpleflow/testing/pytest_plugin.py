"""The pytest plugin of simpleflow: a test environment per test, and options to run it differently.

pytest loads it by itself once simpleflow is installed (a ``pytest11`` entry point); ``-p
no:simpleflow`` turns it off. It adds nothing to a test that does not ask for its fixtures.

Fixtures:

- ``workflow_environment``: a :class:`~simpleflow.testing.WorkflowEnvironment` for the test, closed after
  it (every thread and activity process it started is stopped);
- ``workflow_environment_options``: the keyword arguments it is made with (``{}`` here). Override it in
  a ``conftest.py`` or a test module to give, for instance, ``activities={...}`` to every test there.

Options (command line, or ``addopts``):

- ``--simpleflow-real-time``: environments keep the wall clock (no time skipping);
- ``--simpleflow-processes``: environments run each activity in a child process, as a worker does (the
  fakes of ``activities`` must then be importable by dotted path).

Marker ``@pytest.mark.simpleflow(**options)``: environment options for one test (``activities``,
``processes``, ``real_time``, ``nb_workers``, ``limits``, ``middlewares``); they win over the fixture's,
which win over the command line's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from simpleflow.testing.environment import WorkflowEnvironment

REAL_TIME_OPTION = "--simpleflow-real-time"
PROCESSES_OPTION = "--simpleflow-processes"
MARKER = "simpleflow"
#: The keyword arguments of WorkflowEnvironment, which the marker and the options fixture may give.
ENVIRONMENT_OPTIONS = frozenset(
    {"activities", "processes", "nb_workers", "real_time", "limits", "middlewares"}
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's command-line options, in their own group of ``pytest --help``."""
    group = parser.getgroup("simpleflow", "simpleflow test environments (the workflow_environment fixture)")
    group.addoption(
        REAL_TIME_OPTION,
        action="store_true",
        default=False,
        help="run workflow environments on the wall clock: timers and timeouts take their real time",
    )
    group.addoption(
        PROCESSES_OPTION,
        action="store_true",
        default=False,
        help="run each activity of a workflow environment in a child process, as a worker does "
        "(activity fakes must be importable by dotted path)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker (so that ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options of this test's workflow_environment "
        "(activities=, processes=, real_time=, nb_workers=, limits=, middlewares=)",
    )


@pytest.fixture
def workflow_environment_options() -> dict[str, Any]:
    """Keyword arguments of the ``workflow_environment`` fixture's environment; override to change them."""
    return {}


@pytest.fixture
def workflow_environment(
    request: pytest.FixtureRequest, workflow_environment_options: dict[str, Any]
) -> Iterator[WorkflowEnvironment]:
    """A :class:`~simpleflow.testing.WorkflowEnvironment` for this test (see the module docs)."""
    from simpleflow.testing.environment import WorkflowEnvironment

    options: dict[str, Any] = {
        "real_time": bool(request.config.getoption(REAL_TIME_OPTION)),
        "processes": bool(request.config.getoption(PROCESSES_OPTION)),
    }
    options.update(workflow_environment_options)
    # The closest marker wins (a test's over its class's or module's).
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            pytest.fail(
                f"@pytest.mark.{MARKER} takes keyword options only, not {marker.args!r}", pytrace=False
            )
        options.update(marker.kwargs)
    unknown = sorted(set(options) - ENVIRONMENT_OPTIONS)
    if unknown:
        pytest.fail(
            f"unknown workflow_environment option(s) {', '.join(unknown)}; "
            f"expected some of {', '.join(sorted(ENVIRONMENT_OPTIONS))}",
            pytrace=False,
        )
    with WorkflowEnvironment(**options) as environment:
        yield environment
