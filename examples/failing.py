"""A failing workflow: an activity raises, and the workflow fails with its reason.

``raises_on_failure=True`` makes the failure raise in ``run()``; an exception that escapes ``run()``
fails the execution (``self.fail(reason)`` does so on purpose).

    simpleflow workflow.start --local examples.failing.FailingWorkflow --input '[-1]'
    # error: TaskFailed: activity-examples.failing.square_root-1:
    #        ValueError: cannot take the square root of -1
"""

import math

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="quickstart", version="example", raises_on_failure=True)
def square_root(x):
    if x < 0:
        raise ValueError(f"cannot take the square root of {x}")
    return math.sqrt(x)


class FailingWorkflow(Workflow):
    name = "failing"
    version = "example"
    task_list = "example"

    def run(self, x):
        return self.submit(square_root, x).result
