"""Workflows and middlewares for the CLI and environment forms, written as an upstream user writes them.

The middlewares append one line per call to the file named by ``COMPAT_MIDDLEWARE_LOG``, so that a test
sees what ran in worker processes too (the environment reaches every activity process).
"""

import os

from simpleflow import Workflow, activity, futures

# -- middlewares: ``--middleware-pre-execution`` / ``--middleware-post-execution`` ------------------------


def _field(context, key):
    # Upstream hands middlewares the activity context; read it as a mapping when it is one.
    try:
        return context[key]
    except (TypeError, KeyError):
        return getattr(context, key, None)


def _log(line):
    with open(os.environ["COMPAT_MIDDLEWARE_LOG"], "a", encoding="utf-8") as log:
        log.write(line + "\n")


def first_pre(context, **kwargs):
    _log(f"pre1 {_field(context, 'activity_id')} {_field(context, 'workflow_id') is not None}")


def second_pre(context, **kwargs):
    _log(f"pre2 {_field(context, 'activity_id')}")


def record_post(context, result, **kwargs):
    _log(f"post {_field(context, 'activity_id')} {result!r}")


def refusing_pre(context, **kwargs):
    raise RuntimeError("refused by the pre-execution middleware")


@activity.with_attributes(task_list="quickstart", version="example")
def increment(x):
    return x + 1


@activity.with_attributes(task_list="quickstart", version="example")
def double(x):
    return x * 2


@activity.with_attributes(task_list="quickstart", version="example")
def broken(x):
    raise ValueError(f"broken on {x}")


class MiddlewareWorkflow(Workflow):
    """Two activities, one after the other, so the log's order is the run's."""

    name = "compat_middleware"
    version = "example"
    task_list = "example"

    def run(self, x):
        y = self.submit(increment, x).result
        z = self.submit(double, y).result
        return [y, z]


class FailingMiddlewareWorkflow(Workflow):
    """A failing activity: post-execution middlewares are not called for it."""

    name = "compat_middleware_failing"
    version = "example"
    task_list = "example"

    def run(self, x):
        failed = self.submit(broken, x)
        futures.wait(failed)
        return {"failed": failed.exception is not None, "after": self.submit(increment, x).result}


class RefusedWorkflow(Workflow):
    """One activity, which a pre-execution middleware refuses: the task fails with its error."""

    name = "compat_middleware_refused"
    version = "example"
    task_list = "example"

    def run(self, x):
        refused = self.submit(increment, x)
        futures.wait(refused)
        return refused.exception.reason


# -- activities decorated at run time (upstream's examples/dyn_task_list.py) --------------------------------


def run_on(func, task_list, **kwargs):
    return activity.with_attributes(task_list=task_list, **kwargs)(func)


def triple(x):
    return x * 3


class Squarer:
    def __init__(self, x):
        self.x = x

    def execute(self):
        return self.x * self.x


class DynamicTaskListWorkflow(Workflow):
    """Activities made inside run(), on a task list given in the input."""

    name = "compat_dyn_task_list"
    version = "example"
    task_list = "example"

    def run(self, x, task_list):
        tripled = self.submit(run_on(triple, task_list), x)
        squared = self.submit(run_on(Squarer, task_list, version="dyn"), x)
        return [tripled.result, squared.result]


# -- jumbo fields: SIMPLEFLOW_JUMBO_FIELDS_BUCKET ------------------------------------------------------------


@activity.with_attributes(task_list="quickstart", version="example")
def repeat50k(s):
    return s * 50000


@activity.with_attributes(task_list="quickstart", version="example")
def length(x):
    return len(x)


class JumboFieldsWorkflow(Workflow):
    """Upstream's examples/jumbo_fields.py, with a large workflow input too."""

    name = "compat_jumbo"
    version = "example"
    task_list = "example"

    def run(self, string, padding):
        long_string = self.submit(repeat50k, str(string))
        string_length = self.submit(length, long_string)
        return {"length": string_length.result, "padding": len(padding), "tail": long_string.result[-3:]}
