"""Retries: a flaky activity fails its first two attempts; ``retry=3`` lets the third one succeed.

simpleflow workflow.start --local examples.retry.RetryWorkflow --input '[7]'
"""

from simpleflow import Workflow, activity


class TransientError(Exception):
    """Stands for a network blip: worth another attempt."""


@activity.with_attributes(task_list="quickstart", version="example", retry=3)
def flaky(x):
    # The activity context tells which attempt this is (1 for the first run, 2 for the first retry...).
    attempt = activity.get_context().attempt
    if attempt < 3:
        raise TransientError(f"attempt {attempt} failed, try again")
    return {"value": x, "attempt": attempt}


class RetryWorkflow(Workflow):
    name = "retry"
    version = "example"
    task_list = "example"

    def run(self, x):
        return self.submit(flaky, x).result
