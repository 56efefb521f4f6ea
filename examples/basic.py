"""The quickstart: ``(x + 1) * 2``, with a delay task running in parallel.

simpleflow workflow.start --local examples.basic.BasicWorkflow --input '[1, 5]'
simpleflow standalone --local-swf examples.basic.BasicWorkflow --input '[1, 5]'
"""

import time

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="quickstart", version="example")
def increment(x):
    return x + 1


@activity.with_attributes(task_list="quickstart", version="example")
def double(x):
    return x * 2


@activity.with_attributes(task_list="quickstart", version="example")
def delay(t, x):
    """Waits ``t`` seconds, then passes ``x`` through: a stand-in for slow work."""
    time.sleep(t)
    return x


class BasicWorkflow(Workflow):
    name = "basic"
    version = "example"
    task_list = "example"

    def run(self, x, t=30):
        y = self.submit(increment, x)
        yy = self.submit(delay, t, y)
        z = self.submit(double, y)
        # Code before the first blocking point runs on every replay: print after the wait, so the
        # line appears once, when the result is there.
        futures.wait(yy, z)
        print(f"({x} + 1) * 2 = {z.result}")
        return z.result
