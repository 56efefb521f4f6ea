"""Fan-out and fan-in: ``map`` submits one activity per item, they all run in parallel, then a sum.

simpleflow workflow.start --local examples.fanout.SquaresWorkflow --input '[10]'
"""

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="quickstart", version="example")
def square(x):
    return x * x


@activity.with_attributes(task_list="quickstart", version="example")
def total(values):
    return sum(values)


class SquaresWorkflow(Workflow):
    name = "squares"
    version = "example"
    task_list = "example"

    def run(self, count):
        squares = self.map(square, range(count))
        futures.wait(*squares)
        return self.submit(total, [f.result for f in squares]).result
