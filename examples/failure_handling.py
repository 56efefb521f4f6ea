"""Deciding per failure, as simpleflow 0.36 does: ``on_task_failure`` retries, ignores or aborts.

``on_task_failure(self, failure_context)`` is called each time a task fails or times out. Here a
connection error is retried after a short wait, with the attempt number passed to the activity; a
failure of the optional metrics call is ignored; anything else takes the default handling (the
``retry`` attribute, then ``raises_on_failure``).

    simpleflow workflow.start --local examples.failure_handling.FailureHandlingWorkflow \\
        --input '["https://example.com"]'
    # {"page": "contents of https://example.com (attempt 3)", "metrics": null}
"""

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="quickstart", version="example")
def fetch(url, attempt=1):
    if attempt < 3:
        raise ConnectionError(f"{url}: connection reset (attempt {attempt})")
    return f"contents of {url} (attempt {attempt})"


@activity.with_attributes(task_list="quickstart", version="example")
def send_metrics(name):
    raise RuntimeError(f"the metrics backend is down, {name} not recorded")


class FailureHandlingWorkflow(Workflow):
    name = "failure_handling"
    version = "example"
    task_list = "example"

    def run(self, url):
        page = self.submit(fetch, url)
        metrics = self.submit(send_metrics, "fetch")
        futures.wait(page, metrics)
        return {"page": page.result, "metrics": metrics.result}

    def on_task_failure(self, failure_context):
        # Decide from the context only: the hook runs again on every replay that meets the failure.
        if failure_context.task_error == "ConnectionError" and failure_context.retry_count < 3:
            failure_context.a_task.kwargs["attempt"] = failure_context.attempt_number + 1
            return failure_context.decide_retry(retry_wait_timeout=1)
        if failure_context.task_name == send_metrics.name:
            return failure_context.decide_ignore()
        return None
