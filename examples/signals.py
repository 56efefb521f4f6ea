"""Signals: a workflow waits for a named signal and uses its input.

Here the workflow signals itself so the example runs alone. From outside, send the signal with
``aws swf signal-workflow-execution --domain D --workflow-id ID --signal-name approval --input
'{"args": ["alice"], "kwargs": {}}'``.

    simpleflow workflow.start --local examples.signals.ApprovalWorkflow --input '["report.pdf"]'
"""

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="quickstart", version="example")
def publish(document, approver):
    return f"{document} published, approved by {approver}"


class ApprovalWorkflow(Workflow):
    name = "approval"
    version = "example"
    task_list = "example"

    def run(self, document):
        self.signal("approval", "alice", propagate=False)
        approval = self.wait_signal("approval").result
        return self.submit(publish, document, approval["args"][0]).result
