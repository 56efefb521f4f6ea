"""Canvas, timers, signals and markers written as an upstream simpleflow 0.36 user writes them."""

from simpleflow import Workflow, activity, futures
from simpleflow.canvas import Chain, ChainFuture, FuncGroup, Group, GroupFuture
from simpleflow.signal import WaitForSignal
from simpleflow.task import ActivityTask, CancelTimerTask, MarkerTask, SignalTask, TimerTask, WorkflowTask


@activity.with_attributes(task_list="canvas", version="example")
def increment(x):
    return x + 1


@activity.with_attributes(task_list="canvas", version="example")
def double(x):
    return x * 2


@activity.with_attributes(task_list="canvas", version="example")
def multiply(numbers):
    product = 1
    for n in numbers:
        product *= n
    return product


@activity.with_attributes(task_list="canvas", version="example")
def fail_incrementing(_):
    raise ValueError("Failure on CPU intensive operation '+'")


@activity.with_attributes(task_list="canvas", version="example")
def seven():
    return 7


class Square(Workflow):
    name = "compat_canvas_square"
    version = "example"
    task_list = "example"

    def run(self, x=3):
        return x * x


class CanvasFormsWorkflow(Workflow):
    """Tuples, bare activities and workflows, append / extend / +=, max_parallel, FuncGroup."""

    name = "compat_canvas_forms"
    version = "example"
    task_list = "example"

    def run(self):
        product = self.submit(
            Chain(Group((increment, 1), (increment, 2), (increment, 3)), multiply, send_result=True)
        )
        group = Group(seven, Square, max_parallel=1)
        group.append(increment, x=10)
        group.extend([(double, 4), ActivityTask(double, 5)])
        group += [WorkflowTask(None, Square, 4)]
        mixed = self.submit(group)
        limited = self.submit(Group(*[(double, n) for n in range(5)], max_parallel=2))
        chain = Chain(send_result=True)
        chain.append(increment, 2)
        chain.append(FuncGroup(lambda n: Group(*[(double, i) for i in range(n)])))
        fanned = self.submit(chain)
        empty = self.submit(FuncGroup(lambda: None, _allow_none=True))
        futures.wait(product, mixed, limited, fanned, empty)
        return {
            "product": product.result[-1],
            "mixed": mixed.result,
            "limited": limited.result,
            "fanned": fanned.result,
            "empty": empty.result,
            "future_classes": [type(product).__name__, type(mixed).__name__],
        }


class CanvasFailuresWorkflow(Workflow):
    """Upstream's examples/canvas.py failure cases, plus a failing Group."""

    name = "compat_canvas_failures"
    version = "example"
    task_list = "example"

    def run(self):
        broken = self.submit(
            Chain((fail_incrementing, 1), (increment, 1), (multiply, [3, 2]), raises_on_failure=False)
        )
        ignoring = self.submit(
            Chain((fail_incrementing, 1), (increment, 1), (multiply, [3, 2]), break_on_failure=False)
        )
        sub = self.submit(
            Chain(Chain((fail_incrementing, 1), raises_on_failure=False), (increment, 1), (multiply, [3, 2]))
        )
        subsub = self.submit(
            Chain(
                Chain(
                    Chain((fail_incrementing, 1), raises_on_failure=False, bubbles_exception_on_failure=True),
                    (increment, 1),
                    bubbles_exception_on_failure=False,
                ),
                (multiply, [3, 2]),
            )
        )
        group = self.submit(Group((increment, 1), (fail_incrementing, 2), raises_on_failure=False))
        futures.wait(broken, ignoring, sub, subsub, group)
        return {
            "broken": broken.result,
            "ignoring": ignoring.result,
            "sub": sub.result,
            "subsub": subsub.result,
            "group": group.result,
            "group_error": type(group.exception).__name__,
            "group_failures": len(group.exception.failures),
            "broken_bubbles": broken.exception is None,
        }


class RaisingGroupWorkflow(Workflow):
    """raises_on_failure=True on a Group fails the run with the task's error."""

    name = "compat_canvas_raising"
    version = "example"
    task_list = "example"

    def run(self):
        futures.wait(self.submit(Group((increment, 1), (fail_incrementing, 2), raises_on_failure=True)))
        return "not reached"


class CustomGroupFuture(GroupFuture):
    def __init__(self, *args, **kwargs):
        print("CustomGroupFuture.__init__")
        super().__init__(*args, **kwargs)

    @property
    def result(self):
        result = super().result
        print(f"CustomGroupFuture.result: {result!r}")
        return result


class CustomGroup(Group):
    default_future_class = CustomGroupFuture


class CustomChain(Chain):
    default_future_class = ChainFuture


class CustomFutureWorkflow(Workflow):
    name = "compat_canvas_custom_future"
    version = "example"
    task_list = "example"

    def run(self):
        future = self.submit(
            CustomGroup((increment, 1), CustomChain((fail_incrementing, 1), raises_on_failure=False))
        )
        futures.wait(future)
        return [type(future).__name__, future.result]


class SignalsInCanvasWorkflow(Workflow):
    """A signal in a chain is sent when the chain reaches it; another chain waits for it."""

    name = "compat_canvas_signals"
    version = "example"
    task_list = "example"

    def run(self):
        sender = Chain((increment, 1), self.signal("go", 42), send_result=False)
        receiver = Chain(self.wait_signal("go"), (double, 3))
        both = self.submit(Group(sender, receiver))
        direct = self.submit(self.wait_signal("ping"))
        sent = self.submit(self.signal("ping", 1, propagate=False))
        constructed = self.submit(SignalTask("pong", x=2))
        waited = self.submit(WaitForSignal("pong"))
        futures.wait(both, direct, sent, constructed, waited)
        return {
            "both": both.result,
            "direct": direct.result,
            "waited": waited.result,
        }


class TimersInCanvasWorkflow(Workflow):
    """Upstream's examples/timer.py: timer 1 fires, then timer 2 is canceled."""

    name = "compat_canvas_timers"
    version = "example"
    task_list = "example"

    def run(self, t1=1, t2=120):
        future = self.submit(
            Group(
                self.start_timer("timer 2", t2),
                Chain(self.start_timer("timer 1", t1), self.cancel_timer("timer 2")),
            )
        )
        futures.wait(future)
        fired = self.submit(TimerTask("timer 3", 0))
        futures.wait(fired)
        again = self.submit(CancelTimerTask("timer 3"))  # already fired: nothing to cancel
        old_form = self.start_timer("timer 4", 0)
        futures.wait(old_form)
        return {
            "timer 2 cancelled": future.futures[0].cancelled,
            "timer 3": fired.result,
            "cancel of a fired timer": bool(again),
            "timer 4": old_form.result,
        }


class MarkersWorkflow(Workflow):
    """Upstream's examples/marker.py: list_markers() and list_markers(all=True)."""

    name = "compat_canvas_markers"
    version = "example"
    task_list = "example"

    def run(self):
        self.submit(self.record_marker("marker 1"))
        m = self.submit(self.record_marker("marker 1", "some details"))
        self.submit(MarkerTask("marker 2", "2nd marker's details"))
        futures.wait(m)
        chain = self.submit(Chain(self.record_marker("in chain", 1), self.record_marker("in chain", 2)))
        futures.wait(chain)
        return {
            "latest": [(marker.name, marker.details) for marker in self.list_markers()],
            "all": [(marker.name, marker.details) for marker in self.list_markers(all=True)],
            "chain": chain.result,
            "marker result": m.result,
        }
