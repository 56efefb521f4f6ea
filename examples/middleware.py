"""Middlewares: functions a worker calls around every activity it executes.

Give them by dotted path; each pre-execution middleware is called as ``func(context)`` before an
activity runs, each post-execution one as ``func(context, result=result)`` after it returned (not
after it raised). ``context`` is the activity's context (``name``, ``workflow_id``, ``activity_id``,
``input``, ...). Here the pre middleware counts the calls in a file named by ``EXAMPLE_AUDIT_FILE``
(or prints them when unset), and the post one adds each result to it:

    simpleflow workflow.start --local examples.middleware.AuditedWorkflow --input '[3]' \\
        --middleware-pre-execution examples.middleware.audit_start \\
        --middleware-post-execution examples.middleware.audit_result
    # prints 'start examples.middleware.square {"args":[3],"kwargs":{}}',
    # 'result examples.middleware.square 9', the same two lines for increment, then 10, the result

The same options go to ``simpleflow worker.start`` and ``simpleflow standalone``.
"""

import os

from simpleflow import Workflow, activity


def _audit(line):
    path = os.environ.get("EXAMPLE_AUDIT_FILE")
    if not path:
        print(line)
        return
    # Appending keeps lines from several worker processes whole: each write is one short line.
    with open(path, "a") as audit:
        audit.write(line + "\n")


def audit_start(context, **kwargs):
    # context["input"] is the task's input as SWF carries it: a JSON string.
    _audit(f"start {context['name']} {context['input']}")


def audit_result(context, result, **kwargs):
    _audit(f"result {context['name']} {result}")


@activity.with_attributes(task_list="quickstart", version="example")
def square(x):
    return x * x


@activity.with_attributes(task_list="quickstart", version="example")
def increment(x):
    return x + 1


class AuditedWorkflow(Workflow):
    name = "middleware"
    version = "example"
    task_list = "example"

    def run(self, x):
        return self.submit(increment, self.submit(square, x)).result
