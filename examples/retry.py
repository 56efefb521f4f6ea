"""Retries: a flaky activity fails its first two attempts; ``retry=3`` lets the third one succeed.

simpleflow workflow.start --local examples.retry.RetryWorkflow --input '[7]'
"""

import tempfile
from pathlib import Path

from simpleflow import Workflow, activity


class TransientError(Exception):
    """Stands for a network blip: worth another attempt."""


@activity.with_attributes(task_list="quickstart", version="example", retry=3)
def flaky(x):
    # Attempts are counted in a file named after the execution, so that the example behaves the same
    # whether attempts run in threads, in child processes or on different machines' workers.
    context = activity.get_context()
    counter = Path(tempfile.gettempdir(), f"simpleflow-retry-example-{context.workflow_id}")
    attempt = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(attempt))
    if attempt < 3:
        raise TransientError(f"attempt {attempt} failed, try again")
    counter.unlink()
    return {"value": x, "attempt": attempt}


class RetryWorkflow(Workflow):
    name = "retry"
    version = "example"
    task_list = "example"

    def run(self, x):
        return self.submit(flaky, x).result
