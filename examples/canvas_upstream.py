"""Canvas as upstream simpleflow writes it: ``(func, *args)`` tuples, ``append``, a signal in a chain.

A ``Group`` prepares two parts in parallel. The first chain signals ``ready`` only once its part is done
(a signal placed in a ``Chain`` is sent when the chain reaches it); the second chain waits for that
signal before packing. ``send_result=True`` appends the signal (the previous result) to ``pack``'s arguments.

    simpleflow workflow.start --local examples.canvas_upstream.ShippingWorkflow --input '["box"]'
"""

from simpleflow import Workflow, activity, futures
from simpleflow.canvas import Chain, Group


@activity.with_attributes(task_list="quickstart", version="example")
def prepare(item):
    return f"{item} prepared"


@activity.with_attributes(task_list="quickstart", version="example")
def label(item, carrier="post"):
    return f"{item} labelled for {carrier}"


@activity.with_attributes(task_list="quickstart", version="example")
def pack(parts, signal):
    return f"packed after {signal['kwargs']['step']}: {', '.join(parts)}"


class ShippingWorkflow(Workflow):
    name = "shipping"
    version = "example"
    task_list = "example"

    def run(self, item):
        ready = Chain((prepare, item), self.signal("ready", step="preparation", propagate=False))
        parts = Group((prepare, f"{item} lid"))
        parts.append(label, item, carrier="courier")  # append takes keyword arguments too
        packing = Chain(self.wait_signal("ready"), send_result=True)
        packing.append(pack, [f"{item} lid", item])
        everything = self.submit(Group(ready, parts, packing))
        futures.wait(everything)
        preparation, labels, packed = everything.result
        return {"prepared": preparation[0], "parts": labels, "packed": packed[-1]}
