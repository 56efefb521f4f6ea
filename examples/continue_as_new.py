"""``continue_as_new``: end this run and start a fresh one of the same execution, with a short history.

A long loop keeps its history small by running one batch per run and continuing with the rest:
``self.submit(self.continue_as_new(...))`` (upstream's form; ``self.continue_as_new(...)`` alone works
too) closes the run as ContinuedAsNew and starts the next run with these arguments. The execution's
result is the last run's.

    simpleflow workflow.start --local examples.continue_as_new.RunningTotalWorkflow \\
        --input '{"kwargs": {"numbers": [1, 2, 3, 4, 5], "batch": 2}}'
    # {"total": 55, "runs": 3}: the squares of 1..5 added over three runs, two numbers per run
"""

from simpleflow import Workflow, activity, futures, logger


@activity.with_attributes(task_list="quickstart", version="example")
def square(x):
    return x * x


class RunningTotalWorkflow(Workflow):
    name = "continue_as_new"
    version = "example"
    task_list = "example"

    def run(self, numbers, batch=2, total=0, runs=1):
        squares = futures.wait(*[self.submit(square, n) for n in numbers[:batch]])
        total += sum(squares)
        rest = numbers[batch:]
        if not rest:
            return {"total": total, "runs": runs}
        logger.info("run %d of %s: total %d so far", runs, self.get_run_context()["workflow_id"], total)
        futures.wait(self.submit(self.continue_as_new(numbers=rest, batch=batch, total=total, runs=runs + 1)))
