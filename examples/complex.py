"""Child workflows and futures as arguments: ``self.submit(SomeWorkflow, ...)`` starts a child execution.

Two runs of :class:`examples.basic.BasicWorkflow` go on as children, in parallel; their futures are
given to ``add`` as they are, and ``add`` is scheduled once both children have completed.

    simpleflow workflow.start --local examples.complex.ComplexWorkflow --input '[1, 0]'
    # 10: (1 + 1) * 2 + (2 + 1) * 2
"""

from simpleflow import Workflow, activity

from . import basic


@activity.with_attributes(task_list="quickstart", version="example")
def add(a, b):
    return a + b


class ComplexWorkflow(Workflow):
    name = "complex"
    version = "example"
    task_list = "example"

    def run(self, x, t=30):
        y = self.submit(basic.BasicWorkflow, x, t)
        z = self.submit(basic.BasicWorkflow, x + 1, t)
        return self.submit(add, y, z).result
