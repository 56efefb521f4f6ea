"""Child workflows: submitting a ``Workflow`` class starts it as a child execution.

simpleflow workflow.start --local examples.child.ParentWorkflow --input '[[1, 2, 3]]'
"""

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="quickstart", version="example")
def double(x):
    return x * 2


class DoubleAllWorkflow(Workflow):
    """The child: doubles every number it is given."""

    name = "double-all"
    version = "example"
    task_list = "example"

    def run(self, numbers):
        doubled = self.map(double, numbers)
        futures.wait(*doubled)
        return [f.result for f in doubled]


class ParentWorkflow(Workflow):
    """The parent: runs the child twice, on the numbers, then on the child's own result."""

    name = "parent"
    version = "example"
    task_list = "example"

    def run(self, numbers):
        once = self.submit(DoubleAllWorkflow, numbers)
        twice = self.submit(DoubleAllWorkflow, once.result)
        return twice.result
