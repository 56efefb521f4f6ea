"""Canvas: a ``Group`` runs tasks in parallel, a ``Chain`` runs them in order, feeding each result on.

simpleflow workflow.start --local examples.canvas.CanvasWorkflow --input '[3]'
"""

from simpleflow import Workflow, activity
from simpleflow.canvas import Chain, Group
from simpleflow.task import ActivityTask


@activity.with_attributes(task_list="quickstart", version="example")
def increment(x):
    return x + 1


@activity.with_attributes(task_list="quickstart", version="example")
def double(x):
    return x * 2


class CanvasWorkflow(Workflow):
    name = "canvas"
    version = "example"
    task_list = "example"

    def run(self, x):
        # [x + 1, x * 2], computed at the same time.
        group = self.submit(Group(ActivityTask(increment, x), ActivityTask(double, x)))
        # ((x + 1) * 2) + 1: each result is appended to the next task's arguments; a Chain's result
        # lists every step's, so the last one is the chain's outcome.
        chain = self.submit(
            Chain(ActivityTask(increment, x), ActivityTask(double), ActivityTask(increment), send_result=True)
        )
        return {"group": group.result, "chain": chain.result[-1]}
