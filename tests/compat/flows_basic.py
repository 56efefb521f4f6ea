"""The quickstart as upstream writes it: ``futures.wait`` returns the results."""

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="quickstart", version="example")
def increment(x):
    return x + 1


@activity.with_attributes(task_list="quickstart", version="example")
def double(x):
    return x * 2


class UnpackWaitWorkflow(Workflow):
    name = "compat_unpack_wait"
    version = "example"
    task_list = "example"

    def run(self, x):
        y, z = futures.wait(self.submit(increment, x), self.submit(double, x))
        return {"y": y, "z": z}
