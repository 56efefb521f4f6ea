"""Preloaded last by the activity forkserver: simpleflow's whole public API, then the worker's main script.

Each activity child is forked from the forkserver, so whatever the forkserver has imported a child does
not import again. ``simpleflow`` loads its exports on first use (so that the CLI starts fast); here they
are all loaded once, or every child would import the workflow machinery again when the user's activity
module does ``from simpleflow import Workflow, activity`` (about 30 ms per task). The observability
modules every child uses (its logging set-up, the activity observers) are loaded here too, and logging
is set up, so that what the forkserver itself logs has the worker's level and format.

See :func:`simpleflow.process.isolation.adopt_worker_main` for the main script, and
:mod:`simpleflow.process.preload` for the activity modules imported last. Importing this module
anywhere else only loads the API: the path it looks for is only set in the forkserver's environment.
"""

import contextlib
import multiprocessing.popen_forkserver  # noqa: F401  (what unpickling each child's Process object imports)
import sys

import simpleflow
import simpleflow.observability.observers
import simpleflow.observability.task_metrics
import simpleflow.observability.tracing
from simpleflow.observability.process_logging import configure_logging
from simpleflow.process.isolation import adopt_worker_main
from simpleflow.process.preload import import_preloaded

for _name in simpleflow.__all__:
    getattr(simpleflow, _name)

# Each child asks whether tracing is on, which imports OpenTelemetry when it is installed (about 14 ms):
# once here instead of once per task.
with contextlib.suppress(ImportError):
    import opentelemetry.trace  # noqa: F401

configure_logging()
adopt_worker_main()
#: The activity modules earlier children of this worker imported cleanly (see simpleflow.process.preload).
PRELOADED_ACTIVITY_MODULES = import_preloaded()

#: What every child starts with (what it imports beyond is its own cost, paid per task).
PRELOADED_MODULES = frozenset(sys.modules)
