"""Futures and failures as upstream users write them: ``futures.wait`` results, ``raises_on_failure``,
``on_task_failure`` decisions, ``TaskException``, ``__priority``."""

from simpleflow import Workflow, activity, futures
from simpleflow.exceptions import TaskException, TaskFailed
from simpleflow.task import TaskFailureContext


@activity.with_attributes(task_list="quickstart", version="example")
def increment(x):
    return x + 1


@activity.with_attributes(task_list="quickstart", version="example")
def echo_kwargs(x, **kwargs):
    return {"x": x, "kwargs": kwargs}


@activity.with_attributes(task_list="quickstart", version="example", raises_on_failure=False)
def check_positive(x):
    if x < 0:
        raise ValueError(f"negative: {x}")
    return x


@activity.with_attributes(task_list="quickstart", version="example", raises_on_failure=True)
def must_be_positive(x):
    if x < 0:
        raise ValueError(f"negative: {x}")
    return x


class WaitResultsWorkflow(Workflow):
    """``futures.wait`` gives the results: unpacked, counted, summed."""

    name = "compat_wait_results"
    version = "example"
    task_list = "example"

    def run(self, n):
        fs = [self.submit(increment, i) for i in range(n)]
        first, second = futures.wait(fs[0], fs[1])
        done, not_done = futures.wait_for(*fs, return_when=futures.FIRST_COMPLETED)
        return {
            "unpacked": [first, second],
            "len": len(futures.wait(*fs)),
            "sum": sum(futures.wait(*fs)),
            "empty": futures.wait(),
            "wait_for": [len(done) + len(not_done), len(not_done)],
        }


class WaitReturnWhenWorkflow(Workflow):
    """The concurrent.futures call, which upstream does not have: refused, naming the new function."""

    name = "compat_wait_return_when"
    version = "example"
    task_list = "example"

    def run(self):
        return futures.wait(self.submit(increment, 1), return_when=futures.FIRST_COMPLETED)


class FailureResultsWorkflow(Workflow):
    """A non-raising failure gives None and keeps its error; a raising one raises a TaskException."""

    name = "compat_failure_results"
    version = "example"
    task_list = "example"

    def run(self):
        failed = self.submit(check_positive, -1)
        ok = self.submit(check_positive, 2)
        waited = futures.wait(failed, ok)
        error = failed.exception
        caught = None
        try:
            caught = self.submit(must_be_positive, -2).result
        except TaskException as raised:
            caught = {
                "task_name": raised.payload.name,
                "inner": type(raised.exception).__name__,
                "inner_reason_has_value_error": "ValueError" in raised.exception.reason,
                "is_task_failed_too": isinstance(raised, TaskFailed),
            }
        return {
            "waited": waited,
            "result": failed.result,
            "exception": type(error).__name__,
            "reason_has_message": "negative: -1" in error.reason,
            "caught": caught,
        }


class FailureDecisionsWorkflow(Workflow):
    """on_task_failure retries with new arguments, ignores, cancels and aborts, one task each."""

    name = "compat_failure_decisions"
    version = "example"
    task_list = "example"

    def run(self):
        retried = self.submit(check_positive, -3)
        ignored = self.submit(check_positive, -4)
        cancelled = self.submit(check_positive, -5)
        aborted = self.submit(check_positive, -6)
        futures.wait(retried, ignored, cancelled, aborted)
        return {
            "retried": retried.result,
            "ignored": [ignored.result, ignored.exception],
            "cancelled": cancelled.cancelled,
            "aborted": type(aborted.exception).__name__,
        }

    def on_task_failure(self, failure_context: TaskFailureContext):
        x = failure_context.a_task.args[0]
        if x == -3 and failure_context.retry_count == 0:
            failure_context.a_task.args = [abs(x)]
            return failure_context.decide_retry()
        if x == -4:
            return failure_context.decide_ignore()
        if x == -5:
            return failure_context.decide_cancel()
        if x == -6:
            return failure_context.decide_abort()
        return None


class PriorityWorkflow(Workflow):
    """``__priority`` is a scheduling option: the function never receives it."""

    name = "compat_priority"
    version = "example"
    task_list = "example"
    task_priority = 5

    def run(self, x):
        a = self.submit(echo_kwargs, x, __priority=5)
        b = self.submit(echo_kwargs, x, flag=True, __priority=None)
        return futures.wait(a, b)
