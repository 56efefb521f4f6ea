"""Steps: work that runs once per execution id and prefix, and is skipped by later executions.

A workflow with :class:`~simpleflow.step.workflow.WorkflowStepMixin` submits ``Step(name, activities)``:
the step's activities run, then the step is recorded as done (in S3 under ``STEP_BUCKET``, or beside
the payload store when no bucket is configured). The next execution with the same
``get_step_path_prefix()`` finds it done and runs ``activities_if_step_already_done`` instead;
``force=True``, or ``add_forced_steps([...])`` with names or ``"a.*"``-style patterns, runs it again.

    export SIMPLEFLOW_PAYLOAD_STORE=file:///tmp/steps-demo   # keeps the steps between runs
    simpleflow workflow.start --local examples.step.StepWorkflow --input '["2024-05"]'
    # {"products": [[2, 12], null], "totals": [[30], null]}
    simpleflow workflow.start --local examples.step.StepWorkflow --input '["2024-05"]'
    # {"products": ["products of 2024-05 were already done"], "totals": [[30], null]}
    simpleflow workflow.start --local examples.step.StepWorkflow \\
        --input '{"args": ["2024-05"], "kwargs": {"force_steps": ["products"]}}'
    # {"products": [[2, 12], null], "totals": [[30], null]}

Each step's future gives ``[steps done before, what the step ran]``; the example returns the second.
"""

from simpleflow import Workflow, activity, futures
from simpleflow.canvas import Group
from simpleflow.step.submittable import Step
from simpleflow.step.workflow import WorkflowStepMixin
from simpleflow.task import ActivityTask


@activity.with_attributes(task_list="quickstart", version="example", idempotent=True)
def multiply(*numbers):
    product = 1
    for n in numbers:
        product *= n
    return product


@activity.with_attributes(task_list="quickstart", version="example")
def note(message):
    return message


class StepWorkflow(WorkflowStepMixin, Workflow):
    name = "step"
    version = "example"
    task_list = "example"

    def get_step_path_prefix(self):
        # One set of steps per month, whatever the execution's id.
        return f"reports/{self.month}/steps/"

    def run(self, month, force_steps=None):
        self.month = month
        if force_steps:
            self.add_forced_steps(force_steps, reason="workflow input")
        products = self.submit(
            Step(
                "products",
                Group(ActivityTask(multiply, 1, 2), ActivityTask(multiply, 3, 4)),
                activities_if_step_already_done=ActivityTask(note, f"products of {month} were already done"),
            )
        )
        # force=True: this step runs on every execution, done or not.
        totals = self.submit(Step("totals", Group(ActivityTask(multiply, 5, 6)), force=True))
        futures.wait(products, totals)
        return {"products": products.result[1], "totals": totals.result[1]}
